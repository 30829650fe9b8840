import { bad, checkInteger, checkNumber, checkObject, HTTP_METHODS } from '../options/checker.js';
import type { HttpMethod } from '../transport/transport.js';

/** Retry (failover) options. */
export interface RetryOptions {
  /**
   * Retries after the first attempt, each on another instance when there is one (Envoy's `num_retries`
   * is 1, Linkerd and Finagle retry within a budget; 2 lets a call survive two sick instances of three).
   * @default 2
   */
  limit?: number;
  /**
   * Methods that may be retried. Add `'POST'` to retry it (only if your POST is idempotent).
   * @default ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'] (RFC 9110 idempotent methods)
   */
  methods?: HttpMethod[];
  /**
   * First backoff delay before a retry that goes back to an instance that already failed the call, ms
   * (exponential, with jitter; Envoy's `base_interval` is 25 ms).
   * @default 25
   */
  backoffInitialMs?: number;
  /**
   * Backoff ceiling, ms.
   * @default 1000
   */
  backoffMaxMs?: number;
  /**
   * Retry budget (Finagle's `RetryBudget`): retries may add at most `ratio` of the calls of the last 10 s,
   * plus `minPerSecond` per second, so an outage cannot multiply the load. `false` disables the budget.
   * @default { ratio: 0.2, minPerSecond: 10 } (Finagle's defaults)
   */
  budget?: { ratio?: number; minPerSecond?: number } | false;
}

export interface ResolvedRetryOptions {
  limit: number;
  methods: ReadonlySet<string>;
  backoffInitialMs: number;
  backoffMaxMs: number;
  budget: { ratio: number; minPerSecond: number } | false;
}

export const DEFAULT_RETRY_LIMIT = 2;
export const DEFAULT_RETRY_METHODS: readonly HttpMethod[] = Object.freeze(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
export const DEFAULT_RETRY_BACKOFF_INITIAL_MS = 25;
export const DEFAULT_RETRY_BACKOFF_MAX_MS = 1000;
export const DEFAULT_RETRY_BUDGET_RATIO = 0.2;
export const DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 10;

const RETRY_KEYS = ['limit', 'methods', 'backoffInitialMs', 'backoffMaxMs', 'budget'] as const;

/** Validates `retry` and fills in its defaults; `false`: no retries. @throws TypeError naming the option. */
export function resolveRetryOptions(input: RetryOptions | false | undefined): ResolvedRetryOptions {
  if (input === false) {
    return { limit: 0, methods: new Set(), backoffInitialMs: 0, backoffMaxMs: 0, budget: false };
  }
  checkObject('retry', input, RETRY_KEYS);
  const options = input ?? {};
  const limit = checkInteger('retry.limit', options.limit ?? DEFAULT_RETRY_LIMIT, 0);
  const methods = options.methods ?? DEFAULT_RETRY_METHODS;
  if (!Array.isArray(methods)) throw bad('retry.methods', 'an array of HTTP methods', methods);
  for (const method of methods) {
    if (typeof method !== 'string' || !HTTP_METHODS.has(method.toUpperCase())) throw bad('retry.methods[]', 'an HTTP method', method);
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
