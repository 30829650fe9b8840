import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Attempt } from '../../src/attempt/attempt.js';
import { VERDICTS, type AttemptOutcome } from '../../src/attempt/outcome.js';
import type { SlotResult } from '../../src/balancer/balancer.js';
import { DEFAULT_BREAKER_PRESET } from '../../src/breaker/breaker-options.js';
import type { Endpoint } from '../../src/breaker/endpoint.js';
import { EndpointPool } from '../../src/breaker/endpoint-pool.js';
import { HedgeLostError } from '../../src/errors/hedge-lost-error.js';
import { ConcurrencyLimit } from '../../src/overload/concurrency-limit.js';
import { resolveConcurrencyLimit, type ResolvedConcurrencyLimit } from '../../src/overload/concurrency-limit-options.js';

// The queue of calls waiting for a slot, on its own, with a clock the test moves: which waiting call a freed
// slot goes to. Every instance is pinned at one attempt in flight.

let pool: EndpointPool | undefined;
afterEach(() => pool?.close());

const QUEUE_INTERVAL_MS = 100;

function setup(instances: number, queue: { queueTargetMs?: number; overflowTargetMs?: number } = { queueTargetMs: 10_000, overflowTargetMs: 10_000 }) {
  pool = new EndpointPool({
    service: 'ratings',
    settings: DEFAULT_BREAKER_PRESET,
    retainMs: 60_000,
    listener: { onOpen: () => undefined, onHalfOpen: () => undefined, onClose: () => undefined, onTrialStarted: () => undefined },
  });
  const endpoints = pool.sync(
    Array.from({ length: instances }, (_, i) => ({ service: 'ratings', id: `ratings-${i + 1}`, key: `ratings-${i + 1}`, address: '127.0.0.1', port: 8001 + i, url: `http://127.0.0.1:${8001 + i}`, tags: [], meta: {} })),
  );
  // waits of 10 s once the queue stands (unless a test says otherwise), so no wait ends on the real clock while the test runs
  const settings = resolveConcurrencyLimit({ minLimit: 1, maxLimit: 1, initialLimit: 1, queueIntervalMs: QUEUE_INTERVAL_MS, ...queue }, 'default') as ResolvedConcurrencyLimit;
  let now = 1000;
  const limiter = new ConcurrencyLimit('ratings', settings, () => now);
  limiter.snapshot(endpoints, endpoints);
  const inFlight = new Map<Endpoint, Attempt>();
  /** Takes `e`'s one slot. */
  const occupy = (e: Endpoint) => {
    const attempt = new Attempt('ratings', e.ref, 10_000, false);
    expect(limiter.wrap(e, e).onCallStarted(attempt)).toBeUndefined();
    inFlight.set(e, attempt);
  };
  /** Ends the attempt on `e`: its slot frees. */
  const free = (e: Endpoint) => {
    const attempt = inFlight.get(e)!;
    inFlight.delete(e);
    const outcome: AttemptOutcome = { type: 'hedgeLost', verdict: VERDICTS.hedgeLost, durationMs: 1, error: new HedgeLostError('ratings', e.ref) };
    void limiter.wrap(e, e).onCallEnded(attempt, outcome);
  };
  /** Which waiting calls got a slot, and where, in the order they got it. */
  const served: string[] = [];
  const wait = (name: string, avoid?: ReadonlySet<string>): Promise<SlotResult> =>
    limiter.waitForSlot(10_000, avoid).then((result) => {
      if (result.type === 'complete') {
        served.push(`${name}@${result.endpoint.instance.key}`);
        inFlight.set(result.endpoint as Endpoint, new Attempt('ratings', result.endpoint.ref, 10_000, false));
      } else served.push(`${name} shed`);
      return result;
    });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { endpoints, limiter, occupy, free, busy: (e: Endpoint) => inFlight.has(e), wait, served, settle, at: (ms: number) => (now = ms) };
}

