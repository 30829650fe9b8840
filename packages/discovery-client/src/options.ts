import type { MetricsRegistry } from './metrics.js';
import type { BalancerName, BalancerStrategy } from './balancer/strategy.js';
import { BREAKER_PRESETS, type BreakerPresetName, type BreakerSettings } from './breaker/presets.js';
import type { ConsulOptions } from './consul/consul-options.js';
import type { Logger } from './logging/logger.js';
import type { Resolver, InstanceFilter } from './resolver/resolver.js';
import type { StaticInstance } from './resolver/static-resolver.js';
import type { HttpMethod, Transport } from './transport/transport.js';

/** Per-instance circuit breaker options. */
export interface BreakerOptions {
  /**
   * Named starting point; the fields below override it. `'datawire'`: 1 s timeout, opens on the first
   * failure, retests after 30 s (the 2016 market).
   * @default 'default'
   */
  preset?: BreakerPresetName;
  /**
   * Per-attempt timeout, ms (used when the service's `timeout` is not set).
   * @default 1000
   */
  timeout?: number;
  /**
   * How long an open breaker waits before letting one probe through, ms.
   * @default 30000
   */
  resetTimeout?: number;
  /**
   * Error percentage in the rolling window above which the breaker opens.
   * @default 50 (datawire: 0, i.e. any failure)
   */
  errorThresholdPercentage?: number;
  /**
   * Calls needed in the rolling window before the breaker may open; keeps one failure at low traffic from
   * opening it.
   * @default 5 (datawire: 0)
   */
  volumeThreshold?: number;
  /**
   * Rolling statistics window, ms.
   * @default 10000
   */
  rollingCountTimeout?: number;
  /**
   * Buckets in the rolling window.
   * @default 10
   */
  rollingCountBuckets?: number;
  /**
   * How long a breaker outlives its instance's absence from the passing list, ms (brief flaps keep state).
   * @default 60000
   */
  retainMs?: number;
}

/** Retry (failover) options. */
export interface RetryOptions {
  /**
   * Retries after the first attempt, each on another instance when there is one.
   * @default 2
   */
  limit?: number;
  /**
   * Methods that may be retried. Add `'POST'` to retry it (only if your POST is idempotent).
   * @default ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']
   */
  methods?: HttpMethod[];
  /**
   * First backoff delay before a retry, ms (exponential, with jitter).
   * @default 25
   */
  backoffInitialMs?: number;
  /**
   * Backoff ceiling, ms.
   * @default 1000
   */
  backoffMaxMs?: number;
  /**
   * Retry budget: retries may add at most `ratio` of the calls of the last 10 s, plus `minPerSecond` per
   * second, so an outage cannot multiply the load. `false` disables the budget.
   * @default { ratio: 0.2, minPerSecond: 10 }
   */
  budget?: { ratio?: number; minPerSecond?: number } | false;
}

/** Active probes that re-admit an ejected instance (Envoy's active health checking, while ejected only). */
export interface ProbeOptions {
  /**
   * Path of the `GET` sent to an ejected instance; any answer below 500 counts as alive (a 404 from an
   * instance without such a route still proves it answers).
   * @default '/health'
   */
  path?: string;
  /**
   * Delay before the first probe after an ejection, ms; it doubles after each failed probe.
   * @default 200
   */
  intervalMs?: number;
  /**
   * Longest delay between probes, ms: an instance that comes back is re-admitted within about this long.
   * @default 500
   */
  maxIntervalMs?: number;
  /**
   * Time a probe may take, ms (a paused instance answers a pending probe as soon as it resumes).
   * @default 1000
   */
  timeoutMs?: number;
}

/**
 * Outlier detection: ejects a misbehaving instance in milliseconds rather than after the breaker's
 * error-percentage window, rescues the calls stuck on a stalled one, and re-admits it by probing. An
 * ejection opens the instance's breaker (same `OPEN`/`CLOSE` lines and events, with a `reason`).
 * Rules and defaults follow Envoy's outlier detection and Finagle's failure accrual.
 */
