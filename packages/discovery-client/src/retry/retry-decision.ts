import type { AttemptOutcome } from '../attempt/outcome.js';
import type { PickResult } from '../balancer/picker.js';
import type { EndpointView } from '../breaker/endpoint.js';
import { NoHealthyInstancesError } from '../errors/no-healthy-instances-error.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { UpstreamHttpError } from '../errors/upstream-http-error.js';
import type { ServiceResponse } from '../response.js';
import { backoffDelay } from './backoff.js';
import type { ResolvedRetryOptions } from './retry-options.js';

/** What one call has been through so far: the service client keeps it, the decision reads it. */
export interface CallState {
  readonly service: string;
  /** The method may be retried (in `retry.methods`, or `retryNonIdempotent`). */
  readonly retryable: boolean;
  readonly throwHttpErrors: boolean;
  /** `Date.now()` past which nothing more is tried. */
  readonly deadlineAt: number;
  /** Attempts sent (requeues and retries included). */
  attempts: number;
  /** Instance failures so far. */
  failures: number;
  /** Attempts sent again because they never reached an instance. */
  requeues: number;
  /** Instances that refused the call at their concurrency limit since it last waited for a slot. */
  limitRejections: number;
  /** Instance keys tried: avoided while others are usable. */
  tried: Set<string> | undefined;
  /** Instances that failed this call: going back to one waits the backoff. */
  failedOn: Set<EndpointView> | undefined;
  /** The error of the latest failed attempt. */
  lastError: Error | undefined;
}

/** What the decision may look at beside the call and the outcome. */
export interface DecisionContext {
  readonly retry: Pick<ResolvedRetryOptions, 'limit'>;
  /** Listed instances (at most this many requeues). */
  readonly listed: number;
  /** Instances whose breaker admits calls now. */
  readonly usable: number;
  /** `Date.now()`. */
  readonly now: number;
  /** The retry budget; withdrawn from only when everything else allows the retry. */
  readonly budget: { tryWithdraw(): boolean } | undefined;
}

/**
 * What the call does after an attempt:
 * - `return` the response (an answer; a 4xx or a final 5xx with `throwHttpErrors: false`);
 * - `throw` the caller's 4xx as an {@link UpstreamHttpError}, or the reason of the caller's abort (no fallback: the caller is at fault);
 * - `requeue`: send it to another instance at once (it never reached one);
 * - `retry`: send it to another instance ({@link retryDelay} says how long to wait first);
 * - `queue`: every usable instance refused it at its concurrency limit: wait for a free slot;
 * - `fail` with `error`: the fallback's turn, or the error is thrown.
 * `budgetExhausted` (on `fail`, or `return` of a final 5xx): a retry was due but the retry budget is spent.
 */
export type NextStep =
  | { readonly type: 'return'; readonly response: ServiceResponse; readonly budgetExhausted?: boolean }
  | { readonly type: 'throw'; readonly error: Error }
  | { readonly type: 'requeue'; readonly error: Error }
  | { readonly type: 'retry'; readonly error: Error }
  | { readonly type: 'queue' }
  | { readonly type: 'fail'; readonly error: Error; readonly budgetExhausted?: boolean };

/**
 * The retry decision: a function of the call's state and the attempt's outcome (its verdict says what the
 * outcome means; nothing is judged again here). Its one effect is the budget withdrawal of a retry.
 * Requeue and retry are kept apart as in Finagle: a requeue is free and immediate, a retry is bounded by
 * `retry.limit`, the call's deadline and the retry budget.
 */
