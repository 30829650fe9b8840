import { Balancer, type PickDecorator } from './balancer/balancer.js';
import type { BalancerStrategy } from './balancer/picker.js';
import type { ResolvedBreakerOptions } from './breaker/breaker-options.js';
import type { BreakerState, Endpoint } from './breaker/endpoint.js';
import { EndpointPool } from './breaker/endpoint-pool.js';
import type { DiscoveryEvents, TypedEmitter } from './events.js';
import type { ShedReason } from './errors/overloaded-error.js';
import { ConcurrencyLimit } from './overload/concurrency-limit.js';
import type { ResolvedConcurrencyLimit } from './overload/concurrency-limit-options.js';
import { OutlierDetection } from './outlier/outlier-detection.js';
import type { ResolvedOutlierDetection } from './outlier/outlier-options.js';
import { Prober } from './outlier/prober.js';
import { HedgeCounts } from './retry/hedging.js';
import type { ActiveColorState, Resolver, ResolverUpdate } from './resolver/resolver.js';
import { findUnmatchedActiveColor, sameUnmatchedActiveColor, type UnmatchedActiveColor } from './resolver/unmatched-active-color.js';
import type { Transport } from './transport/transport.js';

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
  /** Attempts in flight now. */
  outstanding: number;
  /** Average latency of recent answers, ms (undefined before the first). */
  latencyMs: number | undefined;
  /** Attempts admitted by the breaker. */
  calls: number;
  /** Attempts that failed (timeouts, connection errors, 5xx). */
  failures: number;
  /** Attempts the breaker refused. */
  rejections: number;
  /** Its adaptive concurrency limit now: attempts that may be in flight (undefined: no limit). */
  concurrencyLimit: number | undefined;
}

/** One service in {@link DiscoverySnapshot}. */
export interface ServiceSnapshot {
  name: string;
  /** Tag/meta filter of this view. */
  filter: { tags?: readonly string[]; meta?: Readonly<Record<string, string>> };
  resolved: boolean;
  /** Message of the last registry failure while it lasts. */
  registryError: string | undefined;
  /**
   * Blue/green (`color: 'active'`): the Consul KV key and the color in force (`null`: none, every instance
   * serves). `undefined` for a view with another `color` filter or none, a `static` service, or before the
   * first list (`resolved: false`).
   */
  activeColor: { key: string; color: string | null } | undefined;
  instances: InstanceSnapshot[];
  /** Adaptive concurrency: calls waiting for a slot now, and calls shed so far by reason (undefined: no limit). */
  overload: { queued: number; shed: Record<ShedReason, number> } | undefined;
  /** Hedging (the `hedging` option of its clients): hedges sent so far, and calls whose result came from one. */
  hedges: { sent: number; won: number };
}

/** The whole client, for status pages. */
export interface DiscoverySnapshot {
  services: ServiceSnapshot[];
}

/**
 * Everything known about one service (name + filter): its resolver, endpoints, balancer (whose picker
 * snapshots the service clients read), outlier detection and probes. Shared by every `service()` view of the
 * same name and filter. It only wires: the resolver's updates go to the pool and the balancer, the
 * breakers' transitions to the prober, the events and a new picker.
 */
export class ServiceState {
  readonly pool: EndpointPool;
  readonly balancer: Balancer;
  /** Hedges sent and won by this service's clients. */
  readonly hedges = new HedgeCounts();
  /** Undefined when outlier detection is off. */
  private readonly outliers: OutlierDetection | undefined;
  /** Undefined when the concurrency limit is off. */
  private readonly limiter: ConcurrencyLimit | undefined;
  private readonly prober: Prober | undefined;
  /** The served list (ids and URLs) of the last `resolved` event; undefined before the first and once it expired. */
  private announcedList: string | undefined;
  private registryError: Error | undefined;
  private activeColor: ServiceSnapshot['activeColor'];
  private unmatched: UnmatchedActiveColor | undefined;
  private started = false;