describe('the slot queue', () => {
  it('hands a freed slot to the oldest waiting call while the queue drains now and then (a burst)', async () => {
    const { endpoints: [a], occupy, free, wait, served, settle } = setup(1);
    occupy(a!);
    void wait('first');
    void wait('second');
    free(a!);
    await settle();
    expect(served).toEqual(['first@ratings-1']);
  });

  it('still hands it to the oldest once the queue has stood for an interval: a closed loop of more callers than the limit keeps one standing, and newest-first would starve its oldest caller', async () => {
    const { endpoints: [a], occupy, free, wait, served, settle, at, limiter } = setup(1);
    occupy(a!);
    at(1000);
    void wait('first');
    // still waiting an interval later: the queue stands
    at(1000 + QUEUE_INTERVAL_MS + 1);
    void wait('second');
    void wait('third');
    expect(limiter.queued).toBe(3);
    // within what a standing queue allows (queueTargetMs): `first` is not late
    at(1000 + QUEUE_INTERVAL_MS + 2);
    free(a!);
    await settle();
    expect(served).toEqual(['first@ratings-1']);
    free(a!);
    await settle();
    expect(served).toEqual(['first@ratings-1', 'second@ratings-1']);
  });

  describe('once the queue stands (queueTargetMs 50, overflowTargetMs 10; the instance serves one call every 20 ms)', () => {
    // the waits are judged on the test's clock when a slot frees; the real timers that would shed a call never fire
    afterEach(() => {
      jest.useRealTimers();
    });
    const SERVICE_MS = 20;

    /** Runs 30 services of SERVICE_MS from t = 1000, with `arrive(t)` adding calls at each; what the waiting calls got. */
    async function run(queue: ReturnType<typeof setup>, arrive: (t: number, n: number) => void) {
      const { endpoints: [a], occupy, free, busy, settle, at } = queue;
      occupy(a!);
      for (let n = 0; n < 30; n++) {
        const t = 1000 + n * SERVICE_MS;
        at(t);
        arrive(t, n);
        await settle();
        at(t + SERVICE_MS);
        if (busy(a!)) free(a!);
        await settle();
      }
    }

    it('holds calls up to queueTargetMs while the instances keep up with it: a closed loop of three callers on one slot waits 40 ms a call, and none is shed', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      const queue = setup(1, { queueTargetMs: 50, overflowTargetMs: 10 });
      // each caller sends its next call as soon as its last one got a slot and was served
      let caller = 0;
      await run(queue, (_t, n) => {
        if (n < 2) void queue.wait(`caller${caller++}`);
        else void queue.wait(`again${n}`);
      });
      expect(queue.served.filter((s) => s.includes('shed'))).toEqual([]);
      expect(queue.served.length).toBeGreaterThanOrEqual(28);
    });

    it('holds them only up to overflowTargetMs once it holds more than the instances serve in queueTargetMs (arrivals twice what it serves: overload)', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      const queue = setup(1, { queueTargetMs: 50, overflowTargetMs: 10 });
      await run(queue, (_t, n) => {
        void queue.wait(`a${n}`);
        void queue.wait(`b${n}`);
      });
      const outcomes = queue.served;
      // the first calls wait out the burst; once the queue overflows, every call that waited a service time (20 ms,
      // past the 10 ms) is shed when the slot frees, and the slot goes to the next call that comes (with the 50 ms
      // of a queue that keeps up, it would go to a call two or three services old)
      expect(outcomes.filter((s) => s.includes('shed')).length).toBeGreaterThan(20);
      const lastServed = outcomes.filter((s) => !s.includes('shed')).slice(-10);
      expect(lastServed.every((s) => /^[ab]\d+@/.test(s))).toBe(true);
      const n = (s: string) => Number(/^[ab](\d+)@/.exec(s)![1]);
      for (let k = 1; k < lastServed.length; k++) expect(n(lastServed[k]!)).toBeGreaterThanOrEqual(n(lastServed[k - 1]!));
      expect(n(lastServed.at(-1)!)).toBe(29);
    });
  });

  it('does not judge a standing queue overflowing before its slots have turned over once (a cold client: its first answers are slow)', async () => {
    const { endpoints: [a, b], occupy, free, wait, served, settle, at } = setup(2, { queueTargetMs: 50, overflowTargetMs: 10 });
    occupy(a!);
    occupy(b!);
    at(1000);
    void wait('first');
    void wait('second');
    // an interval later one of the two slots has turned over: no rate to judge by yet, so the standing queue's
    // 50 ms hold, not 10: the two that waited 130 ms are shed, the one that waited 29 ms gets the slot
    at(1000 + QUEUE_INTERVAL_MS + 1);
    void wait('third');
    at(1000 + QUEUE_INTERVAL_MS + 30);
    free(a!);
    await settle();
    expect(served).toEqual(['first shed', 'second shed', 'third@ratings-1']);
  });

  it('hands a waiting call no slot on an instance it already tried while another one is usable, and that one when it tried them all', async () => {
    const { endpoints: [a, b], occupy, free, wait, served, settle } = setup(2);
    occupy(a!);
    occupy(b!);
    // the call's attempt on ratings-1 failed (its instance was just killed): a slot freeing there is not for it
    void wait('retried', new Set(['ratings-1']));
    free(a!);
    await settle();
    expect(served).toEqual([]);
    free(b!);
    await settle();
    expect(served).toEqual(['retried@ratings-2']);
    // a call that tried both takes whichever frees
    void wait('triedAll', new Set(['ratings-1', 'ratings-2']));
    await settle();
    expect(served).toEqual(['retried@ratings-2', 'triedAll@ratings-1']);
  });
});
