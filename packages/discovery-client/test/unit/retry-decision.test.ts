import { describe, expect, it } from '@jest/globals';
import { VERDICTS, type AttemptOutcome } from '../../src/attempt/outcome.js';
import { NoHealthyInstancesError } from '../../src/errors/no-healthy-instances-error.js';
import { RegistryUnavailableError } from '../../src/errors/registry-unavailable-error.js';
import { RequestTimeoutError } from '../../src/errors/request-timeout-error.js';
import { UpstreamConnectionError } from '../../src/errors/upstream-connection-error.js';
import { UpstreamHttpError } from '../../src/errors/upstream-http-error.js';
import type { InstanceRef } from '../../src/instance.js';
import { decide, pickFailed, retryDelay, type CallState, type DecisionContext } from '../../src/retry/retry-decision.js';

// The retry decision, case by case: every outcome against the call's state and what the call may still do.

const ref: InstanceRef = { number: 1, id: 'ratings-1', url: 'http://127.0.0.1:8001' };
const answer = (statusCode: number) => ({ statusCode, headers: {}, body: `${statusCode}`, instance: ref });
const NOW = 1_000_000;

const outcomes = {
  ok: { type: 'response', verdict: VERDICTS.response, durationMs: 1, response: answer(200) },
  notFound: { type: 'callerError', verdict: VERDICTS.callerError, durationMs: 1, response: answer(404) },
  timeout: { type: 'instanceFailure', verdict: VERDICTS.instanceFailure, durationMs: 1000, reason: 'timeout', error: new RequestTimeoutError('ratings', 1000, ref) },
  status503: {
    type: 'instanceFailure',
    verdict: VERDICTS.instanceFailure,
    durationMs: 1,
    reason: 'status',
    error: new UpstreamHttpError('ratings', answer(503), { retryable: true }),
  },
  refused: {
    type: 'notSent',
    verdict: VERDICTS.refused,
    durationMs: 1,
    reason: 'refused',
    error: new UpstreamConnectionError('ratings', ref, Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
  },
  rejected: { type: 'rejected', verdict: VERDICTS.rejected, durationMs: 0, reason: 'breaker', error: new Error('breaker is open') },
  limited: { type: 'rejected', verdict: VERDICTS.limited, durationMs: 0, reason: 'limit', error: new Error('at its limit') },
} satisfies Record<string, AttemptOutcome>;

function call(overrides: Partial<CallState> = {}): CallState {
  return {
    service: 'ratings',
    retryable: true,
    throwHttpErrors: true,
    deadlineAt: NOW + 10_000,
    attempts: 1,
    failures: 0,
    limitRejections: 0,
    requeues: 0,
    tried: undefined,
    failedOn: undefined,
    lastError: undefined,
    ...overrides,
  };
}

function budget(left: number): DecisionContext['budget'] & { withdrawn: number } {
  return {
    withdrawn: 0,
    tryWithdraw() {
      if (this.withdrawn >= left) return false;
      this.withdrawn++;
      return true;
    },
  };
}

function context(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return { retry: { limit: 2 }, listed: 3, usable: 3, now: NOW, budget: budget(100), ...overrides };
}

type Expected = { type: string; error?: new (...args: never[]) => Error; status?: number; budgetExhausted?: boolean };

const cases: Array<[string, AttemptOutcome, Partial<CallState>, Partial<DecisionContext>, Expected]> = [
  ['an answer is returned', outcomes.ok, {}, {}, { type: 'return', status: 200 }],
  ['a 4xx is thrown: the caller is at fault, no retry', outcomes.notFound, {}, {}, { type: 'throw', error: UpstreamHttpError }],
  ['a 4xx is returned with throwHttpErrors: false', outcomes.notFound, { throwHttpErrors: false }, {}, { type: 'return', status: 404 }],
  ['an instance failure of an idempotent call is retried', outcomes.timeout, {}, {}, { type: 'retry' }],
  ['a 5xx is retried like any instance failure', outcomes.status503, { failures: 1 }, {}, { type: 'retry' }],
  ['an instance failure of a non-idempotent call fails', outcomes.timeout, { retryable: false }, {}, { type: 'fail', error: RequestTimeoutError }],
  ['past retry.limit the call fails with the last error', outcomes.timeout, { failures: 2 }, {}, { type: 'fail', error: RequestTimeoutError }],
  ['past the deadline the call fails', outcomes.timeout, { deadlineAt: NOW }, {}, { type: 'fail', error: RequestTimeoutError }],
  ['a spent budget stops the retry and says so', outcomes.timeout, {}, { budget: budget(0) }, { type: 'fail', error: RequestTimeoutError, budgetExhausted: true }],
  ['without a budget only the limit counts', outcomes.timeout, { failures: 1 }, { budget: undefined }, { type: 'retry' }],
  ['a final 5xx is returned with throwHttpErrors: false', outcomes.status503, { failures: 2, throwHttpErrors: false }, {}, { type: 'return', status: 503 }],
  ['a final failure with no usable instance left is "all down"', outcomes.timeout, { failures: 2 }, { usable: 0 }, { type: 'fail', error: NoHealthyInstancesError }],
  ['a refused connection is requeued, whatever the method', outcomes.refused, { retryable: false }, {}, { type: 'requeue' }],
  ['a requeue spends neither the limit nor the budget', outcomes.refused, { failures: 2 }, { budget: budget(0) }, { type: 'requeue' }],
  ['requeues stop after one per listed instance', outcomes.refused, { requeues: 3 }, {}, { type: 'fail', error: UpstreamConnectionError }],
  ['an attempt the breaker refused is requeued', outcomes.rejected, {}, {}, { type: 'requeue' }],
  ['an instance at its concurrency limit: the next one in turn', outcomes.limited, { limitRejections: 1 }, { usable: 3 }, { type: 'requeue' }],
  ['every usable instance at its limit: wait for a slot', outcomes.limited, { limitRejections: 2 }, { usable: 3 }, { type: 'queue' }],
  ['at the limit, requeues of failures do not count against the wait', outcomes.limited, { requeues: 3, limitRejections: 0 }, { usable: 1 }, { type: 'queue' }],
];

describe('decide', () => {
  it.each(cases)('%s', (_name, outcome, state, ctx, expected) => {
    const step = decide(call(state), outcome, context(ctx));
    expect(step.type).toBe(expected.type);
    if (expected.error) expect((step as { error: Error }).error).toBeInstanceOf(expected.error);
    if (expected.status !== undefined) expect((step as { response: { statusCode: number } }).response.statusCode).toBe(expected.status);
    expect((step as { budgetExhausted?: boolean }).budgetExhausted === true).toBe(expected.budgetExhausted === true);
  });

  it('withdraws from the budget only when everything else allows the retry', () => {
    const spent = budget(100);
    decide(call({ failures: 2 }), outcomes.timeout, context({ budget: spent }));
    decide(call({ retryable: false }), outcomes.timeout, context({ budget: spent }));
    decide(call(), outcomes.refused, context({ budget: spent }));
    expect(spent.withdrawn).toBe(0);
    decide(call(), outcomes.timeout, context({ budget: spent }));
    expect(spent.withdrawn).toBe(1);
  });

  it('"all down" keeps the last attempt\'s error as its cause; a 4xx thrown is not retryable', () => {
    const down = decide(call({ failures: 2 }), outcomes.timeout, context({ usable: 0 })) as { error: Error };
    expect(down.error.cause).toBe(outcomes.timeout.error);
    const thrown = decide(call(), outcomes.notFound, context()) as unknown as { error: UpstreamHttpError };
    expect(thrown.error.retryable).toBe(false);
    expect(thrown.error.statusCode).toBe(404);
  });
});

describe('retryDelay', () => {
  const endpoint = { instance: { key: 'node/ratings-1' } } as never;
  const other = { instance: { key: 'node/ratings-2' } } as never;
  const retry = { backoffInitialMs: 100, backoffMaxMs: 1000 };

  it('is zero on an instance this call has not failed on, a jittered backoff on one it has', () => {
    const state = call({ failures: 2, failedOn: new Set([endpoint]) });
    expect(retryDelay(state, other, retry, NOW)).toBe(0);
    const delay = retryDelay(state, endpoint, retry, NOW);
    // second failure: ceiling 200 ms, equal jitter: 100-200 ms
    expect(delay).toBeGreaterThanOrEqual(100);
    expect(delay).toBeLessThanOrEqual(200);
  });

  it('never waits past the deadline', () => {
    const state = call({ failures: 5, failedOn: new Set([endpoint]), deadlineAt: NOW + 30 });
    expect(retryDelay(state, endpoint, retry, NOW)).toBe(30);
  });
});

describe('pickFailed', () => {
  it('no list within the deadline is the registry\'s failure', () => {
    const error = pickFailed(call(), { type: 'queue' }, 10_000);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error.message).toBe('cannot resolve ratings: no answer from the registry within 10000ms');
  });

  it('Consul down with nothing cached is the registry\'s failure, once no attempt failed', () => {
    const consul = new RegistryUnavailableError('consul unreachable');
    expect(pickFailed(call(), { type: 'transientFailure', reason: 'registry-unavailable', error: consul }, 10_000)).toBe(consul);
    const wrapped = pickFailed(call(), { type: 'transientFailure', reason: 'registry-unavailable', error: new Error('ECONNREFUSED') }, 10_000);
    expect(wrapped).toBeInstanceOf(RegistryUnavailableError);
    const afterAttempt = pickFailed(call({ lastError: outcomes.timeout.error }), { type: 'transientFailure', reason: 'registry-unavailable', error: consul }, 10_000);
    expect(afterAttempt).toBeInstanceOf(NoHealthyInstancesError);
    expect(afterAttempt.cause).toBe(outcomes.timeout.error);
  });

  it('no usable instance is "all down", with the unmatched active color when that is why', () => {
    const unmatched = { service: 'ratings', key: 'discovery/ratings/active', color: 'green', instances: 3, colors: { blue: 3 }, uncolored: 0 };
    const error = pickFailed(call(), { type: 'transientFailure', reason: 'no-instances', unmatchedActiveColor: unmatched }, 10_000) as NoHealthyInstancesError;
    expect(error).toBeInstanceOf(NoHealthyInstancesError);
    expect(error.unmatchedActiveColor).toBe(unmatched);
    expect(error.cause).toBeUndefined();
    expect(pickFailed(call(), { type: 'transientFailure', reason: 'all-unavailable' }, 10_000).message).toBe('all ratings instances are down');
  });
});
