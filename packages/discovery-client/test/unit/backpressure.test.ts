import { describe, expect, it } from '@jest/globals';
import { retryAfterMs } from '../../src/attempt/retry-after.js';
import { DiscoveryClient, type DiscoveryEvents } from '../../src/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

const t = useClientFixture();

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP-dates, holds long ones to 30 s, and ignores what is not one', () => {
    const now = Date.parse('2026-12-07T00:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs(['5'], now)).toBe(5000);
    expect(retryAfterMs('Mon, 07 Dec 2026 00:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Sun, 06 Dec 2026 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('3600', now)).toBe(30_000);
    expect([retryAfterMs(undefined, now), retryAfterMs('', now), retryAfterMs('soon', now), retryAfterMs('-1', now)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe.each(['busy', '429'] as const)('back-pressure (%s)', (mode) => {
  it('an instance asking to be spared is avoided for that long, the call served elsewhere, and nothing counts against it', async () => {
    t.upstreams = await Promise.all([new Upstream('a').start(), new Upstream('b').start()]);
    const [a, b] = t.upstreams;
    t.client = new DiscoveryClient({ logger: false, static: { ratings: [a!.url, b!.url] } });
    const opened: Array<DiscoveryEvents['breakerOpen']> = [];
    t.client.on('breakerOpen', (e) => opened.push(e));
    const ratings = t.client.service('ratings');
    a!.mode = mode;
    for (let i = 0; i < 20; i++) expect((await ratings.get('/r').json<{ from: string }>()).from).toBe('b');
    expect(a!.hits).toBe(1); // asked once to wait 30 s: not called again
    expect(opened).toEqual([]);
    const [first] = t.client.snapshot().services[0]!.instances;
    expect(first).toMatchObject({ breaker: 'CLOSED', failures: 0 });
  });
});