export interface OutlierDetectionOptions {
  /**
   * Instance failures in a row (timeouts, connection errors, 5xx) that eject it; 0 turns the rule off
   * (Envoy's `consecutive_5xx`, Finagle's `FailureAccrualFactory`: both 5).
   * @default 5
   */
  consecutiveFailures?: number;
  /**
   * Failure percentage: an instance whose attempts failed at least `threshold` % of the time within one
   * `intervalMs` window, over at least `requestVolume` attempts, is ejected (Envoy's `failure_percentage`
   * rule, on a short window so that an instance failing half of its calls goes within a second). `false`
   * turns it off.
   * @default { threshold: 50, requestVolume: 10, intervalMs: 1000 }
   */
  failurePercentage?: { threshold?: number; requestVolume?: number; intervalMs?: number } | false;
  /**
   * Eject an instance at once when a connection to it is refused (nothing listens).
   * @default true
   */
  ejectOnRefused?: boolean;
  /**
   * Stall detection: an instance whose oldest outstanding attempt is older than
   * `max(floorMs, multiplier × median latency of the service's instances)` while another instance answered
   * a later attempt is ejected, and its in-flight attempts of safe methods (GET, HEAD, OPTIONS) with retries
   * left are re-sent elsewhere at once (a PUT or DELETE may still be running there: it waits for its answer
   * or its timeout, then is retried as usual).
   * `false` turns it off.
   * @default { floorMs: 50, multiplier: 5, checkIntervalMs: 10 }
   */
  stall?: { floorMs?: number; multiplier?: number; checkIntervalMs?: number } | false;
  /**
   * At most this share of the listed instances is ejected at once, rounded down (a lone instance is never
   * ejected by these rules; its breaker's own rule still applies). Envoy's `max_ejection_percent`.
   * @default 50
   */
  maxEjectionPercent?: number;
  /**
   * Shortest ejection, ms; multiplied by the number of ejections in a row (one is forgiven per 10 s in
   * rotation), capped at `maxEjectionTimeMs`. Envoy's `base_ejection_time`.
   * @default 1000
   */
  baseEjectionTimeMs?: number;
  /**
   * Longest ejection, ms. Envoy's `max_ejection_time`.
   * @default 30000
   */
  maxEjectionTimeMs?: number;
  /**
   * Probes that re-admit an ejected instance (any OPEN breaker, whatever opened it). `false`: the breaker's
   * `resetTimeout` and a user request as the half-open trial instead.
   * @default { path: '/health', intervalMs: 200, maxIntervalMs: 500, timeoutMs: 1000 }
   */
  probe?: ProbeOptions | false;
}

/** Options of `discovery.service(name, options)`. */
export interface ServiceOptions {
  /**
   * Per-attempt timeout, ms: the HTTP request is aborted when it fires.
   * @default the breaker's timeout (1000)
   */
  timeout?: number;
  /**
   * Overall deadline of a call, retries and backoff included, ms.
   * @default 10000
   */
  deadline?: number;
  /** Circuit breaker per instance. */
  breaker?: BreakerOptions;
  /**
   * Outlier detection and probes; `false` turns both off (the breaker alone decides, as in opossum).
   * @default on, with the defaults of {@link OutlierDetectionOptions}; off with `breaker.preset: 'datawire'`
   */
  outlierDetection?: OutlierDetectionOptions | false;
  /**
   * Retries on another instance for idempotent methods; `false` turns them off.
   * @default { limit: 2 }
   */
  retry?: RetryOptions | false;
  /**
   * HTTP transport: `'undici'` (a pool per instance) or `'got'` (keep-alive agent), or your own. undici
   * has the better tail under load in the fault benchmark (docs/benchmarks.md).
   * @default 'undici'
   */
  transport?: 'got' | 'undici' | Transport;
  /**
   * Called when a call fails for good (no instance, breakers open, retries exhausted, 5xx...; not for 4xx
   * answers). Its return value becomes the result: `.json()` resolves to it.
   * @default undefined (the error is thrown)
   */
  fallback?: (error: Error) => unknown;
  /**
   * Only instances carrying every one of these tags.
   * @default undefined (any)
   */
  tags?: string[];
  /**
   * Only instances whose meta has these exact values.
   * @default undefined (any)
   */
  meta?: Record<string, string>;
  /**
   * Only instances of this color (`color` meta or `color=<c>` tag); `'active'`: the color named by the Consul
   * KV key `discovery/<service>/active`, watched, so a blue/green cut-over is one KV write (no key: all). A
   * service in `static` never asks Consul: with `'active'` every listed instance serves.
   * @default undefined (any color)
   */
  color?: string;
  /**
   * Balancing strategy, or a factory of your own. `'least-loaded'`: power of two choices over outstanding
   * attempts, then latency (Finagle's and Linkerd's P2C).
   * @default 'round-robin'
   */
  balancer?: BalancerName | (() => BalancerStrategy);
  /**
   * Headers sent with every request of this service.
   * @default {}
   */
  headers?: Record<string, string>;
}

