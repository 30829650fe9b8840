import { EventEmitter } from 'node:events';
import type { InstanceFailureReason, NotSentReason } from './attempt/outcome.js';
import type { EjectionReason } from './breaker/endpoint.js';
import type { ShedReason } from './errors/overloaded-error.js';
import type { InstanceEventInfo } from './instance.js';
import type { UnmatchedActiveColor } from './errors/no-healthy-instances-error.js';

export type { InstanceEventInfo };

/** Every event the client emits, by name, with its payload. */
export interface DiscoveryEvents {
  /** The first lookup of a service starts. */
  resolving: { service: string };
  /** The resolved (passing, filtered) list of a service changed: the first list, each change, the first after the last one expired. */
  resolved: { service: string; instances: readonly InstanceEventInfo[] };
  /**
   * `color: 'active'`: the active color in force matches none of the listed instances while some (of other
   * colors) are listed, so every call fails with `NoHealthyInstancesError`. Emitted when this starts and when
   * the color in force or the set of listed colors changes, not on every list.
   */
  activeColorUnmatched: UnmatchedActiveColor;
  /**
   * Consul failed; the last good list keeps serving (`staleForMs` since the last success) unless `expired`:
   * no list yet, or the last one is older than `watch.maxStalenessMs` and was dropped.
   */
  registryError: { service: string; error: Error; staleForMs: number; servingInstances: number; expired: boolean };
  /** Consul answers again after a failure. */
  registryRecovered: { service: string; downForMs: number };
  /** The balancer chose an instance for an attempt. */
  instancePicked: { service: string; instance: InstanceEventInfo; attempt: number };
  /**
   * The instance's breaker opened: `reason` is opossum's `error-percentage` rule, or an outlier detection
   * ejection (`consecutive-failures`, `refused`, `stall`).
   */
  breakerOpen: { service: string; instance: InstanceEventInfo; reason: EjectionReason };
  breakerHalfOpen: { service: string; instance: InstanceEventInfo; early: boolean };
  breakerClose: { service: string; instance: InstanceEventInfo };
  /** An attempt got a response (2xx-4xx: the instance is fine). */
  callSucceeded: { service: string; instance: InstanceEventInfo; statusCode: number; durationMs: number };
  /**
   * An attempt failed, `reason` saying how: `status` (a 5xx), `connection` (reset or failed after the request
   * went out), `refused` or `reset-reused-socket` (never reached the application), `backpressure` (429 or 503
   * with `Retry-After`), or `stall`: outlier detection ejected its instance for stalling and aborted it to send
   * the call elsewhere (its `error` is a `RequestTimeoutError` whose `timeoutMs` is the age it was aborted at).
   */
  callFailed: { service: string; instance: InstanceEventInfo; error: Error; durationMs: number; reason: CallFailureReason };
  /** An attempt hit its timeout; the request was aborted. */
  callTimedOut: { service: string; instance: InstanceEventInfo; timeoutMs: number; durationMs: number };
  /**
   * A failed attempt is retried after `delayMs`, on another instance when there is one; `instance` failed.
   * `requeued`: the attempt never reached the instance (refused, or reset on a reused idle socket), so it is
   * sent again at once, for any method, outside the retry limit and budget.
   */
  callRetried: { service: string; instance: InstanceEventInfo; attempt: number; delayMs: number; error: Error; requeued: boolean };
  /**
   * Hedging: the attempt on `of` had not answered after `delayMs` (the hedge delay), so hedge number `hedge` of
   * the call went to `instance`; the first answer wins and the other attempt is aborted without counting against it.
   */
  callHedged: { service: string; instance: InstanceEventInfo; of: InstanceEventInfo; delayMs: number; hedge: number };
  /**
   * Every usable instance was at its adaptive concurrency limit and the call was shed without being sent
   * (`reason`: the wait queue was full, or the deadline passed while it waited); it fails with an
   * `OverloadedError`. `queued`: calls waiting then; `limit`: attempts the service's instances may have in flight.
   */
  callShed: { service: string; reason: ShedReason; queued: number; limit: number };
  /** A retry was skipped because the retry budget is spent; `instance` is the one whose attempt failed. */
  retryBudgetExhausted: { service: string; instance: InstanceEventInfo; error: Error };
  /** The call failed for good and `fallback` produced the result. */
  fallback: { service: string; error: Error };
}

/** How an attempt reported by `callFailed` failed (a timeout is `callTimedOut`). */
export type CallFailureReason = Exclude<InstanceFailureReason, 'timeout'> | NotSentReason;

export type DiscoveryEventName = keyof DiscoveryEvents;
export type DiscoveryListener<K extends DiscoveryEventName> = (event: DiscoveryEvents[K]) => void;

/**
 * The one event mechanism of the library: a typed facade over `EventEmitter`.
 * A listener that throws is isolated: it cannot break a call.
 */
export class TypedEmitter<Events extends object> {
  private readonly emitter = new EventEmitter();
  /**
   * Whether anyone listens, by event name: a plain object the hot path reads to skip building payloads
   * (reading it runs no code). Kept up to date as listeners come and go, `once` listeners included.
   */
  readonly listening: { [K in keyof Events]?: boolean } = {};

  constructor() {
    this.emitter.setMaxListeners(0);
    const listening = this.listening as Record<string | symbol, boolean>;
    this.emitter.on('newListener', (name: string | symbol) => (listening[name] = true));
    this.emitter.on('removeListener', (name: string | symbol) => (listening[name] = this.emitter.listenerCount(name) > 0));
  }

  on<K extends keyof Events & string>(name: K, listener: (event: Events[K]) => void): this {
    this.emitter.on(name, listener);
    return this;
  }

  once<K extends keyof Events & string>(name: K, listener: (event: Events[K]) => void): this {
    this.emitter.once(name, listener);
    return this;
  }

  off<K extends keyof Events & string>(name: K, listener: (event: Events[K]) => void): this {
    this.emitter.off(name, listener);
    return this;
  }

  emit<K extends keyof Events & string>(name: K, event: Events[K]): void {
    if (this.emitter.listenerCount(name) === 0) return;
    for (const listener of this.emitter.listeners(name)) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch {
        // a faulty listener must not break the call that emitted
      }
    }
  }

  removeAllListeners(): void {
    for (const name of this.emitter.eventNames()) {
      if (name !== 'newListener' && name !== 'removeListener') this.emitter.removeAllListeners(name);
    }
  }
}

/**
 * `on` / `once` / `off` for a class that emits typed events (the client, a registration): the listener
 * methods delegate to its {@link TypedEmitter}.
 */
export class EventSource<Events extends object> {
  protected readonly events = new TypedEmitter<Events>();

  /** Listen to a typed event. */
  on<K extends keyof Events & string>(name: K, listener: (event: Events[K]) => void): this {
    this.events.on(name, listener);
    return this;
  }

  once<K extends keyof Events & string>(name: K, listener: (event: Events[K]) => void): this {
    this.events.once(name, listener);
    return this;
  }

  off<K extends keyof Events & string>(name: K, listener: (event: Events[K]) => void): this {
    this.events.off(name, listener);
    return this;
  }
}
