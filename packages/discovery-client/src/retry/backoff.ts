/** Exponential backoff settings. */
export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Ceiling, ms. */
  maxMs: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
}

/**
 * Delay before attempt `attempt` (1 = first retry): `initial * factor^(attempt-1)` capped at `max`, with
 * "equal jitter" (between half and all of it) so that many clients do not retry in step.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const ceiling = Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A promise that resolves after `ms` (unref'd timer), or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