/** Options of the Consul watch. */
export interface WatchOptions {
  /**
   * Blocking-query wait, ms (`?wait=`).
   * @default 30000
   */
  waitMs?: number;
  /**
   * First delay after a Consul failure, ms (then exponential with jitter).
   * @default 200
   */
  backoffInitialMs?: number;
  /**
   * Longest delay between attempts while Consul fails, ms.
   * @default 10000
   */
  backoffMaxMs?: number;
  /**
   * How long the last good list keeps serving while Consul is unreachable, ms.
   * @default Infinity (forever; logged)
   */
  maxStalenessMs?: number;
}

/** Where the per-call `using instance` line goes: `'info'`, `'debug'`, or `false` (never). */
export type LogPicksLevel = 'info' | 'debug' | false;

export const DEFAULT_LOG_PICKS: LogPicksLevel = 'info';

/**
 * The effective `logPicks`: `DISCOVERY_LOG_PICKS` (`info`, `debug`, `off`) wins over the option, which wins
 * over {@link DEFAULT_LOG_PICKS}. Anything else is a clear error.
 */
export function resolveLogPicks(option: LogPicksLevel | undefined, env: string | undefined = process.env.DISCOVERY_LOG_PICKS): LogPicksLevel {
  if (env !== undefined && env !== '') {
    const value = env.trim().toLowerCase();
    if (value === 'info' || value === 'debug') return value;
    if (value === 'off' || value === 'false') return false;
    throw new TypeError(`Expected DISCOVERY_LOG_PICKS to be info, debug or off, got ${JSON.stringify(env)}`);
  }
  if (option === undefined) return DEFAULT_LOG_PICKS;
  if (option === 'info' || option === 'debug' || option === false) return option;
  throw new TypeError(`Expected \`logPicks\` to be 'info', 'debug' or false, got ${JSON.stringify(option)}`);
}

/** Options of `new DiscoveryClient(options)`. */
export interface DiscoveryClientOptions {
  /**
   * Consul agent.
   * @default from CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN, else 127.0.0.1:8500
   */
  consul?: ConsulOptions;
  /**
   * Human lines on stdout by default, pino JSON with `LOG_FORMAT=json`; `false` for silence.
   * @default human logger (or pino when LOG_FORMAT=json)
   */
  logger?: Logger | false;
  /**
   * Level of the per-call line `<service> using instance N: <url>` (one line per attempt). `'debug'` keeps
   * it out of the default output (the human logger prints debug lines only with `LOG_LEVEL=debug`, pino
   * follows its level); `false` never logs it. Resolve, breaker, registry and failure lines are not
   * affected. A busy gateway sets `'debug'`. Overridden by the `DISCOVERY_LOG_PICKS` environment variable
   * (`info`, `debug` or `off`) so operators can change it without a code change.
   * @default 'info' (the walkthrough prints every pick)
   */
  logPicks?: LogPicksLevel;
  /**
   * A prom-client Registry to register the client's metrics in. prom-client is an optional peer
   * dependency: without it installed, giving this option throws `MissingPeerDependencyError`.
   * @default undefined (no metrics)
   */
  metrics?: MetricsRegistry;
  /** Consul watch tuning. */
  watch?: WatchOptions;
  /**
   * Fixed instance lists by service name: these services never ask Consul.
   * @default {}
   */
  static?: Record<string, StaticInstance[]>;
  /**
   * Resolver factory for services not in `static` (replaces the Consul resolver).
   * @default a ConsulResolver
   */
  resolver?: (service: string, filter: InstanceFilter) => Resolver;
  /**
   * Defaults for every `service()` call (its own options win).
   * @default {}
   */
  defaults?: ServiceOptions;
}