export function decide(call: CallState, outcome: AttemptOutcome, context: DecisionContext): NextStep {
  switch (outcome.type) {
    case 'response':
      return { type: 'return', response: outcome.response };
    case 'callerError':
      if (!call.throwHttpErrors) return { type: 'return', response: outcome.response };
      return { type: 'throw', error: new UpstreamHttpError(call.service, outcome.response, { retryable: outcome.verdict.next !== 'return' }) };
    case 'rejected':
      // at its limit: the next instance in turn, and once every usable one refused, wait for a slot
      if (outcome.reason === 'limit') return call.limitRejections + 1 >= context.usable ? QUEUE : { type: 'requeue', error: outcome.error };
      return requeue(call, outcome, context);
    case 'notSent':
      return requeue(call, outcome, context);
    case 'instanceFailure':
      if (!call.retryable || call.failures + 1 > context.retry.limit || call.deadlineAt - context.now <= 0) return failWith(call, outcome, context);
      if (context.budget && !context.budget.tryWithdraw()) return { ...(failWith(call, outcome, context) as FinalStep), budgetExhausted: true };
      return { type: 'retry', error: outcome.error };
    case 'hedgeLost':
      // a hedging race returns its winner, never a loser: the call has its answer elsewhere
      return { type: 'fail', error: outcome.error };
    case 'cancelled':
      // the caller gave up: its reason, no retry, no fallback
      return { type: 'throw', error: outcome.error };
  }
}

/** Nothing was sent: another instance at once, at most once per listed instance. */
function requeue(call: CallState, outcome: Extract<AttemptOutcome, { type: 'notSent' | 'rejected' }>, context: DecisionContext): NextStep {
  if (call.requeues + 1 > context.listed) return failWith(call, outcome, context);
  return { type: 'requeue', error: outcome.error };
}

const QUEUE: NextStep = Object.freeze({ type: 'queue' });

/** The call failed for good on `outcome`; with no usable instance left it is the walkthrough's "all down". */
type FinalStep = Extract<NextStep, { type: 'return' | 'fail' }>;

function failWith(call: CallState, outcome: Extract<AttemptOutcome, { error: unknown }>, context: DecisionContext): FinalStep {
  if (outcome.type === 'instanceFailure' && (outcome.reason === 'status' || outcome.reason === 'backpressure') && !call.throwHttpErrors) {
    return { type: 'return', response: (outcome.error as UpstreamHttpError).response };
  }
  if (context.usable === 0) return { type: 'fail', error: new NoHealthyInstancesError(call.service, { cause: outcome.error }) };
  return { type: 'fail', error: outcome.error };
}

/**
 * Backoff before a retry: none on an instance this call has not failed on (failing over is free), the
 * exponential backoff with jitter when it goes back to one that failed (`retry.backoffInitialMs`, doubling
 * up to `retry.backoffMaxMs`), never past the deadline.
 */
export function retryDelay(call: CallState, next: EndpointView, retry: Pick<ResolvedRetryOptions, 'backoffInitialMs' | 'backoffMaxMs'>, now: number): number {
  if (!call.failedOn?.has(next)) return 0;
  return Math.min(Math.max(0, call.deadlineAt - now), backoffDelay(call.failures, { initialMs: retry.backoffInitialMs, maxMs: retry.backoffMaxMs }));
}

/**
 * What a call fails with when no pick completes: the registry's failure when there is no list (no answer
 * within the deadline, or Consul down with nothing cached), else {@link NoHealthyInstancesError} (with the
 * unmatched active color when that is why the list is empty, and the last attempt's error as its cause).
 */
export function pickFailed(call: CallState, pick: Exclude<PickResult, { type: 'complete' }>, deadlineMs: number): Error {
  if (pick.type === 'queue') {
    return new RegistryUnavailableError(`cannot resolve ${call.service}: no answer from the registry within ${deadlineMs}ms`);
  }
  if (pick.reason === 'registry-unavailable' && call.lastError === undefined) {
    return pick.error instanceof RegistryUnavailableError ? pick.error : new RegistryUnavailableError(`cannot resolve ${call.service}`, { cause: pick.error });
  }
  return new NoHealthyInstancesError(call.service, {
    ...(call.lastError ? { cause: call.lastError } : {}),
    unmatchedActiveColor: pick.unmatchedActiveColor,
  });
}
