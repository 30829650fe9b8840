import { checkNumber, checkObject } from '../options/checker.js';

/** Options of the Consul watch (blocking queries on `/v1/health/service/:name`). */
export interface WatchOptions {
  /**
   * Blocking-query wait, ms (`?wait=`; Consul's own default is 5 min, its maximum 10 min).
   * @default 30000
   */
  waitMs?: number;
  /**
   * First delay after a Consul failure, ms (then exponential with jitter, as Consul's blocking-query docs ask).
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

export interface ResolvedWatchOptions {
  waitMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxStalenessMs: number;
}

export const DEFAULT_WATCH_WAIT_MS = 30_000;
export const DEFAULT_WATCH_BACKOFF_INITIAL_MS = 200;
export const DEFAULT_WATCH_BACKOFF_MAX_MS = 10_000;
/** Minimum spacing between queries beyond a burst of two, ms (the "rate limit" duty of Consul's blocking-query docs). */
export const DEFAULT_MIN_QUERY_INTERVAL_MS = 100;

const WATCH_KEYS = ['waitMs', 'backoffInitialMs', 'backoffMaxMs', 'maxStalenessMs'] as const;

/** Validates `watch` and fills in its defaults. @throws TypeError naming the option. */
export function resolveWatchOptions(input: WatchOptions | undefined): ResolvedWatchOptions {
  checkObject('watch', input, WATCH_KEYS);
  const options = input ?? {};
  return {
    waitMs: checkNumber('watch.waitMs', options.waitMs ?? DEFAULT_WATCH_WAIT_MS, 1000),
    backoffInitialMs: checkNumber('watch.backoffInitialMs', options.backoffInitialMs ?? DEFAULT_WATCH_BACKOFF_INITIAL_MS, 1),
    backoffMaxMs: checkNumber('watch.backoffMaxMs', options.backoffMaxMs ?? DEFAULT_WATCH_BACKOFF_MAX_MS, 1),
    maxStalenessMs: checkNumber('watch.maxStalenessMs', options.maxStalenessMs ?? Infinity, 0, true),
  };
}
