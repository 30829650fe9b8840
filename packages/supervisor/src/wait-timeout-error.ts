/** What `waitFor` throws when its predicate is still not satisfied after `timeoutMs`. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
  readonly code = 'ERR_WAIT_TIMEOUT';

  /**
   * @param what what was waited for (`waitFor`'s `what` option)
   * @param timeoutMs how long it waited
   * @param cause the predicate's last throw, if its last call threw
   */
  constructor(readonly what: string, readonly timeoutMs: number, cause?: unknown) {
    const reason = cause === undefined ? '' : `; last error: ${cause instanceof Error ? cause.message : String(cause)}`;
    super(`timed out after ${timeoutMs / 1000} s waiting for ${what}${reason}`, cause === undefined ? undefined : { cause });
  }
}

/** Whether `error` is a `WaitTimeoutError`. */
export function isWaitTimeoutError(error: unknown): error is WaitTimeoutError {
  return error instanceof WaitTimeoutError;
}
