import type { RequestTimeoutError } from '../errors/request-timeout-error.js';
import type { UpstreamConnectionError } from '../errors/upstream-connection-error.js';
import type { HedgeLostError } from '../errors/hedge-lost-error.js';
import type { UpstreamHttpError } from '../errors/upstream-http-error.js';
import type { InstanceResponse } from '../response.js';

/** Why an attempt never reached the instance's application. */
export type NotSentReason = 'refused' | 'reset-reused-socket';

/**
 * Why an attempt failed on its instance: `backpressure` is a 429 or 503 with `Retry-After`, the instance asking
 * to be spared for a while (it counts against nothing; see {@link VERDICTS}).
 */
export type InstanceFailureReason = 'timeout' | 'stall' | 'connection' | 'status' | 'backpressure';

/**
 * What the outcome means, stated once for every policy that reacts to it (the breaker, outlier detection,
 * load tracking, the retry decision): none of them judges an outcome by rules of its own.
 */
export interface OutcomeVerdict {
  /** The instance's application answered: the attempt's latency is a sample of the instance's. */
  readonly answered: boolean;
  /** Counts against the instance: a failure for its breaker and for outlier detection. */
  readonly countsAgainst: boolean;
  /**
   * What the call does next:
   * - `return`: the answer is the call's result (a 4xx too: the caller's fault, the instance is fine);
   * - `retry`: the instance may have received the request: another instance, for idempotent calls only,
   *   within `retry.limit` and the retry budget (Finagle's retry);
   * - `requeue`: the instance's application never saw the request: another instance at once, for any
   *   method, outside the limit and the budget (Finagle's requeue).
   */
  readonly next: 'return' | 'retry' | 'requeue';
}

/** The policy, one row per kind of outcome. */
export const VERDICTS = Object.freeze({
  /** 1xx–3xx. */
  response: Object.freeze<OutcomeVerdict>({ answered: true, countsAgainst: false, next: 'return' }),
  /** 4xx: the caller's fault. */
  callerError: Object.freeze<OutcomeVerdict>({ answered: true, countsAgainst: false, next: 'return' }),
  /** A timeout, a stall, a connection error after the request went out, a 5xx. */
  instanceFailure: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: true, next: 'retry' }),
  /**
   * A timeout that stalls of the caller's own event loop outlasted (`caller-stall.ts`): retried like any
   * timeout, but the request may have been written only after the stall.
   */
  timeoutInCallerStall: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: false, next: 'retry' }),
  /**
   * A 429 or 503 with `Retry-After`: the instance is busy and says for how long; it is avoided for that long
   * (adaptive concurrency) and the call retried elsewhere, but busy is not broken: no ejection follows.
   */
  backpressure: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: false, next: 'retry' }),
  /** Connection refused: nothing listens there, so it counts, but nothing was sent. */
  refused: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: true, next: 'requeue' }),
  /** Reset on a reused keep-alive socket before any response byte (Node's idle-socket race): not the instance's fault. */
  resetReusedSocket: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: false, next: 'requeue' }),
  /** The breaker refused the attempt. */
  rejected: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: false, next: 'requeue' }),
  /**
   * The instance is at its concurrency limit: another instance with a free slot, else the call waits for one
   * (nothing was sent; busy is not broken).
   */
  limited: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: false, next: 'requeue' }),
  /**
   * Hedging (`retry/hedging.ts`): another attempt of the same call answered first and this one was aborted. It
   * says nothing of its instance (it was merely slower this once); the call has its result already.
   */
  hedgeLost: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: false, next: 'return' }),
  /**
   * The caller aborted the call (its `signal`): the request is aborted and the call rejects with the signal's
   * reason. Like a lost hedge it says nothing of the instance.
   */
  cancelled: Object.freeze<OutcomeVerdict>({ answered: false, countsAgainst: false, next: 'return' }),
});

/** Who refused an attempt before it was sent: the instance's breaker, or its concurrency limit. */
export type RejectionReason = 'breaker' | 'limit';

/**
 * What one attempt came to, decided once (`attempt/attempt.ts` classifies) and read by everything after it.
 * `verdict` says what it means; `durationMs` is how long the attempt ran (0 for `rejected`).
 *
 * - `response`: the instance answered 1xx–3xx;
 * - `callerError`: it answered 4xx;
 * - `instanceFailure`: a timeout, a stall, a reset or failed connection after sending, or a 5xx;
 * - `notSent`: refused before any byte was written, or reset on a reused keep-alive socket before any
 *   response byte;
 * - `rejected`: refused before sending: by the breaker (open, or half-open with its trial in flight), or by the
 *   instance's concurrency limit;
 * - `hedgeLost`: aborted because another attempt of the same call (a hedge, or the attempt a hedge raced)
 *   answered first; it never reaches the retry decision;
 * - `cancelled`: aborted because the caller's `signal` fired; the call rejects with the signal's reason.
 */
export type AttemptOutcome =
  | { readonly type: 'response'; readonly verdict: OutcomeVerdict; readonly durationMs: number; readonly response: InstanceResponse }
  | { readonly type: 'callerError'; readonly verdict: OutcomeVerdict; readonly durationMs: number; readonly response: InstanceResponse }
  | {
      readonly type: 'instanceFailure';
      readonly verdict: OutcomeVerdict;
      readonly durationMs: number;
      readonly reason: InstanceFailureReason;
      readonly error: RequestTimeoutError | UpstreamConnectionError | UpstreamHttpError;
      /** For `backpressure`: how long the instance asked to be spared, ms. */
      readonly retryAfterMs?: number;
    }
  | {
      readonly type: 'notSent';
      readonly verdict: OutcomeVerdict;
      readonly durationMs: number;
      readonly reason: NotSentReason;
      readonly error: UpstreamConnectionError;
    }
  | { readonly type: 'rejected'; readonly verdict: OutcomeVerdict; readonly durationMs: number; readonly reason: RejectionReason; readonly error: Error }
  | { readonly type: 'hedgeLost'; readonly verdict: OutcomeVerdict; readonly durationMs: number; readonly error: HedgeLostError }
  | { readonly type: 'cancelled'; readonly verdict: OutcomeVerdict; readonly durationMs: number; readonly error: Error };