export const DEFAULT_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_LIMIT = 2;
export const DEFAULT_RETRY_METHODS: readonly HttpMethod[] = Object.freeze(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
export const DEFAULT_RETRY_BACKOFF_INITIAL_MS = 25;
export const DEFAULT_RETRY_BACKOFF_MAX_MS = 1000;
export const DEFAULT_RETRY_BUDGET_RATIO = 0.2;
export const DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 10;
export const DEFAULT_BREAKER_RETAIN_MS = 60_000;
export const DEFAULT_WATCH_BACKOFF_INITIAL_MS = 200;
export const DEFAULT_WATCH_BACKOFF_MAX_MS = 10_000;
export const DEFAULT_CONSECUTIVE_FAILURES = 5;
export const DEFAULT_FAILURE_PERCENTAGE_THRESHOLD = 50;
export const DEFAULT_FAILURE_PERCENTAGE_REQUEST_VOLUME = 10;
export const DEFAULT_FAILURE_PERCENTAGE_INTERVAL_MS = 1000;
export const DEFAULT_STALL_FLOOR_MS = 50;
export const DEFAULT_STALL_MULTIPLIER = 5;
export const DEFAULT_STALL_CHECK_INTERVAL_MS = 10;
export const DEFAULT_MAX_EJECTION_PERCENT = 50;
export const DEFAULT_BASE_EJECTION_TIME_MS = 1000;
export const DEFAULT_MAX_EJECTION_TIME_MS = 30_000;
export const DEFAULT_PROBE_PATH = '/health';
export const DEFAULT_PROBE_INTERVAL_MS = 200;
export const DEFAULT_PROBE_MAX_INTERVAL_MS = 500;
export const DEFAULT_PROBE_TIMEOUT_MS = 1000;

/** Breaker settings plus how long to keep a breaker for an absent instance. */
export interface ResolvedBreakerOptions extends BreakerSettings {
  retainMs: number;
}

export interface ResolvedRetryOptions {
  limit: number;
  methods: ReadonlySet<string>;
  backoffInitialMs: number;
  backoffMaxMs: number;
  budget: { ratio: number; minPerSecond: number } | false;
}

export interface ResolvedProbeOptions {
  path: string;
  intervalMs: number;
  maxIntervalMs: number;
  timeoutMs: number;
}

export interface ResolvedOutlierDetection {
  consecutiveFailures: number;
  failurePercentage: { threshold: number; requestVolume: number; intervalMs: number } | false;
  ejectOnRefused: boolean;
  stall: { floorMs: number; multiplier: number; checkIntervalMs: number } | false;
  maxEjectionPercent: number;
  baseEjectionTimeMs: number;
  maxEjectionTimeMs: number;
  probe: ResolvedProbeOptions | false;
}

export interface ResolvedServiceOptions {
  timeout: number;
  deadline: number;
  breaker: ResolvedBreakerOptions;
  outlierDetection: ResolvedOutlierDetection | false;
  retry: ResolvedRetryOptions;
  transport: 'got' | 'undici' | Transport;
  fallback: ((error: Error) => unknown) | undefined;
  filter: InstanceFilter;
  balancer: BalancerName | (() => BalancerStrategy);
  headers: Readonly<Record<string, string>>;
}

export interface ResolvedWatchOptions {
  waitMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxStalenessMs: number;
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function bad(option: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${option}\` to be ${expected}, got ${show(value)}`);
}

function checkNumber(option: string, value: unknown, min: number, allowInfinity = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (!allowInfinity && !Number.isFinite(value))) {
    throw bad(option, `a ${allowInfinity ? '' : 'finite '}number >= ${min}`, value);
  }
  return value;
}

