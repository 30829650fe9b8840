import { describe, expect, it } from '@jest/globals';
import { intendedTimes, rateAt } from '../src/schedule.js';

describe('intendedTimes', () => {
  it('sends request i at i / rate for a constant rate, as the generator always did', () => {
    const times = intendedTimes(500, 10_000);
    expect(times).toHaveLength(5000);
    expect(times[1]).toBe(2);
    expect(times[4999]).toBe(9998);
  });

  it('changes the rate at each change, evenly spaced within each piece', () => {
    const times = intendedTimes(400, 3000, [{ atMs: 1000, rate: 1000 }, { atMs: 2000, rate: 400 }]);
    expect(times).toHaveLength(400 + 1000 + 400);
    expect(times.filter((t) => t >= 1000 && t < 2000)).toHaveLength(1000);
    expect(times[400]).toBe(1000);
    expect(times[401]).toBe(1001);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(rateAt(400, [{ atMs: 1000, rate: 1000 }], 999)).toBe(400);
    expect(rateAt(400, [{ atMs: 1000, rate: 1000 }], 1000)).toBe(1000);
  });

  it('refuses changes out of order', () => {
    expect(() => intendedTimes(100, 3000, [{ atMs: 2000, rate: 1 }, { atMs: 1000, rate: 2 }])).toThrow('ascending');
  });
});
