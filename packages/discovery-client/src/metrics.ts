import type * as PromClient from 'prom-client';
import type { DiscoveryEvents, TypedEmitter } from './events.js';
import { loadPeerDependency } from './peer-dependency.js';

/**
 * A prom-client (15) `Registry`, the value of the `metrics` option. Typed by the two methods the library
 * uses so that its declarations do not need prom-client installed; prom-client itself is an optional peer
 * dependency, loaded only when this option is given.
 */
export interface MetricsRegistry {
  getSingleMetric(name: string): unknown;
  registerMetric(metric: never): void;
}

/** Metric names, stable. */
export const METRIC_NAMES = Object.freeze({
  calls: 'discovery_client_calls_total',
  latency: 'discovery_client_call_duration_seconds',
  breakerState: 'discovery_client_breaker_state',
  instances: 'discovery_client_resolved_instances',
  retries: 'discovery_client_retries_total',
  callsShed: 'discovery_client_calls_shed_total',
});

/** Breaker state as a gauge value. */
export const BREAKER_STATE_VALUE = Object.freeze({ CLOSED: 0, HALF_OPEN: 1, OPEN: 2 });

/** The registry's metric of that name (a second client on the same registry), else a new one registered in it. */
function getOrCreate<C extends { name: string }, T>(
  registry: PromClient.Registry,
  Metric: new (configuration: C & { registers: PromClient.Registry[] }) => T,
  configuration: C,
): T {
  return (registry.getSingleMetric(configuration.name) as T | undefined) ?? new Metric({ ...configuration, registers: [registry] });
}

/**
 * Registers the client's metrics in `registry` and feeds them from events: calls by service, instance and
 * outcome; latency; breaker state per instance (0 closed, 1 half-open, 2 open); resolved instances per
 * service; retries; calls shed by the concurrency limit, by service and reason (`queue-full`, `queue-timeout`).
 * Returns a function that detaches the listeners.
 * @throws MissingPeerDependencyError when prom-client is not installed.
 * @throws TypeError when `metricsRegistry` is not a prom-client Registry.
 */
export function attachMetrics(events: TypedEmitter<DiscoveryEvents>, metricsRegistry: MetricsRegistry): () => void {
  if (typeof metricsRegistry !== 'object' || metricsRegistry === null || typeof metricsRegistry.getSingleMetric !== 'function') {
    throw new TypeError(`Expected \`metrics\` to be a prom-client Registry, got ${String(metricsRegistry)}`);
  }
  const { Counter, Gauge, Histogram } = loadPeerDependency<typeof PromClient>('prom-client', 'metrics');
  const registry = metricsRegistry as unknown as PromClient.Registry;
  const calls = getOrCreate(registry, Counter<string>, {
    name: METRIC_NAMES.calls,
    help: 'Attempts by service, instance and outcome (success, failure, timeout)',
    labelNames: ['service', 'instance', 'outcome'],
  });
  const latency = getOrCreate(registry, Histogram<string>, {
    name: METRIC_NAMES.latency,
    help: 'Attempt latency in seconds by service and outcome',
    labelNames: ['service', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const breakerState = getOrCreate(registry, Gauge<string>, {
    name: METRIC_NAMES.breakerState,
    help: 'Breaker state per instance: 0 closed, 1 half-open, 2 open',
    labelNames: ['service', 'instance', 'url'],
  });
  const instances = getOrCreate(registry, Gauge<string>, {
    name: METRIC_NAMES.instances,
    help: 'Passing instances in the last resolved list',
    labelNames: ['service'],
  });
  const retries = getOrCreate(registry, Counter<string>, { name: METRIC_NAMES.retries, help: 'Retries by service', labelNames: ['service'] });
  const callsShed = getOrCreate(registry, Counter<string>, {
    name: METRIC_NAMES.callsShed,
    help: 'Calls shed unsent (OverloadedError) because every instance was at its concurrency limit, by service and reason',
    labelNames: ['service', 'reason'],
  });

  const seen = new Set<string>();
  const handlers: { [K in keyof DiscoveryEvents]?: (event: DiscoveryEvents[K]) => void } = {
    callSucceeded: (e) => {
      calls.inc({ service: e.service, instance: e.instance.id, outcome: 'success' });
      latency.observe({ service: e.service, outcome: 'success' }, e.durationMs / 1000);
    },
    callFailed: (e) => {
      calls.inc({ service: e.service, instance: e.instance.id, outcome: 'failure' });
      latency.observe({ service: e.service, outcome: 'failure' }, e.durationMs / 1000);
    },
    callTimedOut: (e) => {
      calls.inc({ service: e.service, instance: e.instance.id, outcome: 'timeout' });
      latency.observe({ service: e.service, outcome: 'timeout' }, e.durationMs / 1000);
    },
    callRetried: (e) => retries.inc({ service: e.service }),
    callShed: (e) => callsShed.inc({ service: e.service, reason: e.reason }),
    resolved: (e) => {
      instances.set({ service: e.service }, e.instances.length);
      for (const i of e.instances) {
        const key = `${e.service}\u0000${i.id}\u0000${i.url}`;
        if (seen.has(key)) continue;
        seen.add(key);
        breakerState.set({ service: e.service, instance: i.id, url: i.url }, BREAKER_STATE_VALUE.CLOSED);
      }
    },
    breakerOpen: (e) => breakerState.set({ service: e.service, instance: e.instance.id, url: e.instance.url }, BREAKER_STATE_VALUE.OPEN),
    breakerHalfOpen: (e) =>
      breakerState.set({ service: e.service, instance: e.instance.id, url: e.instance.url }, BREAKER_STATE_VALUE.HALF_OPEN),
    breakerClose: (e) =>
      breakerState.set({ service: e.service, instance: e.instance.id, url: e.instance.url }, BREAKER_STATE_VALUE.CLOSED),
  };
  const entries = Object.entries(handlers) as Array<[keyof DiscoveryEvents, (event: never) => void]>;
  for (const [name, handler] of entries) events.on(name, handler as never);
  return () => {
    for (const [name, handler] of entries) events.off(name, handler as never);
  };
}
