import { EventEmitter } from 'node:events';
import type { InstanceRef, ServiceInstance } from '../instance.js';
import { InstanceBreaker, type BreakerState, type BreakerTransitions } from './instance-breaker.js';
import type { BreakerSettings } from './presets.js';

/** An instance the pool tracks: its identity, its stable number and its breaker. */
export interface TrackedInstance {
  instance: ServiceInstance;
  ref: InstanceRef;
  breaker: InstanceBreaker;
}

/** Breaker transitions, with the tracked instance. */
export interface BreakerPoolListener {
  onOpen(tracked: TrackedInstance): void;
  onHalfOpen(tracked: TrackedInstance, early: boolean): void;
  onClose(tracked: TrackedInstance): void;
}

/** Options of {@link BreakerPool}. */
export interface BreakerPoolOptions {
  service: string;
  settings: BreakerSettings;
  /** One predicate for retries and breakers: what counts as a failure of the instance. */
  isFailure: (error: unknown) => boolean;
  listener: BreakerPoolListener;
  /** How long a breaker outlives its instance's absence from the list (brief flaps keep their state). */
  retainMs: number;
  now?: () => number;
}

/**
 * One breaker per instance, keyed by instance key. It follows the resolver: a breaker is created when an
 * instance is first seen, kept while the instance is briefly absent (so an OPEN breaker stays OPEN across a
 * flap), and shut down once the instance has been gone for `retainMs`. Instance numbers ("instance 2")
 * live here too: stable while the instance is tracked, taken from the id's numeric suffix when free.
 */
export class BreakerPool {
  private readonly tracked = new Map<string, TrackedInstance>();
  /** Instance numbers in use; `lowestMaybeFree` is where the search for a free one starts. */
  private readonly usedNumbers = new Set<number>();
  private lowestMaybeFree = 1;
  /** One transitions object for every breaker of the pool (no closures per instance). */
  private readonly transitions: BreakerTransitions;
  /** One shared bucket-rotation clock instead of two intervals per opossum breaker. */
  private readonly rotateBucketController = new EventEmitter();
  private readonly rotateTimer: NodeJS.Timeout;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: BreakerPoolOptions) {
    this.now = options.now ?? Date.now;
    const { listener } = options;
    this.transitions = {
      onOpen: (b) => listener.onOpen(b.owner as TrackedInstance),
      onHalfOpen: (b, early) => listener.onHalfOpen(b.owner as TrackedInstance, early),
      onClose: (b) => listener.onClose(b.owner as TrackedInstance),
    };
    this.rotateBucketController.setMaxListeners(0);
    const bucketMs = Math.max(1, Math.floor(options.settings.rollingCountTimeout / options.settings.rollingCountBuckets));
    this.rotateTimer = setInterval(() => this.rotateBucketController.emit('rotate'), bucketMs);
    this.rotateTimer.unref();
  }

  /** Instances currently tracked (listed or within their retain period). */
  get size(): number {
    return this.tracked.size;
  }

  get(key: string): TrackedInstance | undefined {
    return this.tracked.get(key);
  }

  /** Every tracked instance, listed or not. */
  all(): TrackedInstance[] {
    return [...this.tracked.values()];
  }

  /**
   * Follows a new resolved list; returns the tracked entries for it, in list order. Newcomers get a breaker;
   * an instance that comes back while its breaker is OPEN gets its half-open probe now.
   */
  sync(instances: readonly ServiceInstance[]): TrackedInstance[] {
    if (this.closed) return [];
    const now = this.now();
    const listed = new Set<string>();
    const result: TrackedInstance[] = [];
    const moved: TrackedInstance[] = [];
    for (const instance of instances) {
      listed.add(instance.key);
      let entry = this.tracked.get(instance.key);
      if (entry && entry.instance.url !== instance.url) {
        // Same id at a new address (re-registered elsewhere): a new endpoint, so a fresh breaker.
        this.retire(instance.key, entry);
        moved.push(entry);
        entry = undefined;
      }
      if (!entry) {
        entry = this.create(instance);
      } else {
        if (entry.instance !== instance) entry.instance = instance;
        if (entry.breaker.goneSince !== undefined) {
          entry.breaker.goneSince = undefined;
          entry.breaker.probeNow();
        }
      }
      result.push(entry);
    }
    for (const [key, entry] of this.tracked) {
      if (!listed.has(key) && entry.breaker.goneSince === undefined) entry.breaker.goneSince = now;
    }
    if (moved.length > 0) this.onRemoved?.(moved);
    this.scheduleSweep();
    return result;
  }

  private retire(key: string, entry: TrackedInstance): void {
    entry.breaker.shutdown();
    this.tracked.delete(key);
    this.usedNumbers.delete(entry.ref.number);
    this.lowestMaybeFree = Math.min(this.lowestMaybeFree, entry.ref.number);
  }

  private create(instance: ServiceInstance): TrackedInstance {
    const ref: InstanceRef = { number: this.takeNumber(instance.id), id: instance.id, url: instance.url };
    const breaker = new InstanceBreaker(
      this.options.service,
      ref,
      this.options.settings,
      this.options.isFailure,
      this.transitions,
      this.rotateBucketController,
    );
    const entry: TrackedInstance = { instance, ref, breaker };
    breaker.owner = entry;
    this.tracked.set(instance.key, entry);
    return entry;
  }

  /**
   * The number the logs call an instance by: the numeric suffix of its id when that number is free
   * (`ratings-2` is "instance 2", as in the walkthrough), else the smallest free number.
   */
  private takeNumber(id: string): number {
    const suffix = /-(\d{1,6})$/.exec(id);
    let number = suffix ? Number(suffix[1]) : 0;
    if (number < 1 || this.usedNumbers.has(number)) {
      while (this.usedNumbers.has(this.lowestMaybeFree)) this.lowestMaybeFree++;
      number = this.lowestMaybeFree;
    }
    this.usedNumbers.add(number);
    return number;
  }

  private scheduleSweep(): void {
    if (this.sweepTimer || this.closed) return;
    let earliest = Infinity;
    for (const entry of this.tracked.values()) {
      if (entry.breaker.goneSince !== undefined) earliest = Math.min(earliest, entry.breaker.goneSince);
    }
    if (earliest === Infinity) return;
    const delay = Math.max(0, earliest + this.options.retainMs - this.now());
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      this.sweep();
    }, delay);
    this.sweepTimer.unref();
  }

  /** Shuts down breakers whose instance has been gone longer than `retainMs`. Returns the removed entries. */
  sweep(): TrackedInstance[] {
    const now = this.now();
    const removed: TrackedInstance[] = [];
    for (const [key, entry] of this.tracked) {
      const gone = entry.breaker.goneSince;
      if (gone !== undefined && now - gone >= this.options.retainMs) {
        this.retire(key, entry);
        removed.push(entry);
      }
    }
    this.onRemoved?.(removed);
    this.scheduleSweep();
    return removed;
  }

  /** Called with the entries a sweep dropped (the client releases their transport pools). */
  onRemoved: ((removed: TrackedInstance[]) => void) | undefined;

  /** State of every tracked breaker, by instance key. */
  states(): Map<string, BreakerState> {
    const states = new Map<string, BreakerState>();
    for (const [key, entry] of this.tracked) states.set(key, entry.breaker.state);
    return states;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.rotateTimer);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const entry of this.tracked.values()) entry.breaker.shutdown();
    this.tracked.clear();
    this.usedNumbers.clear();
    this.lowestMaybeFree = 1;
    this.rotateBucketController.removeAllListeners();
  }
}
