import { describe, expect, it } from '@jest/globals';
import { renderMarketPage } from '../src/page.js';
import type { RatingView } from '../src/ratings-source.js';
import { THINGS } from '../src/things.js';

const page = (views: RatingView[]): string => renderMarketPage({
  things: THINGS,
  ratings: new Map(THINGS.map((thing, index) => [thing.id, views[index]!])),
  cart: new Map(),
});

describe('the shop page when ratings cannot answer', () => {
  it('does not promise last ratings it never had: before any rating, it only says ratings are unavailable', () => {
    const html = page(THINGS.map(() => ({ kind: 'none', reason: 'all ratings instances are down' })));
    expect(html).toContain('Ratings are unavailable right now.');
    expect(html).not.toContain('showing the last ratings we had');
    expect(html.match(/No rating yet/g)).toHaveLength(4);
  });

  it('says it shows the last ratings it had when it has some', () => {
    const html = page(THINGS.map((_thing, index) => (index === 0
      ? { kind: 'none', reason: 'all ratings instances are down' }
      : { kind: 'stale', stars: 4, gotAt: 0, reason: 'all ratings instances are down' })));
    expect(html).toContain('Ratings are unavailable right now: showing the last ratings we had.');
    expect(html.match(/last known, may be stale/g)).toHaveLength(3);
  });

  it('shows no warning while every rating is fresh', () => {
    const html = page(THINGS.map(() => ({ kind: 'fresh', stars: 5, instance: 1 })));
    expect(html).not.toContain('Ratings are unavailable');
  });
});
