import { EventEmitter } from 'node:events';
import type { BreakerSettings } from './breaker-options.js';
import type { InstanceRef, ServiceInstance } from '../instance.js';
import { EjectionGuard } from './ejection-guard.js';
import { Endpoint, type BreakerState, type EndpointSettings, type EndpointTransitions } from './endpoint.js';

/** Options of {@link EndpointPool}. */
export interface EndpointPoolOptions {
  service: string;
  settings: BreakerSettings;
  /** Re-admission by probes (opossum's retest timer unused). @default false */
  probing?: boolean;
  listener: EndpointTransitions;
  /** How long a breaker outlives its instance's absence from the list (brief flaps keep their state). */
  retainMs: number;
  /** Every ejection, opossum's included, within this share of the listed instances (0–100); none: no cap. */
  maxEjectionPercent?: number | undefined;
  now?: () => number;
}

/**
 * One {@link Endpoint} per instance, keyed by instance key. It follows the resolver: an endpoint is created
 * when an instance is first seen, kept while the instance is briefly absent (so an OPEN breaker stays OPEN
 * across a flap), and shut down once the instance has been gone for `retainMs`. Instance numbers
 * ("instance 2") live here too: stable while the instance is tracked, taken from the id's numeric suffix
 * when free.
 */
export class EndpointPool {
  private readonly tracked = new Map<string, Endpoint>();
  /** Instance numbers in use; `lowestMaybeFree` is where the search for a free one starts. */
  private readonly usedNumbers = new Set<number>();
  private lowestMaybeFree = 1;
  /** Shared by every endpoint of the pool (no closures per instance). */
  private readonly endpointSettings: EndpointSettings;
  /** One shared bucket-rotation clock instead of two intervals per opossum breaker. */
  private readonly rotateBucketController = new EventEmitter();
  private readonly rotateTimer: NodeJS.Timeout;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: EndpointPoolOptions) {
    this.now = options.now ?? Date.now;
    this.endpointSettings = {
      service: options.service,
      breaker: options.settings,
      probing: options.probing ?? false,
      transitions: options.listener,
      rotateBucketController: this.rotateBucketController,
      guard: options.maxEjectionPercent === undefined ? undefined : new EjectionGuard(options.maxEjectionPercent),
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

  get(key: string): Endpoint | undefined {
    return this.tracked.get(key);
  }

  /** Every tracked instance, listed or not. */
  all(): Endpoint[] {
    return [...this.tracked.values()];
  }

  /**
   * Follows a new resolved list; returns the tracked entries for it, in list order. Newcomers get a breaker;
   * an instance that comes back while its breaker is OPEN gets its half-open probe now.
   */
  sync(instances: readonly ServiceInstance[]): Endpoint[] {
    if (this.closed) return [];
    const now = this.now();
    const listed = new Set<string>();
    const result: Endpoint[] = [];
    const moved: Endpoint[] = [];
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
        if (entry.goneSince !== undefined) {
          entry.goneSince = undefined;
          if (entry.state === 'OPEN') this.onRelisted?.(entry);
        }
      }
      result.push(entry);
    }
    for (const [key, entry] of this.tracked) {
      if (!listed.has(key) && entry.goneSince === undefined) entry.goneSince = now;
    }
    if (moved.length > 0) this.onRemoved?.(moved);
    this.scheduleSweep();
    this.endpointSettings.guard?.setListed(result);
    return result;
  }

  private retire(key: string, entry: Endpoint): void {
    entry.shutdown();
    this.tracked.delete(key);
    this.usedNumbers.delete(entry.ref.number);
    this.lowestMaybeFree = Math.min(this.lowestMaybeFree, entry.ref.number);
  }

  private create(instance: ServiceInstance): Endpoint {
    const ref: InstanceRef = { number: this.takeNumber(instance.id), id: instance.id, url: instance.url };
    const entry = new Endpoint(instance, ref, this.endpointSettings);
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
      if (entry.goneSince !== undefined) earliest = Math.min(earliest, entry.goneSince);
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
  sweep(): Endpoint[] {
    const now = this.now();
    const removed: Endpoint[] = [];
    for (const [key, entry] of this.tracked) {
      const gone = entry.goneSince;
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
  onRemoved: ((removed: Endpoint[]) => void) | undefined;

  /** Called when an instance whose breaker is OPEN is listed again (passing in the registry). */
  onRelisted: ((endpoint: Endpoint) => void) | undefined;

  /** State of every tracked breaker, by instance key. */
  states(): Map<string, BreakerState> {
    const states = new Map<string, BreakerState>();
    for (const [key, entry] of this.tracked) states.set(key, entry.state);
    return states;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.rotateTimer);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const entry of this.tracked.values()) entry.shutdown();
    this.tracked.clear();
    this.usedNumbers.clear();
    this.lowestMaybeFree = 1;
    this.rotateBucketController.removeAllListeners();
  }
}
