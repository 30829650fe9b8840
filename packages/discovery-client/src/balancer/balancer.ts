import type { Endpoint } from '../breaker/endpoint.js';
import type { UnmatchedActiveColor } from '../errors/no-healthy-instances-error.js';
import { FixedPicker, QUEUE_PICKER, type BalancerStrategy, type CompletePick, type Picker } from './picker.js';

/**
 * A policy that wraps the call hooks of each snapshot's picks (grpc-js's picker decorators: outlier
 * detection, a concurrency limit, ...). A new policy is one such file.
 */
export interface PickDecorator {
  /** A new snapshot: `listed` holds every listed endpoint (ejected ones too), `usable` those that get picks. */
  snapshot(listed: readonly Endpoint[], usable: readonly Endpoint[]): void;
  /** The pick wrapping `inner`'s hooks for `endpoint`; cache it per endpoint (picks are built per snapshot, not per call). */
  wrap(endpoint: Endpoint, inner: CompletePick): CompletePick;
}

/** A free slot for a waiting call (its pick, slot reserved), or the call is shed with `error`. */
export type SlotResult = CompletePick | { readonly type: 'shed'; readonly error: Error };

/**
 * Where a call waits when every usable instance is at its concurrency limit (`overload/concurrency-limit.ts`).
 */
export interface SlotQueue {
  /**
   * The pick to send on once a slot is free within `ms` (not on an instance in `avoid` while another is usable); else `shed`.
   * When the call has to wait, `queued` is handed `leave`, which takes it out of the queue (the call was cancelled:
   * the promise then never settles and no slot is reserved for it) and returns true; false once it had left.
   */
  waitForSlot(ms: number, avoid?: ReadonlySet<string>, queued?: (leave: () => boolean) => void): Promise<SlotResult>;
  /** Calls waiting for a slot now. */
  readonly queued: number;
}

/** What the service client reads of a balancer: the snapshot in force, and a way to wait for the next one. */
export interface PickerSource {
  /** The picker of the current snapshot (a plain field: reading it runs no code). */
  readonly picker: Picker;
  /** Listed instances in the current snapshot. */
  readonly listed: number;
  /** Instances whose breaker admits calls in the current snapshot. */
  readonly usable: number;
  /** Resolves when a new snapshot is published, or after `ms`. */
  nextPicker(ms: number): Promise<void>;
  /** Every usable instance refused the call at its concurrency limit: wait for a free slot (see {@link SlotQueue}). */
  waitForSlot(ms: number, avoid?: ReadonlySet<string>, queued?: (leave: () => boolean) => void): Promise<SlotResult>;
  /** Calls waiting for a slot at the concurrency limit now (0 without a limit): read by hedging, which stops under overload. */
  readonly queued: number;
}

/**
 * Follows a service's list and its breakers' states, and publishes an immutable picker snapshot each time
 * the usable set changes: the strategy's picker over the picks of the instances whose breaker admits calls,
 * each pick's hooks wrapped by the decorators (outermost last). Before the first list it publishes a
 * queueing picker; with no usable instance, one that reports a transient failure.
 */
export class Balancer implements PickerSource {
  picker: Picker = QUEUE_PICKER;
  listed = 0;
  usable = 0;
  private endpoints: readonly Endpoint[] = [];
  private resolved = false;
  private failure: Error | undefined = undefined;
  private unmatched: UnmatchedActiveColor | undefined = undefined;
  private emptyBecause: Error | undefined = undefined;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly strategy: BalancerStrategy,
    private readonly decorators: readonly PickDecorator[] = [],
    /** The concurrency limit's wait queue, when there is a limit. */
    private readonly slots?: SlotQueue,
  ) {}

  /** A new resolved list (the tracked endpoints, in list order); `emptyBecause`: why an empty one is empty, when the resolver knows. */
  setInstances(endpoints: readonly Endpoint[], unmatched?: UnmatchedActiveColor, emptyBecause?: Error): void {
    this.endpoints = endpoints;
    this.resolved = true;
    this.failure = undefined;
    this.unmatched = unmatched;
    this.emptyBecause = emptyBecause;
    this.publish();
  }

  /** No usable list (Consul unreachable beyond `maxStaleness`, or before the first answer). */
  setFailure(error: Error, dropList: boolean): void {
    this.failure = error;
    if (dropList) {
      this.endpoints = [];
      this.resolved = true;
    }
    this.publish();
  }

  /** A breaker changed state: the usable set may have changed. */
  refresh(): void {
    if (this.resolved) this.publish();
  }

  /** The listed endpoints (ejected ones too). */
  get current(): readonly Endpoint[] {
    return this.endpoints;
  }

  get hasResolved(): boolean {
    return this.resolved;
  }

  nextPicker(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      timer.unref();
      this.waiters.push(done);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  waitForSlot(ms: number, avoid?: ReadonlySet<string>, queued?: (leave: () => boolean) => void): Promise<SlotResult> {
    if (this.slots === undefined) throw new Error('no concurrency limit: nothing refuses an attempt at a limit');
    return this.slots.waitForSlot(ms, avoid, queued);
  }

  get queued(): number {
    return this.slots?.queued ?? 0;
  }

  /** Wakes every call waiting for a picker (the client is closing). */
  close(): void {
    this.wake();
  }

  private publish(): void {
    this.listed = this.endpoints.length;
    this.picker = this.build();
    this.wake();
  }

  private build(): Picker {
    const registry = this.failure && { type: 'transientFailure', reason: 'registry-unavailable', error: this.failure } as const;
    if (!this.resolved) return registry ? new FixedPicker(registry) : QUEUE_PICKER;
    if (this.endpoints.length === 0) {
      this.usable = 0;
      return new FixedPicker(registry || { type: 'transientFailure', reason: 'no-instances', error: this.emptyBecause, unmatchedActiveColor: this.unmatched });
    }
    const usable = this.endpoints.filter((endpoint) => endpoint.isAvailable());
    this.usable = usable.length;
    for (const decorator of this.decorators) decorator.snapshot(this.endpoints, usable);
    if (usable.length === 0) return ALL_UNAVAILABLE;
    // an endpoint is its own innermost pick; each decorator wraps the one inside it
    const picks = usable.map((endpoint) => {
      let pick: CompletePick = endpoint;
      for (const decorator of this.decorators) pick = decorator.wrap(endpoint, pick);
      return pick;
    });
    return this.strategy.picker(picks);
  }

  private wake(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

const ALL_UNAVAILABLE = new FixedPicker(Object.freeze({ type: 'transientFailure', reason: 'all-unavailable' }));
