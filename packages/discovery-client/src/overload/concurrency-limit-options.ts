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
   * Limit per instance before its first measurements, attempts in flight; also the floor a limit falls back to
   * while the caller needs less than half of it (the headroom a surge meets before the limit has seen its queue).
   * @default 10 (concurrency-limits starts at 20; at 20 the fault benchmark's `surge` met instances of 10 at a
   * time with twice their concurrency in flight, 50 ms of queueing at each before the limit could react)
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
   * Longest wait once the queue has not been empty for `queueIntervalMs` (a standing queue) while the instances
   * keep up with it, ms; never less than the instances' no-load latency. A closed loop of more callers than the
   * limits (a gateway's users, a load client's workers) keeps such a queue standing with no overload at all.
   * @default 50 (Facebook's "Fail at Scale" uses 5 ms at its latencies, where it would shed such a closed loop)
   */
  queueTargetMs?: number;
  /**
   * Longest wait once a standing queue holds more calls than the instances serve in `queueTargetMs` (arrivals
   * outpace the fleet: overload), ms; never less than a quarter of the instances' no-load latency. Every call
   * admitted from an overflowing queue has waited about this long, and waiting longer serves no more calls.
   * @default 10 (twice "Fail at Scale"'s 5 ms; at 1.5 × the fleet's capacity a 50 ms wait more than doubled the
   * latency of the calls it served)
   */
  overflowTargetMs?: number;
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
  readonly overflowTargetMs: number;
  readonly maxQueued: number;
  readonly slowStartWindowMs: number;
}

export const DEFAULT_INITIAL_LIMIT = 10;
export const DEFAULT_MIN_LIMIT = 2;
export const DEFAULT_MAX_LIMIT = 1000;
export const DEFAULT_MIN_RTT_WINDOW_MS = 60_000;
export const DEFAULT_QUEUE_INTERVAL_MS = 100;
export const DEFAULT_QUEUE_TARGET_MS = 50;
export const DEFAULT_OVERFLOW_TARGET_MS = 10;
export const DEFAULT_MAX_QUEUED = 1000;
export const DEFAULT_SLOW_START_WINDOW_MS = 1000;

const KEYS = ['initialLimit', 'minLimit', 'maxLimit', 'minRttWindowMs', 'queueIntervalMs', 'queueTargetMs', 'overflowTargetMs', 'maxQueued', 'slowStartWindowMs'] as const;

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
    overflowTargetMs: checkNumber('concurrencyLimit.overflowTargetMs', o.overflowTargetMs ?? DEFAULT_OVERFLOW_TARGET_MS, 0),
    maxQueued: checkInteger('concurrencyLimit.maxQueued', o.maxQueued ?? DEFAULT_MAX_QUEUED, 0),
    slowStartWindowMs: checkNumber('concurrencyLimit.slowStartWindowMs', o.slowStartWindowMs ?? DEFAULT_SLOW_START_WINDOW_MS, 0),
  };
}
