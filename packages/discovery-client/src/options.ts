import type { Registry } from 'prom-client';
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
   * Retries on another instance for idempotent methods; `false` turns them off.
   * @default { limit: 2 }
   */
  retry?: RetryOptions | false;
  /**
   * HTTP transport: `'got'` (keep-alive agent) or `'undici'` (a pool per instance), or your own.
   * @default 'got'
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
   * Balancing strategy, or a factory of your own.
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
   * A prom-client Registry to register the client's metrics in.
   * @default undefined (no metrics)
   */
  metrics?: Registry;
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

export interface ResolvedServiceOptions {
  timeout: number;
  deadline: number;
  breaker: ResolvedBreakerOptions;
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

function checkObject(option: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw bad(option, 'an object', value);
  }
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
  checkObject('breaker', input);
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
  checkObject('retry', input);
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
    checkObject('retry.budget', options.budget);
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
export function resolveServiceOptions(input: ServiceOptions | undefined, defaults: ServiceOptions = {}): ResolvedServiceOptions {
  checkObject('options', input);
  const options: ServiceOptions = { ...defaults, ...(input ?? {}) };
  const breaker = resolveBreakerOptions(
    defaults.breaker || input?.breaker ? { ...(defaults.breaker ?? {}), ...(input?.breaker ?? {}) } : undefined,
  );
  const timeout = checkNumber('timeout', options.timeout ?? breaker.timeout, 1);
  const deadline = checkNumber('deadline', options.deadline ?? DEFAULT_DEADLINE_MS, 1);
  const transport = options.transport ?? 'got';
  if (transport !== 'got' && transport !== 'undici' && (typeof transport !== 'object' || typeof transport.request !== 'function')) {
    throw bad('transport', "'got', 'undici' or a Transport", transport);
  }
  if (options.fallback !== undefined && typeof options.fallback !== 'function') throw bad('fallback', 'a function', options.fallback);
  if (options.tags !== undefined && (!Array.isArray(options.tags) || options.tags.some((t) => typeof t !== 'string'))) {
    throw bad('tags', 'an array of strings', options.tags);
  }
  const balancer = options.balancer ?? 'round-robin';
  if (balancer !== 'round-robin' && balancer !== 'random' && typeof balancer !== 'function') {
    throw bad('balancer', "'round-robin', 'random' or a strategy factory", balancer);
  }
  const meta = checkStringRecord('meta', options.meta);
  return {
    timeout,
    deadline,
    breaker,
    retry: resolveRetryOptions(options.retry),
    transport,
    fallback: options.fallback,
    filter: {
      ...(options.tags ? { tags: [...options.tags] } : {}),
      ...(meta ? { meta } : {}),
    },
    balancer,
    headers: Object.freeze(checkStringRecord('headers', options.headers) ?? {}),
  };
}

export function resolveWatchOptions(input: WatchOptions | undefined): ResolvedWatchOptions {
  checkObject('watch', input);
  const options = input ?? {};
  return {
    waitMs: checkNumber('watch.waitMs', options.waitMs ?? 30_000, 1000),
    backoffInitialMs: checkNumber('watch.backoffInitialMs', options.backoffInitialMs ?? DEFAULT_WATCH_BACKOFF_INITIAL_MS, 1),
    backoffMaxMs: checkNumber('watch.backoffMaxMs', options.backoffMaxMs ?? DEFAULT_WATCH_BACKOFF_MAX_MS, 1),
    maxStalenessMs: checkNumber('watch.maxStalenessMs', options.maxStalenessMs ?? Infinity, 0, true),
  };
}
