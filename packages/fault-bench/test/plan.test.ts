import { describe, expect, it } from '@jest/globals';
import { planned, rotation } from '../src/plan.js';
import { spread } from '../src/stats.js';

describe('plan', () => {
  it('rotates the contenders so that each runs first in turn', () => {
    const items = ['a', 'b', 'c'];
    expect([0, 1, 2, 3].map((k) => rotation(items, k)[0])).toEqual(['a', 'b', 'c', 'a']);
    expect(rotation(items, 1)).toEqual(['b', 'c', 'a']);
    expect(rotation([], 2)).toEqual([]);
  });

  it('runs direct in the steady state only', () => {
    expect(planned(['steady', 'pause'], ['library', 'direct'])).toEqual([
      ['steady', ['library', 'direct']],
      ['pause', ['library']],
    ]);
  });

  it('runs library-hedged in the steady state and the tail only', () => {
    expect(planned(['steady', 'pause', 'tail'], ['library', 'library-hedged'])).toEqual([
      ['steady', ['library', 'library-hedged']],
      ['pause', ['library']],
      ['tail', ['library', 'library-hedged']],
    ]);
  });
});

describe('spread', () => {
  it('gives median, min and max, with null (never within the run) sorting last', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1])).toEqual({ median: 2.5, min: 1, max: 4, n: 2 });
    expect(spread([5, null, null])).toEqual({ median: null, min: 5, max: null, n: 3 });
    expect(spread([undefined, undefined])).toEqual({ median: null, min: null, max: null, n: 0 });
  });
});
