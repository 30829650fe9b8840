import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import CircuitBreaker from 'opossum';
import type { Attempt } from '../../src/attempt/attempt.js';
import { VERDICTS, type AttemptOutcome } from '../../src/attempt/outcome.js';
import type { Endpoint } from '../../src/breaker/endpoint.js';
import { EndpointPool } from '../../src/breaker/endpoint-pool.js';
import { DATAWIRE_BREAKER_PRESET, DEFAULT_BREAKER_PRESET, type BreakerSettings } from '../../src/breaker/breaker-options.js';
import { CircuitOpenError } from '../../src/errors/circuit-open-error.js';
import { RequestTimeoutError } from '../../src/errors/request-timeout-error.js';
import type { Transport } from '../../src/transport/transport.js';
import { instance, runAttempt as run } from '../helpers/tracked.js';

let pool: EndpointPool | undefined;
let transitions: string[];

function makePool(settings: BreakerSettings, retainMs = 60_000): EndpointPool {
  transitions = [];
  pool = new EndpointPool({
    service: 'ratings',
    settings,
    retainMs,
    listener: {
      onOpen: (t) => transitions.push(`OPEN ${t.ref.number}`),
      onHalfOpen: (t, early) => transitions.push(`HALF_OPEN ${t.ref.number}${early ? ' early' : ''}`),
      onClose: (t) => transitions.push(`CLOSE ${t.ref.number}`),
      onTrialStarted: () => undefined,
    },
  });
  return pool;
}

const OK: AttemptOutcome = { type: 'response', verdict: VERDICTS.response, durationMs: 1, response: { statusCode: 200, headers: {}, body: 'ok', instance: { number: 1, id: 'ratings-1', url: 'http://127.0.0.1:8001' } } };
const timeout = (t: Endpoint): AttemptOutcome => ({ type: 'instanceFailure', verdict: VERDICTS.instanceFailure, durationMs: 300, reason: 'timeout', error: new RequestTimeoutError('ratings', 300, t.ref) });
const ok = (): AttemptOutcome => OK;
/** The attempt sent through a transport answering `statusCode`: the library's own classification. */
const http = (statusCode: number) => (attempt: Attempt): Promise<AttemptOutcome> => {
  const transport: Transport = { name: 'scripted', request: () => Promise.resolve({ statusCode, headers: {}, body: '' }), close: () => Promise.resolve() };
  return attempt.send(transport, { method: 'GET', path: '/', headers: {}, body: undefined });
};

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  pool?.close();
  pool = undefined;
  jest.useRealTimers();
});

