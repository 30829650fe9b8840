import { ClientClosedError } from './errors/client-closed-error.js';

/**
 * How long `close()` lets the calls in flight finish before it aborts them, ms. Within the call's own deadline
 * (10 s by default); undici's `Dispatcher.close()` waits for requests in flight without a bound, its `destroy()`
 * aborts them: this is the first, bounded.
 */
export const DEFAULT_GRACE_PERIOD_MS = 5000;

/** A timer that never fires in practice (the longest delay Node accepts): only its ref counts. */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

function noop(): void {}

/** A call as the lifecycle sees it (the service client's call state). */
export interface PendingCall {
  readonly service: string;
  /** An attempt of it is in flight now. */
  readonly inAttempt: boolean;
  /** The client is closing: the call sends nothing more (the attempt in flight may finish). */
  draining: boolean;
  /** Cancels the call: it rejects with `reason`, its attempts in flight are aborted, it leaves any wait. */
  cancel(reason: unknown): void;
}

/**
 * The calls pending on one `DiscoveryClient`, and what `close()` does to them.
 *
 * A pending call keeps the process alive: every timer and socket of the call path is unref'd (an idle client
 * must let the process exit), so without a handle of its own a call waiting on a retry backoff or a queue slot
 * would let Node exit with the call's promise never settled. The one handle is {@link keepAlive}, a timer
 * ref'd while any call is pending and unref'd when none is (`ref()`/`unref()` toggle a flag: nothing is
 * allocated per call). The service clients keep {@link pending} themselves (plain fields: the call path runs no
 * code of this file).
 */
export class ClientLifecycle {
  /** `close()` was called: new calls reject with {@link ClientClosedError}. */
  closed = false;
  /** Calls in progress. */
  readonly pending = new Set<PendingCall>();
  /** Ref'd while {@link pending} is not empty. */
  readonly keepAlive: NodeJS.Timeout = setInterval(noop, KEEP_ALIVE_MS).unref();
  /** Called by the service client when the last pending call ends. */
  onIdle: (() => void) | undefined = undefined;
  private closing: Promise<void> | undefined = undefined;

  /**
   * Stops taking calls; calls waiting (for a list, a slot, a backoff) reject with {@link ClientClosedError} at
   * once; an attempt in flight may finish within `gracePeriodMs` (its call sends nothing more: no retry, no
   * hedge), after which it is aborted and its call rejects with {@link ClientClosedError}. Resolves when no call
   * is pending, or when the grace period is over. Idempotent: a second call returns the first's promise.
   */
  close(gracePeriodMs: number): Promise<void> {
    this.closing ??= this.drain(gracePeriodMs);
    return this.closing;
  }

  private async drain(gracePeriodMs: number): Promise<void> {
    this.closed = true;
    for (const call of this.pending) {
      call.draining = true;
      if (!call.inAttempt || gracePeriodMs === 0) call.cancel(new ClientClosedError(call.service));
    }
    if (this.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
        timer = setTimeout(resolve, gracePeriodMs);
      });
      clearTimeout(timer);
      this.onIdle = undefined;
      for (const call of this.pending) call.cancel(new ClientClosedError(call.service));
    }
    clearInterval(this.keepAlive);
  }
}
