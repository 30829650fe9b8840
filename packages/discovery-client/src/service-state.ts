import { Balancer } from './balancer/picker.js';
import type { BalancerStrategy } from './balancer/strategy.js';
import { BreakerPool, type TrackedInstance } from './breaker/breaker-pool.js';
import type { BreakerState } from './breaker/instance-breaker.js';
import type { DiscoveryEvents, InstanceEventInfo, TypedEmitter } from './events.js';
import type { ResolvedBreakerOptions } from './options.js';
import type { Resolver, ResolverUpdate } from './resolver/resolver.js';
import { isInstanceFailure } from './retry/is-retryable.js';

/** One instance in {@link DiscoverySnapshot}. */
export interface InstanceSnapshot {
  number: number;
  id: string;
  url: string;
  address: string;
  port: number;
  tags: readonly string[];
  meta: Readonly<Record<string, string>>;
  /** In the current passing list (false: gone, breaker kept for a while). */
  listed: boolean;
  breaker: BreakerState;
  /** Attempts admitted by the breaker. */
  calls: number;
  /** Attempts that failed (timeouts, connection errors, 5xx). */
  failures: number;
  /** Attempts the breaker refused. */
  rejections: number;
}

/** One service in {@link DiscoverySnapshot}. */
export interface ServiceSnapshot {
  name: string;
  /** Tag/meta filter of this view. */
  filter: { tags?: readonly string[]; meta?: Readonly<Record<string, string>> };
  resolved: boolean;
  /** Message of the last registry failure while it lasts. */
  registryError: string | undefined;
  instances: InstanceSnapshot[];
}

/** The whole client, for status pages. */
export interface DiscoverySnapshot {
  services: ServiceSnapshot[];
}

function info(service: string, tracked: TrackedInstance): InstanceEventInfo {
  return { service, number: tracked.ref.number, id: tracked.ref.id, url: tracked.ref.url };
}

/**
 * Everything known about one service (name + filter): its resolver, breaker pool and balancer. Shared by
 * every `service()` view of the same name and filter.
 */
export class ServiceState {
  readonly pool: BreakerPool;
  readonly balancer: Balancer;
  private waiters: Array<() => void> = [];
  private registryError: Error | undefined;
  private started = false;

  constructor(
    readonly name: string,
    readonly filter: ServiceSnapshot['filter'],
    breaker: ResolvedBreakerOptions,
    strategy: BalancerStrategy,
    private readonly resolver: Resolver,
    private readonly events: TypedEmitter<DiscoveryEvents>,
    onInstancesRemoved: (removed: TrackedInstance[]) => void,
  ) {
    this.pool = new BreakerPool({
      service: name,
      settings: breaker,
      retainMs: breaker.retainMs,
      isFailure: isInstanceFailure,
      listener: {
        onOpen: (t) => events.emit('breakerOpen', { service: name, instance: info(name, t) }),
        onHalfOpen: (t, early) => events.emit('breakerHalfOpen', { service: name, instance: info(name, t), early }),
        onClose: (t) => events.emit('breakerClose', { service: name, instance: info(name, t) }),
      },
    });
    this.pool.onRemoved = onInstancesRemoved;
    this.balancer = new Balancer(strategy);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.events.emit('resolving', { service: this.name });
    this.resolver.start((update) => this.onUpdate(update));
  }

  private onUpdate(update: ResolverUpdate): void {
    switch (update.type) {
      case 'instances': {
        this.registryError = undefined;
        const tracked = this.pool.sync(update.instances);
        this.balancer.setInstances(tracked);
        this.events.emit('resolved', { service: this.name, instances: tracked.map((t) => info(this.name, t)) });
        break;
      }
      case 'error': {
        this.registryError = update.error;
        this.balancer.setFailure(update.error, update.expired);
        this.events.emit('registryError', {
          service: this.name,
          error: update.error,
          staleForMs: update.staleForMs,
          servingInstances: this.balancer.current.length,
          expired: update.expired,
        });
        break;
      }
      case 'recovered':
        this.registryError = undefined;
        this.events.emit('registryRecovered', { service: this.name, downForMs: update.downForMs });
        break;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next resolver update, or after `ms`. */
  nextUpdate(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      timer.unref();
      const wake = (): void => done();
      this.waiters.push(wake);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  snapshot(): ServiceSnapshot {
    const listed = new Set(this.balancer.current.map((t) => t.instance.key));
    const instances = this.pool
      .all()
      .map(
        (t): InstanceSnapshot => ({
          number: t.ref.number,
          id: t.instance.id,
          url: t.instance.url,
          address: t.instance.address,
          port: t.instance.port,
          tags: t.instance.tags,
          meta: t.instance.meta,
          listed: listed.has(t.instance.key),
          breaker: t.breaker.state,
          calls: t.breaker.calls,
          failures: t.breaker.failures,
          rejections: t.breaker.rejections,
        }),
      )
      .sort((a, b) => a.number - b.number);
    return {
      name: this.name,
      filter: this.filter,
      resolved: this.balancer.hasResolved,
      registryError: this.registryError?.message,
      instances,
    };
  }

  close(): void {
    this.resolver.close();
    this.pool.close();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
