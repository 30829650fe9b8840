import { checkInteger, checkNumber, checkObject, checkRange } from '../options/checker.js';

/**
 * Hedging of safe methods (GET, HEAD, OPTIONS; RFC 9110 §9.2.1): when an attempt has not answered within the
 * hedge delay, a second one goes to another instance; the first answer wins and the other is aborted. The rule
 * is Google's "The Tail at Scale" (Dean and Barroso, 2013: "defer sending a secondary request until the first
 * request has been outstanding for more than the 95th-percentile expected latency"), with gRPC's hedging
 * policy (`maxAttempts`, `hedgingDelay`) and Finagle's `BackupRequestFilter` (the delay is a percentile of
 * recent latency, the backups drawn from the retry budget) for the details.
 */
export interface HedgingOptions {
  /**
   * The hedge delay is this percentile of the service's recent answered latencies (the last
   * 256 answers, `HEDGE_DELAY_WINDOW` in `hedge-delay.ts`; nothing is hedged before 20, `HEDGE_DELAY_MIN_SAMPLES`),
   * from 1 to 99.9.
   * @default 97 (The Tail at Scale defers the hedge to the 95th percentile, about 5 % more requests; on a
   *   tight latency distribution the jitter of a busy host sends more than that, so 97, with `maxExtraLoad` as
   *   the hard cap; measured in the fault benchmark's `tail` scenario: 4 % extra attempts)
   */
  delayPercentile?: number;
  /**
   * The hedge delay is never shorter than this, ms (a floor for very fast services, where a hedge would only
   * double the load for a gain of less than a millisecond).
   * @default 1
   */
  minDelayMs?: number;
  /**
   * Hedges at most per call, each after another hedge delay and on another instance (gRPC's `maxAttempts`
   * less the first, which gRPC caps at 5 attempts in all), from 1 to 4.
   * @default 1
   */
  maxHedges?: number;
  /**
   * Hedges sent are at most this fraction of the hedgeable calls made over the last 10 s, from 0.001 to 1
   * (Finagle's `maxExtraLoad`: a budget of its own, beside the retry budget every hedge also draws from).
   * @default 0.05 (The Tail at Scale's "approximately 5 %" extra load)
   */
  maxExtraLoad?: number;
}

export interface ResolvedHedging {
  delayPercentile: number;
  minDelayMs: number;
  maxHedges: number;
  maxExtraLoad: number;
}

export const DEFAULT_HEDGE_DELAY_PERCENTILE = 97;
export const DEFAULT_HEDGE_MIN_DELAY_MS = 1;
export const DEFAULT_MAX_HEDGES = 1;
export const DEFAULT_HEDGE_MAX_EXTRA_LOAD = 0.05;
/** gRPC's cap: 5 attempts in all. */
export const MAX_HEDGES = 4;

const HEDGING_KEYS = ['delayPercentile', 'minDelayMs', 'maxHedges', 'maxExtraLoad'] as const;

/** Validates `hedging` and fills in its defaults; `false` or undefined: no hedging. @throws TypeError naming the option. */
export function resolveHedging(input: HedgingOptions | false | undefined): ResolvedHedging | false {
  if (input === false || input === undefined) return false;
  checkObject('hedging', input, HEDGING_KEYS);
  return {
    delayPercentile: checkRange('hedging.delayPercentile', input.delayPercentile ?? DEFAULT_HEDGE_DELAY_PERCENTILE, 1, 99.9),
    minDelayMs: checkNumber('hedging.minDelayMs', input.minDelayMs ?? DEFAULT_HEDGE_MIN_DELAY_MS, 0),
    maxHedges: checkInteger('hedging.maxHedges', checkRange('hedging.maxHedges', input.maxHedges ?? DEFAULT_MAX_HEDGES, 1, MAX_HEDGES), 1),
    maxExtraLoad: checkRange('hedging.maxExtraLoad', input.maxExtraLoad ?? DEFAULT_HEDGE_MAX_EXTRA_LOAD, 0.001, 1),
  };
}
