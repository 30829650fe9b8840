import { afterAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { stopAll, waitFor } from 'process-supervisor';
import { CapacityQueue, throughput, type Clock } from '../src/capacity.js';
import { Instance } from '../src/instances.js';

/**
 * A fake clock: timers run in time order (then in the order they were set) when `advance` passes them, each
 * `lateMs` after it was due (an event loop that lags).
 */
function fakeClock(lateMs = 0): Clock & { advance(ms: number): void; readonly t: number } {
  let now = 0;
  let seq = 0;
  const timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  return {
    now: () => now,
    schedule: (fn, ms) => void timers.push({ at: now + ms + lateMs, seq: seq++, fn }),
    advance(ms) {
      const until = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        if (!timers.length || timers[0]!.at > until) break;
        const timer = timers.shift()!;
        now = timer.at;
        timer.fn();
      }
      now = until;
    },
    get t() {
      return now;
    },
  };
}

describe('CapacityQueue', () => {
  it('serves at most `concurrency` at a time, each for `serviceMs`, the rest in arrival order', () => {
    const clock = fakeClock();
    const queue = new CapacityQueue({ concurrency: 2, serviceMs: 10 }, clock);
    const done: Array<[number, number]> = [];
    for (let i = 0; i < 5; i++) queue.submit(() => done.push([i, clock.t]));
    expect([queue.inService, queue.queued]).toEqual([2, 3]);
    clock.advance(9);
    expect(done).toEqual([]);
    clock.advance(1);
    expect(done).toEqual([[0, 10], [1, 10]]);
    expect([queue.inService, queue.queued]).toEqual([2, 1]);
    clock.advance(20);
    expect(done).toEqual([[0, 10], [1, 10], [2, 20], [3, 20], [4, 30]]);
    expect([queue.inService, queue.queued, queue.maxQueued]).toEqual([0, 0, 3]);
  });

  it('serves a steady stream below capacity without queueing, and one above it with a growing queue', () => {
    const run = (perMs: number): CapacityQueue => {
      const clock = fakeClock();
      const queue = new CapacityQueue({ concurrency: 4, serviceMs: 20 }, clock); // 200/s
      for (let t = 0; t < 1000; t += 1 / perMs) {
        clock.advance(t - clock.t);
        queue.submit(() => undefined);
      }
      return queue;
    };
    expect(run(0.19).maxQueued).toBe(0); // 190/s: never waits
    expect(run(0.25).maxQueued).toBeGreaterThanOrEqual(45); // 250/s for 1 s: about 50 waiting at the end
  });

  it('keeps its capacity when its timers fire late: the next request of a slot starts when the previous one was due to end', () => {
    const clock = fakeClock(3); // every timer 3 ms late: 20 ms of service would become 23
    const queue = new CapacityQueue({ concurrency: 4, serviceMs: 20 }, clock);
    let served = 0;
    for (let i = 0; i < 400; i++) queue.submit(() => served++);
    clock.advance(1000);
    expect(served).toBeGreaterThanOrEqual(196); // 200/s, not 174/s
    expect(served).toBeLessThanOrEqual(200);
  });

  it('never serves a request in less than `serviceMs` after it arrived, even when its slot was due earlier', () => {
    const clock = fakeClock(10); // the slot's timer fires 10 ms late
    const queue = new CapacityQueue({ concurrency: 1, serviceMs: 20 }, clock);
    const done: number[] = [];
    queue.submit(() => done.push(clock.t)); // due at 20, answered at 30
    clock.advance(25);
    queue.submit(() => done.push(clock.t)); // arrives at 25 while the slot is still busy
    clock.advance(100);
    // the slot was due free at 20, but this request arrived at 25: it ends 20 ms later, at 45 (+10 late)
    expect(done).toEqual([30, 55]);
  });

  it('without a limit, only delays', () => {
    const clock = fakeClock();
    const queue = new CapacityQueue({ concurrency: Infinity, serviceMs: 50 }, clock);
    let served = 0;
    for (let i = 0; i < 1000; i++) queue.submit(() => served++);
    clock.advance(50);
    expect([served, queue.maxQueued]).toEqual([1000, 0]);
  });

  it('serves a request with its own service time when it has one (a late answer), in its turn', () => {
    const clock = fakeClock();
    const queue = new CapacityQueue({ concurrency: 1, serviceMs: 10 }, clock);
    const done: Array<[string, number]> = [];
    queue.submit(() => done.push(['a', clock.t]));
    queue.submit(() => done.push(['late', clock.t]), 200);
    queue.submit(() => done.push(['b', clock.t]));
    clock.advance(300);
    expect(done).toEqual([['a', 10], ['late', 210], ['b', 220]]);
  });

  it('goes on with the next request when an answer throws', () => {
    const clock = fakeClock();
    const queue = new CapacityQueue({ concurrency: 1, serviceMs: 5 }, clock);
    let served = 0;
    queue.submit(() => {
      throw new Error('boom');
    });
    queue.submit(() => served++);
    expect(() => clock.advance(5)).toThrow('boom');
    clock.advance(5);
    expect(served).toBe(1);
  });

  it('states its throughput', () => {
    expect(throughput({ concurrency: 10, serviceMs: 50 }, 3)).toBe(600);
  });
});

