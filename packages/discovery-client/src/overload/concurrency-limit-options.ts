import { checkInteger, checkNumber, checkObject, checkRange } from '../options/checker.js';
import type { VegasLimitSettings } from './vegas-limit.js';

/**
 * Adaptive concurrency: a limit of attempts in flight per instance that follows the instance's measured
 * latency (`vegas-limit.ts`: TCP Vegas as Netflix's `concurrency-limits` applies it to requests). When every
 * usable instance is at its limit a call waits in a bounded queue for a free slot (the `queue*` options);
 * past that it fails with an `OverloadedError` (`retryable: false`): the client sheds rather than queueing at instances that are already late.
 */
export interface ConcurrencyLimitOptions {
  /**
   * Limit per instance before its first measurements, attempts in flight.
   * @default 20 (concurrency-limits' `initialLimit`)
   */
  initialLimit?: number;
  /** @default 2 */
  minLimit?: number;
  /** @default 1000 (concurrency-limits' `maxConcurrency`) */
  maxLimit?: number;
  /**
   * How long an instance's no-load latency is remembered, ms.
   * @default 60000 (Envoy's `min_rtt_calc_params.interval`)
   */
  minRttWindowMs?: number;
  /**
   * Longest wait for a free slot while the queue empties now and then (a burst), ms.
   * @default 100 (Facebook's "Fail at Scale": controlled delay's interval)
   */
  queueIntervalMs?: number;
  /**
   * Longest wait once the queue has not been empty for `queueIntervalMs` (overload, not a burst), ms; never less
   * than the instances' no-load latency.
   * @default 50 (Facebook's "Fail at Scale" uses 5 ms at its latencies; a closed loop of callers, such as a
   * gateway's users, keeps a short queue standing with no overload at all, and 5 ms shed it)
   */
  queueTargetMs?: number;
  /**
   * Slow start: an instance that comes into rotation (new, or re-admitted after an ejection) while others serve
   * ramps from a tenth of its limit to all of it over this long, ms; 0 turns it off.
   * @default 1000 (Envoy's `slow_start_window`; Envoy has no default, 1 s keeps a dip's recovery within 1 s)
   */
  slowStartWindowMs?: number;
  /**
   * Calls that may wait for a free slot at once; one more is shed at once.
   * @default 1000
   */
  maxQueued?: number;
}

export interface ResolvedConcurrencyLimit extends VegasLimitSettings {
  readonly queueIntervalMs: number;
  readonly queueTargetMs: number;
  readonly maxQueued: number;
  readonly slowStartWindowMs: number;
}

export const DEFAULT_INITIAL_LIMIT = 20;
export const DEFAULT_MIN_LIMIT = 2;
export const DEFAULT_MAX_LIMIT = 1000;
export const DEFAULT_MIN_RTT_WINDOW_MS = 60_000;
export const DEFAULT_QUEUE_INTERVAL_MS = 100;
export const DEFAULT_QUEUE_TARGET_MS = 50;
export const DEFAULT_MAX_QUEUED = 1000;
export const DEFAULT_SLOW_START_WINDOW_MS = 1000;

const KEYS = ['initialLimit', 'minLimit', 'maxLimit', 'minRttWindowMs', 'queueIntervalMs', 'queueTargetMs', 'maxQueued', 'slowStartWindowMs'] as const;

/**
 * Validates `concurrencyLimit` and fills in its defaults; `false` (or the `datawire` breaker preset without the
 * option: the walkthrough as it was) turns it off. @throws TypeError naming the option.
 */
export function resolveConcurrencyLimit(input: ConcurrencyLimitOptions | false | undefined, preset: string): ResolvedConcurrencyLimit | false {
  if (input === false || (input === undefined && preset === 'datawire')) return false;
  checkObject('concurrencyLimit', input, KEYS);
  const o = input ?? {};
  const minLimit = checkInteger('concurrencyLimit.minLimit', o.minLimit ?? DEFAULT_MIN_LIMIT, 1);
  const maxLimit = checkInteger('concurrencyLimit.maxLimit', o.maxLimit ?? Math.max(minLimit, DEFAULT_MAX_LIMIT), minLimit);
  return {
    minLimit,
    maxLimit,
    initialLimit: checkRange('concurrencyLimit.initialLimit', o.initialLimit ?? Math.min(maxLimit, Math.max(minLimit, DEFAULT_INITIAL_LIMIT)), minLimit, maxLimit),
    minRttWindowMs: checkNumber('concurrencyLimit.minRttWindowMs', o.minRttWindowMs ?? DEFAULT_MIN_RTT_WINDOW_MS, 1),
    queueIntervalMs: checkNumber('concurrencyLimit.queueIntervalMs', o.queueIntervalMs ?? DEFAULT_QUEUE_INTERVAL_MS, 0),
    queueTargetMs: checkNumber('concurrencyLimit.queueTargetMs', o.queueTargetMs ?? DEFAULT_QUEUE_TARGET_MS, 0),
    maxQueued: checkInteger('concurrencyLimit.maxQueued', o.maxQueued ?? DEFAULT_MAX_QUEUED, 0),
    slowStartWindowMs: checkNumber('concurrencyLimit.slowStartWindowMs', o.slowStartWindowMs ?? DEFAULT_SLOW_START_WINDOW_MS, 0),
  };
}
