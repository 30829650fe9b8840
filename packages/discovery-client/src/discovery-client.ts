import { LeastLoadedStrategy } from './balancer/least-loaded.js';
import type { BalancerStrategy } from './balancer/picker.js';
import { RandomStrategy } from './balancer/random.js';
import { RoundRobinStrategy } from './balancer/round-robin.js';
import type { Endpoint } from './breaker/endpoint.js';
import { ClientLifecycle, DEFAULT_GRACE_PERIOD_MS } from './client-lifecycle.js';
import { CLIENT_KEYS, resolveLogPicks, type DiscoveryClientOptions } from './client-options.js';
import { ConsulHttp } from './consul/consul-http.js';
import { resolveConsulOptions, type ResolvedConsulOptions } from './consul/consul-options.js';
import { ClientClosedError } from './errors/client-closed-error.js';
import { EventSource, type DiscoveryEvents } from './events.js';
import { DiscoveryDispatcher } from './fetch/discovery-dispatcher.js';
import { discoveryInterceptor } from './fetch/discovery-interceptor.js';
import { resolveFetchOptions, type FetchDispatcherOptions, type FetchInterceptorOptions } from './fetch/fetch-options.js';
import { createLogger } from './logging/create-logger.js';
import { logEvents } from './logging/log-events.js';
import type { Logger } from './logging/logger.js';
import { attachMetrics } from './metrics.js';
import { checkNumber, checkObject } from './options/checker.js';
import { ActiveColorResolver } from './resolver/active-color-resolver.js';
import { ConsulResolver } from './resolver/consul-resolver.js';
import type { InstanceFilter, Resolver } from './resolver/resolver.js';
import { StaticResolver } from './resolver/static-resolver.js';
import { DEFAULT_MIN_QUERY_INTERVAL_MS, resolveWatchOptions, type ResolvedWatchOptions } from './resolver/watch-options.js';
import { ServiceClient } from './service-client.js';
import { resolveServiceOptions, type ResolvedServiceOptions, type ServiceOptions } from './service-options.js';
import { ServiceState, type DiscoverySnapshot } from './service-state.js';
import { GotTransport } from './transport/got-transport.js';
import { tlsOptionsKey, type ResolvedTlsOptions } from './transport/tls-options.js';
import type { Transport } from './transport/transport.js';
import { UndiciTransport } from './transport/undici-transport.js';
import { getGlobalDispatcher, type Dispatcher } from 'undici';

/** Options of {@link DiscoveryClient.close}. */
export interface CloseOptions {
  /**
   * How long calls with an attempt in flight may go on finishing that attempt, ms; then it is aborted and the
   * call rejects with `ClientClosedError`. `0`: abort them at once.
   * @default 5000
   */
  gracePeriodMs?: number;
}

const CLOSE_KEYS = ['gracePeriodMs'] as const;

function filterKey(name: string, filter: InstanceFilter): string {
  const tags = filter.tags ? [...filter.tags].sort() : [];
  const meta = filter.meta ? Object.entries(filter.meta).sort(([a], [b]) => a.localeCompare(b)) : [];
  return JSON.stringify([name, tags, meta, filter.color]);
}

/** Call options that make a distinct client view (functions such as `fallback` are not compared). */
function callOptionsKey(options: ResolvedServiceOptions): string {
  const transport = options.transport;
  let transportKey: string | number = transport as string;
  if (typeof transport === 'object') {
    transportKey = transportIds.get(transport) ?? ++transportCounter;
    transportIds.set(transport, transportKey);
  }
  return JSON.stringify([
    options.timeout,
    options.deadline,
    { ...options.retry, methods: [...options.retry.methods].sort() },
    options.hedging,
    transportKey,
    tlsOptionsKey(options.tls),
    options.headers,
    options.fallback !== undefined,
  ]);
}

const transportIds = new WeakMap<object, number>();
let transportCounter = 0;

function createStrategy(balancer: ResolvedServiceOptions['balancer']): BalancerStrategy {
  if (typeof balancer === 'function') return balancer();
  if (balancer === 'random') return new RandomStrategy();
  return balancer === 'least-loaded' ? new LeastLoadedStrategy() : new RoundRobinStrategy();
}

/**
 * Calls services by name: Consul resolver, balancer, a breaker per instance, retries on other instances.
 *
 * @example
 * const discovery = new DiscoveryClient();                    // CONSUL_HTTP_ADDR or 127.0.0.1:8500
 * const ratings = discovery.service('ratings', { breaker: { preset: 'datawire' } });
 * const rating = await ratings.get('/ratings/camera').json<{ stars: number }>();
 * await discovery.close();
 */