/** GET `path` on `port`, resolves with how long it took (-1: failed); `abortAfterMs` destroys the request (the client goes away) after that long. */
function get(port: number, abortAfterMs?: number, path = '/ratings/camera'): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    });
    req.on('error', () => resolve(-1));
    if (abortAfterMs !== undefined) setTimeout(() => req.destroy(), abortAfterMs);
  });
}

describe('a capacity-limited instance process', () => {
  afterAll(() => stopAll());

  it('queues what exceeds its concurrency, serves an abandoned request anyway, and counts arrivals', async () => {
    const instance = await Instance.start(1, 0, { concurrency: 2, serviceMs: 100 });
    try {
      // 5 requests at once, the fifth abandoned after 50 ms: it is served (to nobody) in the third wave
      const all = Promise.all([get(instance.port), get(instance.port), get(instance.port), get(instance.port), get(instance.port, 50)]);
      // two in service, three queued (the first wave ends at 100 ms): health does not queue behind them
      await waitFor(async () => (await instance.stats()).arrivals.length === 5, { intervalMs: 5, what: 'the five requests to arrive' });
      expect(await get(instance.port, undefined, '/health')).toBeLessThan(50);
      const times = await all;
      expect(times[4]).toBe(-1);
      const sorted = times.slice(0, 4).sort((a, b) => a - b);
      expect(sorted[1]).toBeGreaterThanOrEqual(95);
      expect(sorted[1]).toBeLessThan(190);
      expect(sorted[3]).toBeGreaterThanOrEqual(195);
      const stats = await waitFor(async () => {
        const current = await instance.stats();
        return current.served === 5 && current; // the third wave: the abandoned one, served to nobody
      }, { what: 'the abandoned request to be served' });
      expect(stats.arrivals).toHaveLength(5);
      expect([stats.served, stats.abandoned, stats.maxQueued]).toEqual([5, 1, 3]);
    } finally {
      await instance.stop();
    }
  });

  it('answers one request in 50 10–20 × late in tail mode', async () => {
    const instance = await Instance.start(1, 0, { concurrency: Infinity, serviceMs: 20 });
    try {
      await instance.tail();
      const times = (await Promise.all(Array.from({ length: 100 }, () => get(instance.port)))).sort((a, b) => b - a);
      // requests 50 and 100 take 200–400 ms (timers never fire early); the other 98 just 20 ms
      expect(times[0]).toBeGreaterThanOrEqual(195);
      expect(times[1]).toBeGreaterThanOrEqual(195);
    } finally {
      await instance.stop();
    }
  });
});