describe('EndpointPool', () => {
  it('datawire preset opens on the first timeout and retests after 30 s', async () => {
    const [t] = makePool(DATAWIRE_BREAKER_PRESET).sync([instance(1)]);
    await expect(run(t!, () => timeout(t!))).resolves.toMatchObject({ type: 'instanceFailure', reason: 'timeout' });
    expect(t!.state).toBe('OPEN');
    await expect(run(t!, ok)).resolves.toMatchObject({ type: 'rejected', error: expect.any(CircuitOpenError) });
    jest.advanceTimersByTime(29_000);
    expect(t!.state).toBe('OPEN');
    jest.advanceTimersByTime(1_001);
    expect(t!.state).toBe('HALF_OPEN');
    await expect(run(t!, ok)).resolves.toBe(OK);
    expect(t!.state).toBe('CLOSED');
    expect(transitions).toEqual(['OPEN 1', 'HALF_OPEN 1', 'CLOSE 1']);
  });

  it('default preset does not open on a single failure at low traffic', async () => {
    const [t] = makePool(DEFAULT_BREAKER_PRESET).sync([instance(1)]);
    await expect(run(t!, () => timeout(t!))).resolves.toMatchObject({ type: 'instanceFailure' });
    expect(t!.state).toBe('CLOSED');
    for (let i = 0; i < 4; i++) await run(t!, () => timeout(t!)).catch(() => undefined);
    expect(t!.state).toBe('OPEN');
  });

  it.each([
    ['default', DEFAULT_BREAKER_PRESET],
    ['datawire', DATAWIRE_BREAKER_PRESET],
    ['a 20 % threshold over 3 calls', { ...DEFAULT_BREAKER_PRESET, errorThresholdPercentage: 20, volumeThreshold: 3 }],
  ] as const)('opens on the same call as opossum fed through fire() would (%s)', async (_name, settings) => {
    // the same sequence of answers and failures through opossum's own fire() and through the endpoint's hooks
    // (true: a failure) the default preset reaches exactly 50 % at the 6th call (not above it: stays closed), 57 % at the 7th
    const sequence = [true, false, true, false, false, true, true, false, true];
    const reference = new CircuitBreaker((fail: boolean) => (fail ? Promise.reject(new Error('x')) : Promise.resolve()), {
      ...settings,
      timeout: false,
      rollingPercentilesEnabled: false,
    });
    const expected: string[] = [];
    for (const [i, fail] of sequence.entries()) {
      await reference.fire(fail).catch(() => undefined);
      expected.push(`${i} ${reference.opened ? 'OPEN' : 'CLOSED'}`);
      if (reference.opened) break;
    }
    reference.shutdown();
    const [endpoint] = makePool(settings).sync([instance(1)]);
    const actual: string[] = [];
    for (const [i, fail] of sequence.entries()) {
      await run(endpoint!, () => (fail ? timeout(endpoint!) : OK));
      actual.push(`${i} ${endpoint!.state}`);
      if (endpoint!.state === 'OPEN') break;
    }
    expect(actual).toEqual(expected);
    expect(actual.at(-1)).toMatch(/OPEN$/);
  });

  it('never counts 4xx answers as failures, but counts 5xx', async () => {
    const [t] = makePool(DATAWIRE_BREAKER_PRESET).sync([instance(1)]);
    await expect(run(t!, http(404))).resolves.toMatchObject({ type: 'callerError' });
    expect(t!.state).toBe('CLOSED');
    await expect(run(t!, http(503))).resolves.toMatchObject({ type: 'instanceFailure', reason: 'status' });
    expect(t!.state).toBe('OPEN');
  });

  it('half-open admits one probe at a time', async () => {
    const [t] = makePool(DATAWIRE_BREAKER_PRESET).sync([instance(1)]);
    await run(t!, () => timeout(t!)).catch(() => undefined);
    jest.advanceTimersByTime(30_001);
    expect(t!.isAvailable()).toBe(true);
    let finish!: (value: AttemptOutcome) => void;
    const probe = run(t!, () => new Promise<AttemptOutcome>((resolve) => (finish = resolve)));
    expect(t!.isAvailable()).toBe(false);
    await expect(run(t!, ok)).resolves.toMatchObject({ type: 'rejected', error: expect.any(CircuitOpenError) });
    finish(OK);
    await expect(probe).resolves.toBe(OK);
    expect(t!.state).toBe('CLOSED');
    expect(t!.isAvailable()).toBe(true);
  });

  it('a failed probe opens the breaker again for another reset period', async () => {
    const [t] = makePool(DATAWIRE_BREAKER_PRESET).sync([instance(1)]);
    await run(t!, () => timeout(t!)).catch(() => undefined);
    jest.advanceTimersByTime(30_001);
    await run(t!, () => timeout(t!)).catch(() => undefined);
    expect(t!.state).toBe('OPEN');
    expect(transitions).toEqual(['OPEN 1', 'HALF_OPEN 1', 'OPEN 1']);
  });

  it('keeps the breaker (and its OPEN state) through a brief absence, and probes at once on return', async () => {
    const p = makePool(DATAWIRE_BREAKER_PRESET);
    p.onRelisted = (endpoint) => endpoint.halfOpenNow(); // what a service without probes does
    const [t] = p.sync([instance(1), instance(2)]);
    await run(t!, () => timeout(t!)).catch(() => undefined);
    p.sync([instance(2)]);
    jest.advanceTimersByTime(5_000);
    const again = p.sync([instance(1), instance(2)]);
    expect(again[0]).toBe(t);
    expect(again[0]!.state).toBe('HALF_OPEN');
    expect(transitions).toEqual(['OPEN 1', 'HALF_OPEN 1 early']);
    await expect(run(again[0]!, ok)).resolves.toBe(OK);
    expect(transitions).toEqual(['OPEN 1', 'HALF_OPEN 1 early', 'CLOSE 1']);
  });

  it('an OPEN breaker whose instance never left waits out its reset timeout', async () => {
    const p = makePool(DATAWIRE_BREAKER_PRESET);
    const [t] = p.sync([instance(1)]);
    await run(t!, () => timeout(t!)).catch(() => undefined);
    p.sync([instance(1)]);
    expect(t!.state).toBe('OPEN');
  });

  it('shuts a breaker down once its instance has been gone for retainMs, and frees its number', () => {
    const p = makePool(DATAWIRE_BREAKER_PRESET, 10_000);
    p.sync([instance(1), instance(2), instance(3)]);
    p.sync([instance(1), instance(3)]);
    jest.advanceTimersByTime(9_000);
    expect(p.size).toBe(3);
    jest.advanceTimersByTime(1_001);
    expect(p.size).toBe(2);
    const [, , newcomer] = p.sync([instance(1), instance(3), { ...instance(4), key: 'node/blue', id: 'blue' }]);
    expect(newcomer!.ref.number).toBe(2);
  });

  it("calls an instance by its id's number when that number is free (ratings-2 is instance 2)", () => {
    const p = makePool(DATAWIRE_BREAKER_PRESET);
    const first = p.sync([instance(3), instance(1)]);
    expect(first.map((t) => t.ref.number)).toEqual([3, 1]);
    const named = { ...instance(9), key: 'node/green', id: 'green' };
    const clash = { ...instance(7), key: 'other/ratings-3', id: 'ratings-3' };
    const later = p.sync([instance(3), instance(1), named, clash, instance(2)]);
    expect(later.map((t) => t.ref.number)).toEqual([3, 1, 2, 4, 5]);
  });

  it('gives an instance that re-registered at a new address a fresh breaker, named by its new URL', async () => {
    const p = makePool(DATAWIRE_BREAKER_PRESET);
    const removed: Endpoint[] = [];
    p.onRemoved = (entries) => removed.push(...entries);
    const [old] = p.sync([instance(1)]);
    await run(old!, () => timeout(old!)).catch(() => undefined);
    expect(old!.state).toBe('OPEN');
    const [moved] = p.sync([{ ...instance(1), port: 9001, url: 'http://127.0.0.1:9001' }]);
    expect(moved).not.toBe(old);
    expect(moved!.ref).toEqual({ number: 1, id: 'ratings-1', url: 'http://127.0.0.1:9001' });
    expect(moved!.state).toBe('CLOSED');
    expect(removed).toEqual([old]);
    expect(p.size).toBe(1);
  });

  it('numbers instances stably while they live, whatever their list position', () => {
    const p = makePool(DATAWIRE_BREAKER_PRESET);
    p.sync([instance(1), instance(2), instance(3)]);
    const later = p.sync([instance(3), instance(2)]);
    expect(later.map((t) => t.ref.number)).toEqual([3, 2]);
  });

  it('close() leaves no timers behind', () => {
    const p = makePool(DATAWIRE_BREAKER_PRESET);
    p.sync([instance(1)]);
    p.sync([]);
    p.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});
