import { afterEach, describe, expect, it } from '@jest/globals';
import { classifyStatus } from '../../src/attempt/attempt.js';
import { VERDICTS } from '../../src/attempt/outcome.js';
import {
  CircuitOpenError,
  DiscoveryClient,
  isRetryable,
  NoHealthyInstancesError,
  RegistryUnavailableError,
  RequestTimeoutError,
  UpstreamConnectionError,
  UpstreamHttpError,
} from '../../src/index.js';
import { Upstream } from '../helpers/upstream.js';

// The outcome policy is stated once (attempt/outcome.ts); errors, isRetryable() and the status rule agree with it.

const ref = { number: 1, id: 'ratings-1', url: 'http://127.0.0.1:8001' };

describe('the outcome policy', () => {
  it('states each kind of outcome once: an answer, what counts against the instance, what is retried or requeued', () => {
    expect(VERDICTS).toEqual({
      response: { answered: true, countsAgainst: false, next: 'return' },
      callerError: { answered: true, countsAgainst: false, next: 'return' },
      instanceFailure: { answered: false, countsAgainst: true, next: 'retry' },
      timeoutInCallerStall: { answered: false, countsAgainst: false, next: 'retry' },
      backpressure: { answered: false, countsAgainst: false, next: 'retry' },
      refused: { answered: false, countsAgainst: true, next: 'requeue' },
      resetReusedSocket: { answered: false, countsAgainst: false, next: 'requeue' },
      rejected: { answered: false, countsAgainst: false, next: 'requeue' },
      limited: { answered: false, countsAgainst: false, next: 'requeue' },
      hedgeLost: { answered: false, countsAgainst: false, next: 'return' },
      cancelled: { answered: false, countsAgainst: false, next: 'return' },
    });
  });

  it('one status rule: 5xx is the server\'s failure, 4xx the caller\'s, the rest an answer', () => {
    expect([200, 204, 302, 399, 400, 404, 429, 499, 500, 503, 599].map(classifyStatus)).toEqual([
      'response', 'response', 'response', 'response',
      'callerError', 'callerError', 'callerError', 'callerError',
      'instanceFailure', 'instanceFailure', 'instanceFailure',
    ]);
  });

  it('every error\'s retryable is what isRetryable() says (the registry\'s failure is not retryable on another instance)', () => {
    const errors = [
      new RequestTimeoutError('ratings', 1000, ref),
      new UpstreamConnectionError('ratings', ref, new Error('reset')),
      new CircuitOpenError('ratings', ref),
      new UpstreamHttpError('ratings', { statusCode: 503, headers: {}, body: '', instance: ref }, { retryable: true }),
      new UpstreamHttpError('ratings', { statusCode: 404, headers: {}, body: '', instance: ref }, { retryable: false }),
      new RegistryUnavailableError('consul unreachable'),
      new NoHealthyInstancesError('ratings'),
    ];
    expect(errors.map((e) => [e.constructor.name, e.retryable])).toEqual(errors.map((e) => [e.constructor.name, isRetryable(e)]));
    expect(new RegistryUnavailableError('consul unreachable').retryable).toBe(false);
    expect(isRetryable(new Error('not ours'))).toBe(false);
  });
});

describe('a timed-out attempt', () => {
  let upstream: Upstream | undefined;
  let client: DiscoveryClient | undefined;
  afterEach(async () => {
    await client?.close();
    await upstream?.close();
  });

  it.each(['undici', 'got'] as const)('over %s fails with one RequestTimeoutError, not one wrapped in another', async (transport) => {
    upstream = await new Upstream('u1').start();
    upstream.mode = 'hang';
    client = new DiscoveryClient({ logger: false, static: { ratings: [{ id: 'u1', url: upstream.url }] } });
    const ratings = client.service('ratings', { transport, timeout: 100, retry: false, outlierDetection: false });
    const error = await ratings.get('/r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as RequestTimeoutError).timeoutMs).toBe(100);
    expect((error as Error).cause).not.toBeInstanceOf(RequestTimeoutError);
  });
});
