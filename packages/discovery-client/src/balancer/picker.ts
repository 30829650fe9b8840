import type { Endpoint } from '../endpoint/endpoint.js';
import { isPickable, type BalancerStrategy } from './strategy.js';

/** Outcome of {@link Balancer.pick}: never null, always one of these. */
export type PickResult =
  /** Call this instance. */
  | { readonly type: 'complete'; readonly endpoint: Endpoint }
  /** No list yet (first resolution in flight): wait for it. */
  | { readonly type: 'queue' }
  /** Nothing can take the call now. */
  | {
      readonly type: 'transientFailure';
      readonly reason: 'no-instances' | 'all-unavailable' | 'registry-unavailable';
      readonly error?: Error | undefined;
    };

const QUEUE: PickResult = Object.freeze({ type: 'queue' });
const NO_INSTANCES: PickResult = Object.freeze({ type: 'transientFailure', reason: 'no-instances' });
const ALL_UNAVAILABLE: PickResult = Object.freeze({ type: 'transientFailure', reason: 'all-unavailable' });

/**
 * Holds the current list of a service and picks from it with a strategy. `setInstances` replaces the whole
 * list (what the resolver handed over), `setFailure` records that there is no usable list.
 */
export class Balancer {
  private instances: readonly Endpoint[] = [];
  private resolved = false;
  private failure: Error | undefined;

  constructor(readonly strategy: BalancerStrategy) {}

  setInstances(instances: readonly Endpoint[]): void {
    this.instances = instances;
    this.resolved = true;
    this.failure = undefined;
    this.strategy.onListChanged?.(instances);
  }

  /** No usable list (Consul unreachable beyond `maxStaleness`, or before the first answer). */
  setFailure(error: Error, dropList: boolean): void {
    this.failure = error;
    if (dropList) {
      this.instances = [];
      this.resolved = true;
    }
  }

  get current(): readonly Endpoint[] {
    return this.instances;
  }

  get hasResolved(): boolean {
    return this.resolved;
  }

  get lastFailure(): Error | undefined {
    return this.failure;
  }

  /** Whether any listed instance would take a call now (no side effect on the strategy). */
  hasAvailable(): boolean {
    for (const tracked of this.instances) if (isPickable(tracked, undefined)) return true;
    return false;
  }

  /** Synchronous pick. `exclude`: instance keys already tried by this call. */
  pick(exclude?: ReadonlySet<string>): PickResult {
    if (!this.resolved) {
      return this.failure ? { type: 'transientFailure', reason: 'registry-unavailable', error: this.failure } : QUEUE;
    }
    const instances = this.instances;
    if (instances.length === 0) {
      return this.failure ? { type: 'transientFailure', reason: 'registry-unavailable', error: this.failure } : NO_INSTANCES;
    }
    const tracked = this.strategy.choose(instances, exclude);
    return tracked ? { type: 'complete', endpoint: tracked } : ALL_UNAVAILABLE;
  }
}
