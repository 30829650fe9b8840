import { Attempt } from '../../src/attempt/attempt.js';
import { VERDICTS, type AttemptOutcome } from '../../src/attempt/outcome.js';
import type { Endpoint } from '../../src/breaker/endpoint.js';
import { EndpointPool } from '../../src/breaker/endpoint-pool.js';
import { DATAWIRE_BREAKER_PRESET } from '../../src/breaker/breaker-options.js';
import { UpstreamConnectionError } from '../../src/errors/upstream-connection-error.js';
import type { ServiceInstance } from '../../src/instance.js';

export function instance(n: number, service = 'ratings'): ServiceInstance {
  return {
    key: `node/${service}-${n}`,
    id: `${service}-${n}`,
    service,
    address: '127.0.0.1',
    port: 8000 + n,
    url: `http://127.0.0.1:${8000 + n}`,
    tags: [],
    meta: {},
  };
}

/**
 * A pool with `count` tracked instances (datawire preset: one failure opens a breaker). `onTransition` runs
 * on every breaker transition (open, half-open, close, trial started): what the service state does with
 * them, e.g. `balancer.refresh()`.
 */
export function trackedList(count: number, onTransition: () => void = () => undefined): { pool: EndpointPool; tracked: Endpoint[] } {
  const pool = new EndpointPool({
    service: 'ratings',
    settings: DATAWIRE_BREAKER_PRESET,
    retainMs: 60_000,
    listener: { onOpen: onTransition, onHalfOpen: onTransition, onClose: onTransition, onTrialStarted: onTransition },
  });
  const tracked = pool.sync(Array.from({ length: count }, (_, i) => instance(i + 1)));
  return { pool, tracked };
}

/**
 * Lets opossum process the outcomes handed to it: an endpoint's `onCallEnded` settles the breaker's trial
 * promise, and opossum counts it (and opens or closes) a few microtasks later. Microtasks only, so it works
 * under jest's fake timers too.
 */
export async function breakerSettled(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A connection failure after the request went out: counts against the instance. */
export function connectionFailure(endpoint: Endpoint): AttemptOutcome {
  return {
    type: 'instanceFailure',
    verdict: VERDICTS.instanceFailure,
    durationMs: 1,
    reason: 'connection',
    error: new UpstreamConnectionError('ratings', endpoint.ref, new Error('boom')),
  };
}

/**
 * One attempt through the endpoint's call hooks, as the service client runs it: the breaker admits it or
 * refuses it (the `rejected` outcome, `end` is then never called); else it ends with what `end` resolves
 * to, once opossum has counted it.
 */
export async function runAttempt(endpoint: Endpoint, end: (attempt: Attempt) => AttemptOutcome | Promise<AttemptOutcome>): Promise<AttemptOutcome> {
  const attempt = new Attempt('ratings', endpoint.ref, 1000, false);
  const rejected = endpoint.onCallStarted(attempt);
  if (rejected) return rejected;
  const outcome = await end(attempt);
  endpoint.onCallEnded(attempt, outcome);
  await breakerSettled();
  return outcome;
}