/** `value` is undefined or a plain object whose keys are all in `known` (a misspelt option is an error, not ignored). */
function checkObject(option: string, value: unknown, known?: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(option, 'an object', value);
  if (!known) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`Unknown option \`${option === 'options' ? key : `${option}.${key}`}\` (known: ${known.join(', ')})`);
    }
  }
}

const BREAKER_KEYS = ['preset', 'timeout', 'resetTimeout', 'errorThresholdPercentage', 'volumeThreshold', 'rollingCountTimeout', 'rollingCountBuckets', 'retainMs'] as const;
const RETRY_KEYS = ['limit', 'methods', 'backoffInitialMs', 'backoffMaxMs', 'budget'] as const;
const SERVICE_KEYS = ['timeout', 'deadline', 'breaker', 'outlierDetection', 'retry', 'transport', 'fallback', 'tags', 'meta', 'color', 'balancer', 'headers'] as const;
const OUTLIER_KEYS = ['consecutiveFailures', 'failurePercentage', 'ejectOnRefused', 'stall', 'maxEjectionPercent', 'baseEjectionTimeMs', 'maxEjectionTimeMs', 'probe'] as const;
const WATCH_KEYS = ['waitMs', 'backoffInitialMs', 'backoffMaxMs', 'maxStalenessMs'] as const;
export const CLIENT_KEYS = ['consul', 'logger', 'logPicks', 'metrics', 'watch', 'static', 'resolver', 'defaults'] as const;
const REQUEST_KEYS = ['method', 'path', 'searchParams', 'json', 'body', 'headers', 'throwHttpErrors', 'timeout', 'retryNonIdempotent'] as const;

