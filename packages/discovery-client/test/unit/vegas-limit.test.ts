import { describe, expect, it } from '@jest/globals';
import { VegasLimit, type VegasLimitSettings } from '../../src/overload/vegas-limit.js';

// The limit reads no clock of its own: every answer carries when its attempt was sent and how long it took, so
// these tests drive time by hand (ms on a fake `performance.now()` line starting at 0).

const SETTINGS: VegasLimitSettings = { initialLimit: 20, minLimit: 2, maxLimit: 1000, minRttWindowMs: 60_000 };
const NO_LOAD_MS = 10;

/** A limit and a fake clock: `round` sends three attempts at `now` and answers them, which ends a round. */
function vegas(settings: Partial<VegasLimitSettings> = {}) {
  const limit = new VegasLimit({ ...SETTINGS, ...settings }, 0);
  let now = 0;
  return {
    limit,
    get now() {
      return now;
    },
    /** One round: three attempts sent now, answered after `rttMs` each, `inFlight` in flight (default: the limit). */
    round(rttMs: number, inFlight = limit.current): number {
      const sentAt = now;
      for (let i = 0; i < 3; i++) limit.onAnswer(sentAt, rttMs, inFlight);
      now = sentAt + rttMs;
      return limit.current;
    },
    /** Rounds at `rttMs` with the limit in flight, `count` of them; the limits after each. */
    rounds(count: number, rttMs: number): number[] {
      return Array.from({ length: count }, () => this.round(rttMs));
    },
  };
}

describe('VegasLimit', () => {
  it('starts at initialLimit and doubles each round while latency stays at the no-load latency', () => {
    const v = vegas();
    expect(v.limit.current).toBe(20);
    expect(v.rounds(4, NO_LOAD_MS)).toEqual([40, 80, 160, 320]);
    expect(v.limit.noLoadLatencyMs).toBe(NO_LOAD_MS);
  });

  it('does not grow while the caller has fewer than half the limit in flight (app-limited)', () => {
    const v = vegas();
    expect(v.round(NO_LOAD_MS, 9)).toBe(20);
    expect(v.round(NO_LOAD_MS, 9)).toBe(20);
    expect(v.round(NO_LOAD_MS, 10)).toBeGreaterThan(20);
  });

  it('ends its slow start at the first app-limited round: demand that rises after a quiet spell grows it by log10(limit) a round, not twice over', () => {
    // a surge's first round still reads the no-load latency (its answers were sent before the queue built):
    // doubling there sent 40 attempts to instances that serve 10 at a time (the fault benchmark's `surge`)
    const v = vegas();
    expect(v.round(NO_LOAD_MS, 9)).toBe(20);
    expect(v.round(NO_LOAD_MS, 20)).toBe(Math.floor(20 + Math.log10(20)));
    // without the quiet round it doubles (the first test): this is what the app-limited round changed
    expect(vegas().round(NO_LOAD_MS, 20)).toBe(40);
  });

  it('app-limited, a raised limit falls back to twice the demand in flight, never below initialLimit', () => {
    const v = vegas();
    v.rounds(3, NO_LOAD_MS);
    expect(v.limit.current).toBe(160);
    expect(v.round(NO_LOAD_MS, 30)).toBe(60);
    expect(v.round(NO_LOAD_MS, 5)).toBe(20);
    expect(v.round(NO_LOAD_MS, 1)).toBe(20);
  });

  it('drops in one round to limit × noLoad / standing + 2 log10(limit) when the queue exceeds 4 log10(limit)', () => {
    const v = vegas();
    v.rounds(3, NO_LOAD_MS);
    expect(v.limit.current).toBe(160);
    // the round's latency is its smallest answer (the standing latency): 20 ms, not the 40 ms of its slowest
    const sentAt = v.now;
    v.limit.onAnswer(sentAt, 40, 160);
    v.limit.onAnswer(sentAt, 20, 160);
    v.limit.onAnswer(sentAt, 30, 160);
    expect(v.limit.current).toBe(Math.floor((160 * NO_LOAD_MS) / 20 + 2 * Math.log10(160)));
    expect(v.limit.current).toBe(84);
  });

  it('holds the limit while the queue is between 2 and 4 log10(limit); after a drop it grows by log10(limit) a round', () => {
    const v = vegas({ initialLimit: 100 });
    expect(v.round(NO_LOAD_MS)).toBe(200);
    // a standing latency that puts 6 requests in the instance's queue: 200 × (1 − 10 / rtt) = 6, inside [4.6, 9.2]
    expect(v.round((200 * NO_LOAD_MS) / (200 - 6))).toBe(200);
    // a drop ends the slow start: no more doubling
    v.limit.onDrop();
    const afterDrop = 200 - Math.log10(200);
    expect(v.limit.current).toBe(Math.floor(afterDrop));
    expect(v.round(NO_LOAD_MS)).toBe(Math.floor(afterDrop + Math.log10(afterDrop)));
  });

  it('ignores answers to attempts sent before the round began', () => {
    const v = vegas();
    expect(v.round(NO_LOAD_MS)).toBe(40);
    // three slow answers to attempts sent during the last round: they would read a queue of 36 and drop the limit to 7
    for (let i = 0; i < 3; i++) v.limit.onAnswer(v.now - 5, 100, 40);
    expect(v.limit.current).toBe(40);
    expect(v.round(NO_LOAD_MS)).toBe(80);
  });

  it('a timed-out attempt (a drop) lowers the limit by log10(limit), by at least 1', () => {
    const big = vegas({ initialLimit: 100 });
    big.limit.onDrop();
    expect(big.limit.current).toBe(98);
    const small = vegas({ initialLimit: 8 });
    small.limit.onDrop();
    expect(small.limit.current).toBe(7);
  });

  it('never leaves [minLimit, maxLimit]', () => {
    const capped = vegas({ maxLimit: 50 });
    expect(capped.rounds(3, NO_LOAD_MS)).toEqual([40, 50, 50]);
    const floored = vegas({ initialLimit: 6, minLimit: 5 });
    for (let i = 0; i < 5; i++) floored.limit.onDrop();
    expect(floored.limit.current).toBe(5);
    // a queue that would drop it to 6 × 10 / 1000 + 2 ≈ 2 stops at minLimit too
    floored.round(NO_LOAD_MS);
    expect(floored.round(1000)).toBe(5);
  });

  it('forgets the no-load latency after minRttWindowMs: an instance that became slower is not read as queueing for ever', () => {
    const v = vegas({ minRttWindowMs: 1000 });
    v.round(NO_LOAD_MS);
    // from now on the instance answers in 30 ms with nothing queued (a slower release, say)
    const seen: Array<[number, number]> = [];
    while (v.now < 1500) {
      v.round(30, 3);
      seen.push([v.now, v.limit.noLoadLatencyMs]);
    }
    expect(seen.filter(([at]) => at < 1000).every(([, noLoad]) => noLoad === NO_LOAD_MS)).toBe(true);
    expect(seen.filter(([at]) => at >= 1100).every(([, noLoad]) => noLoad === 30)).toBe(true);
    // and a round at 30 ms with the limit in flight grows the limit again instead of shrinking it
    const before = v.limit.current;
    expect(v.round(30)).toBeGreaterThan(before);
  });
});
