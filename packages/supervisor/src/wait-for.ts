// The repository's one way to wait for a state: poll a predicate until it holds. Tests, scripts, the deploy
// commands and the benchmarks use it to wait for a process, a registry or a proxy to get somewhere; a plain
// pause is `setTimeout` from `node:timers/promises`, imported as `sleep`.
import { setTimeout as sleep } from 'node:timers/promises';
import { WaitTimeoutError } from './wait-timeout-error.js';

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** What is waited for, in words: the timeout error says `timed out after 5 s waiting for <what>`. */
  what: string;
  /**
   * How long to keep polling, ms.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * The pause between one call of the predicate and the next, ms.
   * @default 50
   */
  intervalMs?: number;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 5000;
export const DEFAULT_WAIT_INTERVAL_MS = 50;

type Falsy = false | 0 | 0n | '' | null | undefined;

/**
 * Calls `predicate` (sync or async) until it returns a truthy value and resolves with that value. A throw counts
 * as "not yet" (a server that does not answer yet); once `timeoutMs` has passed it rejects with a
 * `WaitTimeoutError` naming `what`, its cause the predicate's last throw. Each call is awaited before the next:
 * nothing is raced against a timer.
 *
 * @example
 * await waitFor(async () => (await passing(consulUrl, 'ratings')).length === 3, { timeoutMs: 10_000, what: 'three passing ratings' });
 * const port = await waitFor(() => listeningPort(child.output()), { what: 'the listening line' });
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions): Promise<Exclude<T, Falsy>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
  if (!(timeoutMs >= 0)) throw new TypeError(`waitFor: timeoutMs must be a number of ms >= 0, got ${String(timeoutMs)}`);
  if (!(intervalMs >= 0)) throw new TypeError(`waitFor: intervalMs must be a number of ms >= 0, got ${String(intervalMs)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await predicate();
      if (value) return value as Exclude<T, Falsy>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(options.what, timeoutMs, lastError);
    await sleep(intervalMs);
  }
}
