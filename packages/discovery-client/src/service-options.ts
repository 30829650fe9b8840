import type { BalancerName, BalancerStrategy } from './balancer/picker.js';
import { resolveBreakerOptions, type BreakerOptions, type BreakerPresetName, type ResolvedBreakerOptions } from './breaker/breaker-options.js';
import { bad, checkNumber, checkObject, checkStringRecord } from './options/checker.js';
import { resolveConcurrencyLimit, type ConcurrencyLimitOptions, type ResolvedConcurrencyLimit } from './overload/concurrency-limit-options.js';
import { resolveOutlierDetection, type OutlierDetectionOptions, type ResolvedOutlierDetection } from './outlier/outlier-options.js';
import type { InstanceFilter } from './resolver/resolver.js';
import { resolveHedging, type HedgingOptions, type ResolvedHedging } from './retry/hedging-options.js';
import { resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from './retry/retry-options.js';
import { resolveTlsOptions, type ResolvedTlsOptions, type TlsOptions } from './transport/tls-options.js';
import type { Transport } from './transport/transport.js';

/** Options of `discovery.service(name, options)`: the call's own, and each layer's under its name. */
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
  /** Circuit breaker per instance (`breaker/breaker-options.ts`). */
  breaker?: BreakerOptions;
  /**
   * Outlier detection and probes; `false` turns both off (the breaker alone decides, as in opossum).
   * @default on, with the defaults of {@link OutlierDetectionOptions}; off with `breaker.preset: 'datawire'`
   */
  outlierDetection?: OutlierDetectionOptions | false;
  /**
   * Adaptive concurrency: a limit of attempts in flight per instance that follows its latency, a bounded
   * queue when every instance is at its limit, and `OverloadedError` beyond it; `false` turns it off.
   * @default on, with the defaults of {@link ConcurrencyLimitOptions}; off with `breaker.preset: 'datawire'`
   */
  concurrencyLimit?: ConcurrencyLimitOptions | false;
  /**
   * Retries on another instance for idempotent methods; `false` turns them off.
   * @default { limit: 2 }
   */
  retry?: RetryOptions | false;
  /**
   * Hedging of GET, HEAD and OPTIONS (`retry/hedging-options.ts`): an attempt that has not answered within the
   * hedge delay (the 95th percentile of recent answers, The Tail at Scale) gets a second one on another instance,
   * drawn from the retry budget; the first answer wins. `{}` turns it on with its defaults; a call's
   * `hedging: false` opts out.
   * @default false
   */
  hedging?: HedgingOptions | false;
  /**
   * HTTP transport: `'undici'` (a pool per instance) or `'got'` (keep-alive agent), or your own. undici
   * has the better tail under load in the fault benchmark (docs/benchmarks.md).
   * @default 'undici'
   */
  transport?: 'got' | 'undici' | Transport;
  /**
   * TLS to the instances whose scheme is `https` (static `https://` URLs; in Consul, meta `scheme: https` or
   * tag `scheme=https`): `ca`, `cert` + `key` (mutual TLS), `servername`, `rejectUnauthorized` (default
   * `true`), Node's `tls.connect()` options, given to the `'undici'` or `'got'` transport (not to your own).
   * @default undefined (Node's bundled CAs, no client certificate)
   */
  tls?: TlsOptions;
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

export interface ResolvedServiceOptions {
  timeout: number;
  deadline: number;
  breaker: ResolvedBreakerOptions;
  outlierDetection: ResolvedOutlierDetection | false;
  concurrencyLimit: ResolvedConcurrencyLimit | false;
  retry: ResolvedRetryOptions;
  hedging: ResolvedHedging | false;
  transport: 'got' | 'undici' | Transport;
  tls: ResolvedTlsOptions | undefined;
  fallback: ((error: Error) => unknown) | undefined;
  filter: InstanceFilter;
  balancer: BalancerName | (() => BalancerStrategy);
  headers: Readonly<Record<string, string>>;
}

export const DEFAULT_DEADLINE_MS = 10_000;

const SERVICE_KEYS = ['timeout', 'deadline', 'breaker', 'outlierDetection', 'concurrencyLimit', 'retry', 'hedging', 'transport', 'tls', 'fallback', 'tags', 'meta', 'color', 'balancer', 'headers'] as const;

/**
 * Validates and fills in service options; `defaults` are the client-wide ones (the service's own win; the
 * `breaker` objects merge). Never mutates its inputs. @throws TypeError naming the option.
 */
export function resolveServiceOptions(input: ServiceOptions | undefined, defaults: ServiceOptions = {}): ResolvedServiceOptions {
  checkObject('options', input, SERVICE_KEYS);
  checkObject('options', defaults, SERVICE_KEYS);
  const options: ServiceOptions = { ...defaults, ...(input ?? {}) };
  const breaker = resolveBreakerOptions(defaults.breaker || input?.breaker ? { ...(defaults.breaker ?? {}), ...(input?.breaker ?? {}) } : undefined);
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
    timeout: checkNumber('timeout', options.timeout ?? breaker.timeout, 1),
    deadline: checkNumber('deadline', options.deadline ?? DEFAULT_DEADLINE_MS, 1),
    breaker,
    outlierDetection: resolveOutlierDetection(options.outlierDetection, breakerPreset(defaults.breaker, input?.breaker)),
    concurrencyLimit: resolveConcurrencyLimit(options.concurrencyLimit, breakerPreset(defaults.breaker, input?.breaker)),
    retry: resolveRetryOptions(options.retry),
    hedging: resolveHedging(options.hedging),
    transport,
    tls: resolveTlsOptions(options.tls),
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
