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

/**
 * The `http_response_status_code` label (OpenTelemetry's `http.response.status_code`, in Prometheus's spelling):
 * the status as a string for a status RFC 9110 can name (100-599), so the label's values stay bounded whatever an
 * instance answers; `''` (Prometheus: no label) when there was no answer, and `'_OTHER'` for anything else
 * (OpenTelemetry's value for an out-of-range status).
 */
function statusLabel(status: unknown): string {
  if (typeof status !== 'number') return '';
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : '_OTHER';
}

/** The registry's metric of that name (a second client on the same registry), else a new one registered in it. */
function getOrCreate<C extends { name: string }, T>(
  registry: PromClient.Registry,
  Metric: new (configuration: C & { registers: PromClient.Registry[] }) => T,
  configuration: C,
): T {
  return (registry.getSingleMetric(configuration.name) as T | undefined) ?? new Metric({ ...configuration, registers: [registry] });
}

/**
 * Registers the client's metrics in `registry` and feeds them from events: attempts by service, instance, outcome
 * (`success`: 1xx-3xx; `client_error`: a 4xx, the caller's error, which counts against no instance; `failure`: a
 * 5xx, a connection error, a stall rescue; `timeout`) and status code; latency by service and outcome; breaker state per instance (0 closed, 1 half-open, 2 open); resolved instances per
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
    help: 'Attempts by service, instance, outcome (success, client_error, failure, timeout) and HTTP status code (empty: no answer)',
    labelNames: ['service', 'instance', 'outcome', 'http_response_status_code'],
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
      // an answer: 1xx-3xx a success, 4xx the caller's error (it counts against no instance, but it is no success)
      const outcome = e.statusCode >= 400 ? 'client_error' : 'success';
      calls.inc({ service: e.service, instance: e.instance.id, outcome, http_response_status_code: statusLabel(e.statusCode) });
      latency.observe({ service: e.service, outcome }, e.durationMs / 1000);
    },
    callFailed: (e) => {
      const status = (e.error as { statusCode?: unknown }).statusCode;
      calls.inc({ service: e.service, instance: e.instance.id, outcome: 'failure', http_response_status_code: statusLabel(status) });
      latency.observe({ service: e.service, outcome: 'failure' }, e.durationMs / 1000);
    },
    callTimedOut: (e) => {
      calls.inc({ service: e.service, instance: e.instance.id, outcome: 'timeout', http_response_status_code: '' });
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
