import { describe, expect, it, jest } from '@jest/globals';
import { DEFAULT_QUERY_WAIT_MS, MAX_QUERY_WAIT_MS, WatchSet, parseBlockingParams } from '../../src/blocking.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);

describe('index and wait parsing', () => {
  it('defaults wait to 5 minutes when missing or <= 0, clamps to 10 minutes, adds up to wait/16 jitter', () => {
    expect(parseBlockingParams(q('index=5'), () => 0)).toEqual({ minIndex: 5, timeoutMs: DEFAULT_QUERY_WAIT_MS });
    expect(parseBlockingParams(q('index=5&wait=0s'), () => 0).timeoutMs).toBe(DEFAULT_QUERY_WAIT_MS);
    expect(parseBlockingParams(q('index=5&wait=-3s'), () => 0).timeoutMs).toBe(DEFAULT_QUERY_WAIT_MS);
    expect(parseBlockingParams(q('wait=20m'), () => 0).timeoutMs).toBe(MAX_QUERY_WAIT_MS);
    expect(parseBlockingParams(q('wait=16s'), () => 0.999999).timeoutMs).toBeCloseTo(17_000, -1);
    expect(parseBlockingParams(q('wait=16s'), () => 0.999999).timeoutMs).toBeLessThan(17_000);
    expect(parseBlockingParams(q(''), () => 0).minIndex).toBe(0);
  });

  it('rejects a wait without unit and a non-numeric or negative index', () => {
    expect(() => parseBlockingParams(q('wait=30'))).toThrow('Invalid wait time');
    expect(() => parseBlockingParams(q('index=abc'))).toThrow('Invalid index');
    expect(() => parseBlockingParams(q('index=-1'))).toThrow('Invalid index');
    expect(() => parseBlockingParams(q('index=18446744073709551616'))).toThrow('Invalid index');
  });
});

describe('WatchSet', () => {
  it('resolves on notify once the index passes, or at the timeout, never for index 0', async () => {
    jest.useFakeTimers();
    try {
      const watches = new WatchSet();
      let index = 10;
      let woke = false;
      const parked = watches.wait(() => index, 10, 60_000).then(() => (woke = true));
      watches.notify();
      await Promise.resolve();
      expect(woke).toBe(false);
      index = 11;
      watches.notify();
      await parked;
      expect(woke).toBe(true);
      let timedOut = false;
      const slow = watches.wait(() => index, 99, 1000).then(() => (timedOut = true));
      jest.advanceTimersByTime(999);
      await Promise.resolve();
      expect(timedOut).toBe(false);
      jest.advanceTimersByTime(1);
      await slow;
      expect(watches.size).toBe(0);
      await watches.wait(() => 1, 0, 1_000_000);
    } finally {
      jest.useRealTimers();
    }
  });
});
