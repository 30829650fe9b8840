/**
 * Blocking queries (Consul's `features/blocking` and `blockingquery.Query`):
 * - `index` absent or 0: answer at once;
 * - `index` > 0: answer as soon as the result's index is greater than it, else after `wait`
 *   (default 5 min, clamped to 10 min, `<= 0` means the default) plus a random stagger up to wait/16;
 *   a client index ahead of ours (agent restarted) also waits the full time, then gets our lower index;
 * - the index reported is never 0.
 */
import { parseGoDuration } from './duration.js';
import { badRequest } from './http-error.js';

/** Default `wait` when absent or `<= 0`: 5 minutes. */
export const DEFAULT_QUERY_WAIT_MS = 5 * 60_000;
/** Longest `wait` honoured (`max_query_time`): 10 minutes. */
export const MAX_QUERY_WAIT_MS = 10 * 60_000;
/** The random extra wait is up to `wait / JITTER_FRACTION`. */
export const JITTER_FRACTION = 16;

/** What a request asks of a blocking endpoint. */
export interface BlockingParams {
  /** The client's last index; 0 means "do not block". */
  minIndex: number;
  /** How long to block at most, jitter included. */
  timeoutMs: number;
}

/**
 * Parses `?index=` and `?wait=` like Consul's `parseWait`.
 * @throws HttpError 400 `Invalid wait time` / `Invalid index`.
 */
export function parseBlockingParams(query: URLSearchParams, random: () => number = Math.random): BlockingParams {
  let waitMs = 0;
  const wait = query.get('wait');
  if (wait !== null && wait !== '') {
    try {
      waitMs = parseGoDuration(wait) / 1e6;
    } catch {
      throw badRequest('Invalid wait time');
    }
  }
  let minIndex = 0;
  const index = query.get('index');
  if (index !== null && index !== '') {
    if (!/^\d+$/.test(index) || BigInt(index) > 18446744073709551615n) throw badRequest('Invalid index');
    minIndex = Number(index);
  }
  if (waitMs > MAX_QUERY_WAIT_MS) waitMs = MAX_QUERY_WAIT_MS;
  if (waitMs <= 0) waitMs = DEFAULT_QUERY_WAIT_MS;
  const timeoutMs = waitMs + random() * (waitMs / JITTER_FRACTION);
  return { minIndex, timeoutMs };
}

interface Waiter {
  ready: () => boolean;
  finish: () => void;
}

/**
 * The set of parked blocking queries. Every write calls {@link notify}; each waiter re-checks its own
 * cheap index function and the ones whose index moved past their `minIndex` answer immediately.
 */
export class WatchSet {
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  /** Number of parked queries (for tests and stats). */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves when `indexOf() > minIndex`, after `timeoutMs`, when `signal` aborts, or on {@link closeAll}.
   * Resolves at once when `minIndex` is 0 or the index is already past it. Once parked, a `touched`
   * gate (what the query watches was written) must hold too: Consul wakes a query only when its watch
   * set fires, even if the index it would report moved for another reason.
   */
  wait(indexOf: () => number, minIndex: number, timeoutMs: number, signal?: AbortSignal, touched?: () => boolean): Promise<void> {
    if (minIndex === 0 || indexOf() > minIndex) return Promise.resolve();
    if (touched === undefined) return this.waitFor(() => indexOf() > minIndex, timeoutMs, signal);
    return this.waitFor(() => indexOf() > minIndex && touched(), timeoutMs, signal);
  }

  /** Resolves when `ready()` holds (checked now and after every write), after `timeoutMs`, on abort or on close. */
  waitFor(ready: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (ready() || this.closed || signal?.aborted === true) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        ready,
        finish: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.finish);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.finish, timeoutMs);
      timer.unref();
      signal?.addEventListener('abort', waiter.finish, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Wakes every waiter whose index moved. Called after each write. */
  notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.ready()) waiter.finish();
    }
  }

  /** Releases every parked query (shutdown). */
  closeAll(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.finish();
  }
}