export class DiscoveryClient extends EventSource<DiscoveryEvents> {
  private readonly states = new Map<string, ServiceState>();
  private readonly clients = new Map<string, ServiceClient>();
  private readonly transports = new Map<string, Transport>();
  private readonly consulOptions: ResolvedConsulOptions;
  private consul: ConsulHttp | undefined;
  private readonly watch: ResolvedWatchOptions;
  private readonly logger: Logger;
  private readonly detach: Array<() => void> = [];
  private readonly lifecycle = new ClientLifecycle();
  private closing: Promise<void> | undefined = undefined;

  constructor(private readonly options: DiscoveryClientOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Expected DiscoveryClient options to be an object, got ${String(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (!(CLIENT_KEYS as readonly string[]).includes(key)) {
        throw new TypeError(`Unknown option \`${key}\` (known: ${CLIENT_KEYS.join(', ')})`);
      }
    }
    this.consulOptions = resolveConsulOptions(options.consul);
    this.watch = resolveWatchOptions(options.watch);
    if (options.static !== undefined && (options.static === null || typeof options.static !== 'object')) {
      throw new TypeError(`Expected \`static\` to be an object of instance lists, got ${JSON.stringify(options.static)}`);
    }
    if (options.resolver !== undefined && typeof options.resolver !== 'function') {
      throw new TypeError(`Expected \`resolver\` to be a function, got ${JSON.stringify(options.resolver)}`);
    }
    resolveServiceOptions(undefined, options.defaults); // validate the defaults now
    this.logger = createLogger(options.logger);
    const picks = resolveLogPicks(options.logPicks);
    if (options.logger !== false) this.detach.push(logEvents(this.events, this.logger, { picks }));
    if (options.metrics) this.detach.push(attachMetrics(this.events, options.metrics));
  }

  /**
   * A client for one service. Calls with the same name and tag/meta filter share one watch, breaker pool
   * and balancer (the first call's `breaker`, `outlierDetection` and `balancer` options are the ones used); calls that also
   * agree on timeout, deadline, retry, transport and headers return the same client (with the first
   * call's `fallback`), so calling `service()` per request is cheap.
   */
  service(name: string, options?: ServiceOptions): ServiceClient {
    if (this.lifecycle.closed) throw new ClientClosedError(typeof name === 'string' ? name : undefined);
    if (typeof name !== 'string' || name === '') throw new TypeError(`Expected \`name\` to be a non-empty string, got ${JSON.stringify(name)}`);
    const resolved = resolveServiceOptions(options, this.options.defaults);
    const key = filterKey(name, resolved.filter);
    const clientKey = `${key}${callOptionsKey(resolved)}`;
    const existing = this.clients.get(clientKey);
    if (existing) return existing;
    let state = this.states.get(key);
    if (!state) {
      state = new ServiceState(
        name,
        resolved.filter,
        resolved.breaker,
        resolved.outlierDetection,
        resolved.concurrencyLimit,
        createStrategy(resolved.balancer),
        this.withActiveColor(name, resolved.filter, this.createResolver(name, resolved.filter)),
        this.events,
        (removed) => this.release(removed),
        this.transport(resolved.transport, resolved.tls),
      );
      this.states.set(key, state);
      state.start();
    }
    const client = new ServiceClient(name, state.balancer, resolved, this.transport(resolved.transport, resolved.tls), this.events, this.lifecycle, state.hedges);
    this.clients.set(clientKey, client);
    return client;
  }

  /**
   * An undici interceptor for `dispatcher.compose()` that sends requests to Consul service hosts through this
   * client: `http://ratings.service.consul/ratings/camera` is a call of `service('ratings', services.ratings)`,
   * `v2.ratings.service.consul` adds tag `v2`, `ratings.service.<dc>.consul` must name the client's `consul.dc`
   * (Consul's DNS names). fetch resolves with the instance's `Response` whatever its status (a 404 or a final 500
   * is a `Response`); it rejects (`TypeError: fetch failed`, the library's typed error as `cause`) only when the
   * call fails: no healthy instance, every attempt failed to connect or timed out, the deadline passed. The
   * fetch's method, headers, body and `signal` flow through; the body is buffered (each attempt resends it) and so is
   * the answer. Other hosts go to the dispatcher beneath, untouched.
   * @example
   * const agent = new Agent().compose(interceptors.dns(), discovery.interceptor());
   * await fetch('http://ratings.service.consul/ratings/camera', { dispatcher: agent });
   * @throws TypeError naming a misspelt option.
   */
  interceptor(options?: FetchInterceptorOptions): Dispatcher.DispatcherComposeInterceptor {
    return discoveryInterceptor(this.serviceSource(), resolveFetchOptions(options, false));
  }

  /**
   * An undici `Dispatcher` for `fetch(url, { dispatcher })` or `setGlobalDispatcher()`: {@link interceptor}
   * over `options.dispatcher` (default: undici's global dispatcher at the time of this call). Its `close()`
   * closes nothing (the client and the dispatcher beneath are closed by their owner).
   * @example
   * setGlobalDispatcher(discovery.dispatcher({ services: { ratings: { timeout: 500 } } }));
   * const rating = await (await fetch('http://ratings.service.consul/ratings/camera')).json();
   * @throws TypeError naming a misspelt option.
   */
  dispatcher(options?: FetchDispatcherOptions): Dispatcher {
    const resolved = resolveFetchOptions(options, true);
    return new DiscoveryDispatcher(options?.dispatcher ?? getGlobalDispatcher(), discoveryInterceptor(this.serviceSource(), resolved));
  }

  private serviceSource(): { service: DiscoveryClient['service']; datacenter: string | undefined } {
    return { service: (name, options) => this.service(name, options), datacenter: this.consulOptions.dc };
  }

  private createResolver(name: string, filter: InstanceFilter): Resolver {
    const fixed = this.options.static?.[name];
    if (fixed) return new StaticResolver(name, fixed, filter);
    if (this.options.resolver) return this.options.resolver(name, filter);
    this.consul ??= new ConsulHttp(this.consulOptions);
    return new ConsulResolver(name, this.consul, {
      waitMs: this.watch.waitMs,
      backoff: { initialMs: this.watch.backoffInitialMs, maxMs: this.watch.backoffMaxMs },
      maxStalenessMs: this.watch.maxStalenessMs,
      minQueryIntervalMs: DEFAULT_MIN_QUERY_INTERVAL_MS,
      filter,
    });
  }

  /**
   * `color: 'active'`: only the instances of the color named in Consul KV (see ActiveColorResolver). A `static`
   * service never asks Consul, so it has no active color: every listed instance serves.
   */
  private withActiveColor(name: string, filter: InstanceFilter, resolver: Resolver): Resolver {
    if (filter.color !== 'active' || this.options.static?.[name]) return resolver;
    this.consul ??= new ConsulHttp(this.consulOptions);
    const backoff = { initialMs: this.watch.backoffInitialMs, maxMs: this.watch.backoffMaxMs };
    return new ActiveColorResolver(name, resolver, this.consul, { waitMs: this.watch.waitMs, backoff });
  }

  /** The built-in transport of that name, one per distinct `tls` options (shared by the services that agree). */
  private transport(choice: ResolvedServiceOptions['transport'], tls: ResolvedTlsOptions | undefined): Transport {
    if (typeof choice === 'object') return choice;
    const key = `${choice}${tlsOptionsKey(tls)}`;
    let transport = this.transports.get(key);
    if (!transport) {
      transport = choice === 'undici' ? new UndiciTransport({ tls }) : new GotTransport({ tls });
      this.transports.set(key, transport);
    }
    return transport;
  }

  private release(removed: Endpoint[]): void {
    for (const tracked of removed) {
      const url = tracked.instance.url;
      const stillUsed = [...this.states.values()].some((s) => s.pool.all().some((t) => t.instance.url === url));
      if (stillUsed) continue;
      for (const transport of this.transports.values()) transport.release?.(url);
    }
  }

  /** Every service with its instances, breaker states and counts (for status pages). */
  snapshot(): DiscoverySnapshot {
    return { services: [...this.states.values()].map((state) => state.snapshot()) };
  }

  /**
   * Closes the client. At once: new calls (and `service()`) reject with `ClientClosedError`, and calls waiting
   * (for the first list, for a slot at a concurrency limit, for a retry's backoff) reject with it. A call with
   * an attempt in flight may finish it within `gracePeriodMs` (its answer is its result; it sends nothing more:
   * a retry, requeue or hedge it would make rejects with `ClientClosedError`, the attempt's error as `cause`);
   * past that the attempt is aborted and the call rejects with `ClientClosedError`. None of this is counted or
   * logged against an instance. Then every watch stops, every breaker shuts down and sockets close: nothing
   * keeps the process alive afterwards. Idempotent: every call returns the first one's promise.
   *
   * @throws TypeError (a rejection) for an unknown option or a `gracePeriodMs` that is not a number >= 0.
   */
  close(options: CloseOptions = {}): Promise<void> {
    try {
      checkObject('options', options, CLOSE_KEYS);
      if (options.gracePeriodMs !== undefined) checkNumber('gracePeriodMs', options.gracePeriodMs, 0);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    this.closing ??= this.shutdown(options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS);
    return this.closing;
  }

  private async shutdown(gracePeriodMs: number): Promise<void> {
    await this.lifecycle.close(gracePeriodMs);
    for (const state of this.states.values()) state.close();
    for (const client of this.clients.values()) client.close();
    this.states.clear();
    this.clients.clear();
    this.consul?.close();
    await Promise.all([...this.transports.values()].map((t) => t.close()));
    this.transports.clear();
    for (const detach of this.detach) detach();
    this.events.removeAllListeners();
  }
}