/** Checks one call's options (the service client's hot path: a few comparisons when they are fine). */
export function checkRequestOptions(call: unknown): void {
  if (call === null || typeof call !== 'object') throw new TypeError(`Expected request options to be an object, got ${show(call)}`);
  const c = call as Record<string, unknown>;
  for (const key in c) {
    if (!(REQUEST_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(`Unknown request option \`${key}\` (known: ${REQUEST_KEYS.join(', ')})`);
    }
  }
  if (typeof c.path !== 'string' || !c.path.startsWith('/')) {
    throw new TypeError(`Expected \`path\` to be a string starting with "/", got ${show(c.path)}`);
  }
  if (c.method !== undefined && (typeof c.method !== 'string' || !METHODS.has(c.method.toUpperCase()))) throw bad('method', 'an HTTP method', c.method);
  if (c.timeout !== undefined) checkNumber('timeout', c.timeout, 1);
  if (c.throwHttpErrors !== undefined && typeof c.throwHttpErrors !== 'boolean') throw bad('throwHttpErrors', 'a boolean', c.throwHttpErrors);
  if (c.retryNonIdempotent !== undefined && typeof c.retryNonIdempotent !== 'boolean') throw bad('retryNonIdempotent', 'a boolean', c.retryNonIdempotent);
  if (c.headers !== undefined) checkStringRecord('headers', c.headers);
  if (c.body !== undefined && typeof c.body !== 'string' && !Buffer.isBuffer(c.body)) throw bad('body', 'a string or a Buffer', c.body);
  if (c.searchParams !== undefined) checkObject('searchParams', c.searchParams);
}

function checkStringRecord(option: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  checkObject(option, value);
  for (const [key, v] of Object.entries(value as object)) {
    if (typeof v !== 'string') throw bad(`${option}.${key}`, 'a string', v);
  }
  return { ...(value as Record<string, string>) };
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function resolveBreakerOptions(input: BreakerOptions | undefined): ResolvedBreakerOptions {
  checkObject('breaker', input, BREAKER_KEYS);
  const options = input ?? {};
  const presetName = options.preset ?? 'default';
  const preset = BREAKER_PRESETS[presetName];
  if (!preset || !Object.hasOwn(BREAKER_PRESETS, presetName)) {
    throw bad('breaker.preset', `one of ${Object.keys(BREAKER_PRESETS).map((k) => `'${k}'`).join(', ')}`, presetName);
  }
  return {
    timeout: checkNumber('breaker.timeout', options.timeout ?? preset.timeout, 1),
    resetTimeout: checkNumber('breaker.resetTimeout', options.resetTimeout ?? preset.resetTimeout, 1),
    errorThresholdPercentage: checkNumber(
      'breaker.errorThresholdPercentage',
      options.errorThresholdPercentage ?? preset.errorThresholdPercentage,
      0,
    ),
    volumeThreshold: checkNumber('breaker.volumeThreshold', options.volumeThreshold ?? preset.volumeThreshold, 0),
    rollingCountTimeout: checkNumber('breaker.rollingCountTimeout', options.rollingCountTimeout ?? preset.rollingCountTimeout, 1),
    rollingCountBuckets: checkNumber('breaker.rollingCountBuckets', options.rollingCountBuckets ?? preset.rollingCountBuckets, 1),
    retainMs: checkNumber('breaker.retainMs', options.retainMs ?? DEFAULT_BREAKER_RETAIN_MS, 0),
  };
}

export function resolveRetryOptions(input: RetryOptions | false | undefined): ResolvedRetryOptions {
  if (input === false) {
    return { limit: 0, methods: new Set(), backoffInitialMs: 0, backoffMaxMs: 0, budget: false };
  }
  checkObject('retry', input, RETRY_KEYS);
  const options = input ?? {};
  const limit = checkNumber('retry.limit', options.limit ?? DEFAULT_RETRY_LIMIT, 0);
  if (!Number.isInteger(limit)) throw bad('retry.limit', 'an integer >= 0', limit);
  const methods = options.methods ?? DEFAULT_RETRY_METHODS;
  if (!Array.isArray(methods)) throw bad('retry.methods', 'an array of HTTP methods', methods);
  for (const method of methods) {
    if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) throw bad('retry.methods[]', 'an HTTP method', method);
  }
  let budget: ResolvedRetryOptions['budget'];
  if (options.budget === false) {
    budget = false;
  } else {
    checkObject('retry.budget', options.budget, ['ratio', 'minPerSecond']);
    budget = {
      ratio: checkNumber('retry.budget.ratio', options.budget?.ratio ?? DEFAULT_RETRY_BUDGET_RATIO, 0),
      minPerSecond: checkNumber('retry.budget.minPerSecond', options.budget?.minPerSecond ?? DEFAULT_RETRY_BUDGET_MIN_PER_SECOND, 0),
    };
  }
  return {
    limit,
    methods: new Set(methods.map((m) => m.toUpperCase())),
    backoffInitialMs: checkNumber('retry.backoffInitialMs', options.backoffInitialMs ?? DEFAULT_RETRY_BACKOFF_INITIAL_MS, 0),
    backoffMaxMs: checkNumber('retry.backoffMaxMs', options.backoffMaxMs ?? DEFAULT_RETRY_BACKOFF_MAX_MS, 0),
    budget,
  };
}

/** Validates and fills in service options; `defaults` are the client-wide ones. Never mutates its inputs. */
export function resolveOutlierDetection(
  input: OutlierDetectionOptions | false | undefined,
  preset: BreakerPresetName,
): ResolvedOutlierDetection | false {
  if (input === false || (input === undefined && preset === 'datawire')) return false;
  checkObject('outlierDetection', input, OUTLIER_KEYS);
  const o = input ?? {};
  let stall: ResolvedOutlierDetection['stall'] = false;
  if (o.stall !== false) {
    checkObject('outlierDetection.stall', o.stall, ['floorMs', 'multiplier', 'checkIntervalMs']);
    stall = {
      floorMs: checkNumber('outlierDetection.stall.floorMs', o.stall?.floorMs ?? DEFAULT_STALL_FLOOR_MS, 1),
      multiplier: checkNumber('outlierDetection.stall.multiplier', o.stall?.multiplier ?? DEFAULT_STALL_MULTIPLIER, 1),
      checkIntervalMs: checkNumber('outlierDetection.stall.checkIntervalMs', o.stall?.checkIntervalMs ?? DEFAULT_STALL_CHECK_INTERVAL_MS, 1),
    };
  }
  let failurePercentage: ResolvedOutlierDetection['failurePercentage'] = false;
  if (o.failurePercentage !== false) {
    const f = o.failurePercentage;
    checkObject('outlierDetection.failurePercentage', f, ['threshold', 'requestVolume', 'intervalMs']);
    const threshold = checkNumber('outlierDetection.failurePercentage.threshold', f?.threshold ?? DEFAULT_FAILURE_PERCENTAGE_THRESHOLD, 1);
    if (threshold > 100) throw bad('outlierDetection.failurePercentage.threshold', 'a number from 1 to 100', threshold);
    failurePercentage = {
      threshold,
      requestVolume: checkNumber('outlierDetection.failurePercentage.requestVolume', f?.requestVolume ?? DEFAULT_FAILURE_PERCENTAGE_REQUEST_VOLUME, 1),
      intervalMs: checkNumber('outlierDetection.failurePercentage.intervalMs', f?.intervalMs ?? DEFAULT_FAILURE_PERCENTAGE_INTERVAL_MS, 1),
    };
  }
  let probe: ResolvedOutlierDetection['probe'] = false;
  if (o.probe !== false) {
    checkObject('outlierDetection.probe', o.probe, ['path', 'intervalMs', 'maxIntervalMs', 'timeoutMs']);
    const path = o.probe?.path ?? DEFAULT_PROBE_PATH;
    if (typeof path !== 'string' || !path.startsWith('/')) throw bad('outlierDetection.probe.path', 'a path starting with "/"', path);
    const intervalMs = checkNumber('outlierDetection.probe.intervalMs', o.probe?.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS, 1);
    probe = {
      path,
      intervalMs,
      maxIntervalMs: checkNumber('outlierDetection.probe.maxIntervalMs', o.probe?.maxIntervalMs ?? Math.max(intervalMs, DEFAULT_PROBE_MAX_INTERVAL_MS), intervalMs),
      timeoutMs: checkNumber('outlierDetection.probe.timeoutMs', o.probe?.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, 1),
    };
  }
  if (o.ejectOnRefused !== undefined && typeof o.ejectOnRefused !== 'boolean') throw bad('outlierDetection.ejectOnRefused', 'a boolean', o.ejectOnRefused);
  const consecutiveFailures = checkNumber('outlierDetection.consecutiveFailures', o.consecutiveFailures ?? DEFAULT_CONSECUTIVE_FAILURES, 0);
  if (!Number.isInteger(consecutiveFailures)) throw bad('outlierDetection.consecutiveFailures', 'an integer >= 0', consecutiveFailures);
  const maxEjectionPercent = checkNumber('outlierDetection.maxEjectionPercent', o.maxEjectionPercent ?? DEFAULT_MAX_EJECTION_PERCENT, 0);
  if (maxEjectionPercent > 100) throw bad('outlierDetection.maxEjectionPercent', 'a number from 0 to 100', maxEjectionPercent);
  const baseEjectionTimeMs = checkNumber('outlierDetection.baseEjectionTimeMs', o.baseEjectionTimeMs ?? DEFAULT_BASE_EJECTION_TIME_MS, 0);
  return {
    consecutiveFailures,
    failurePercentage,
    ejectOnRefused: o.ejectOnRefused ?? true,
    stall,
    maxEjectionPercent,
    baseEjectionTimeMs,
    maxEjectionTimeMs: checkNumber(
      'outlierDetection.maxEjectionTimeMs',
      o.maxEjectionTimeMs ?? Math.max(baseEjectionTimeMs, DEFAULT_MAX_EJECTION_TIME_MS),
      baseEjectionTimeMs,
    ),
    probe,
  };
}

export function resolveServiceOptions(input: ServiceOptions | undefined, defaults: ServiceOptions = {}): ResolvedServiceOptions {
  checkObject('options', input, SERVICE_KEYS);
  checkObject('options', defaults, SERVICE_KEYS);
  const options: ServiceOptions = { ...defaults, ...(input ?? {}) };
  const breaker = resolveBreakerOptions(
    defaults.breaker || input?.breaker ? { ...(defaults.breaker ?? {}), ...(input?.breaker ?? {}) } : undefined,
  );
  const timeout = checkNumber('timeout', options.timeout ?? breaker.timeout, 1);
  const deadline = checkNumber('deadline', options.deadline ?? DEFAULT_DEADLINE_MS, 1);
  const transport = options.transport ?? 'undici';
  if (transport !== 'got' && transport !== 'undici' && (typeof transport !== 'object' || typeof transport.request !== 'function')) {
    throw bad('transport', "'got', 'undici' or a Transport", transport);
  }
  if (options.fallback !== undefined && typeof options.fallback !== 'function') throw bad('fallback', 'a function', options.fallback);
  if (options.tags !== undefined && (!Array.isArray(options.tags) || options.tags.some((t) => typeof t !== 'string'))) {
    throw bad('tags', 'an array of strings', options.tags);
  }
  const balancer = options.balancer ?? 'round-robin';
  if (balancer !== 'round-robin' && balancer !== 'random' && balancer !== 'least-loaded' && typeof balancer !== 'function') {
    throw bad('balancer', "'round-robin', 'random', 'least-loaded' or a strategy factory", balancer);
  }
  const meta = checkStringRecord('meta', options.meta);
  return {
    timeout,
    deadline,
    breaker,
    outlierDetection: resolveOutlierDetection(options.outlierDetection, breakerPreset(defaults.breaker, input?.breaker)),
    retry: resolveRetryOptions(options.retry),
    transport,
    fallback: options.fallback,
    filter: {
      ...(options.tags ? { tags: [...options.tags] } : {}),
      ...(meta ? { meta } : {}),
      ...(options.color !== undefined ? { color: checkColor(options.color) } : {}),
    },
    balancer,
    headers: Object.freeze(checkStringRecord('headers', options.headers) ?? {}),
  };
}

function breakerPreset(...layers: Array<BreakerOptions | undefined>): BreakerPresetName {
  let preset: BreakerPresetName = 'default';
  for (const layer of layers) if (layer?.preset !== undefined) preset = layer.preset;
  return preset;
}

function checkColor(color: unknown): string {
  if (typeof color !== 'string' || color === '') throw bad('color', "a color name or 'active'", color);
  return color;
}

export function resolveWatchOptions(input: WatchOptions | undefined): ResolvedWatchOptions {
  checkObject('watch', input, WATCH_KEYS);
  const options = input ?? {};
  return {
    waitMs: checkNumber('watch.waitMs', options.waitMs ?? 30_000, 1000),
    backoffInitialMs: checkNumber('watch.backoffInitialMs', options.backoffInitialMs ?? DEFAULT_WATCH_BACKOFF_INITIAL_MS, 1),
    backoffMaxMs: checkNumber('watch.backoffMaxMs', options.backoffMaxMs ?? DEFAULT_WATCH_BACKOFF_MAX_MS, 1),
    maxStalenessMs: checkNumber('watch.maxStalenessMs', options.maxStalenessMs ?? Infinity, 0, true),
  };
}