  constructor(
    readonly name: string,
    readonly filter: ServiceSnapshot['filter'],
    breaker: ResolvedBreakerOptions,
    outlierDetection: ResolvedOutlierDetection | false,
    concurrencyLimit: ResolvedConcurrencyLimit | false,
    strategy: BalancerStrategy,
    private readonly resolver: Resolver,
    private readonly events: TypedEmitter<DiscoveryEvents>,
    onInstancesRemoved: (removed: Endpoint[]) => void,
    /** What probes go through (the first view's transport). */
    transport: Transport,
  ) {
    const probe = outlierDetection ? outlierDetection.probe : false;
    const prober = outlierDetection && probe ? new Prober(probe, outlierDetection, transport) : undefined;
    this.prober = prober;
    this.pool = new EndpointPool({
      service: name,
      settings: breaker,
      probing: prober !== undefined,
      retainMs: breaker.retainMs,
      maxEjectionPercent: outlierDetection ? outlierDetection.maxEjectionPercent : undefined,
      listener: {
        onOpen: (e, reason) => {
          prober?.start(e);
          this.balancer.refresh();
          events.emit('breakerOpen', { service: name, instance: e.info, reason });
        },
        onHalfOpen: (e, early) => {
          this.balancer.refresh();
          events.emit('breakerHalfOpen', { service: name, instance: e.info, early });
        },
        onClose: (e) => {
          prober?.stop(e);
          this.balancer.refresh();
          events.emit('breakerClose', { service: name, instance: e.info });
        },
        onTrialStarted: () => this.balancer.refresh(),
      },
    });
    this.pool.onRemoved = (removed) => {
      for (const endpoint of removed) prober?.stop(endpoint);
      onInstancesRemoved(removed);
    };
    // an OPEN instance listed as passing again: probe it now, or (no probes) let the next call be its trial
    this.pool.onRelisted = (endpoint) => (prober ? prober.probeNow(endpoint) : endpoint.halfOpenNow());
    this.outliers = outlierDetection ? new OutlierDetection(outlierDetection) : undefined;
    // the concurrency limit is outermost: it hands reserved picks to waiting calls
    this.limiter = concurrencyLimit ? new ConcurrencyLimit(name, concurrencyLimit) : undefined;
    const decorators: PickDecorator[] = [];
    if (this.outliers) decorators.push(this.outliers);
    if (this.limiter) decorators.push(this.limiter);
    this.balancer = new Balancer(strategy, decorators, this.limiter);
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
        const announce = update.activeColor ? this.onActiveColor(update.activeColor, update.instances.length) : undefined;
        this.balancer.setInstances(tracked, this.unmatched, update.emptyBecause);
        // an update whose served list is the one announced last (another color's instance joined, a tag
        // changed) is no news: one `resolved` per change
        const served = tracked.map((t) => `${t.info.id} ${t.info.url}`).join('\n');
        if (served !== this.announcedList) {
          this.announcedList = served;
          this.events.emit('resolved', { service: this.name, instances: tracked.map((t) => t.info) });
        }
        if (announce) this.events.emit('activeColorUnmatched', announce);
        break;
      }
      case 'error': {
        this.registryError = update.error;
        this.balancer.setFailure(update.error, update.expired);
        if (update.expired) this.announcedList = undefined;
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
  }

  /** Follows the active color; returns the mismatch to announce when one starts or changes. */
  private onActiveColor(state: ActiveColorState, passed: number): UnmatchedActiveColor | undefined {
    this.activeColor = { key: state.key, color: state.color };
    const unmatched = findUnmatchedActiveColor(this.name, state, passed);
    const changed = !sameUnmatchedActiveColor(unmatched, this.unmatched);
    this.unmatched = unmatched;
    return changed ? unmatched : undefined;
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
          breaker: t.state,
          outstanding: t.outstanding,
          latencyMs: t.latencyMs,
          calls: t.calls,
          failures: t.failures,
          rejections: t.rejections,
          concurrencyLimit: this.limiter?.limitOf(t),
        }),
      )
      .sort((a, b) => a.number - b.number);
    return {
      name: this.name,
      filter: this.filter,
      resolved: this.balancer.hasResolved,
      registryError: this.registryError?.message,
      activeColor: this.activeColor,
      instances,
      overload: this.limiter ? { queued: this.limiter.queued, shed: { ...this.limiter.shed } } : undefined,
      hedges: { sent: this.hedges.sent, won: this.hedges.won },
    };
  }

  close(): void {
    this.resolver.close();
    this.outliers?.close();
    this.limiter?.close();
    this.prober?.close();
    this.pool.close();
    this.balancer.close();
  }
}
