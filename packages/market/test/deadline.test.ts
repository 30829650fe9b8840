import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevConsul } from 'dev-consul';
import { register, type Registration } from 'discovery-client';
import { waitFor } from 'process-supervisor';
import { killAll, MARKET_MAIN, startListening } from './helpers/process.js';

// Deadline propagation through the market: the page's caller says how long it waits (x-request-timeout-ms); the
// market's calls to ratings (discovery-client, found in Consul) say no more than that. The ratings instance here
// is a real HTTP server registered in a real (dev) Consul that records the header each call brought.
describe('the market passes its caller\'s remaining time down to ratings', () => {
  let consul: Awaited<ReturnType<typeof startDevConsul>>;
  let ratings: http.Server;
  let registration: Registration;
  let base: string;
  const seen: number[] = [];

  beforeAll(async () => {
    consul = await startDevConsul({ port: 0 });
    ratings = http.createServer((req, res) => {
      seen.push(Number(req.headers['x-request-timeout-ms']));
      const thing = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ thing, rating: 4, instance: 9, version: '1.0' }));
    });
    await new Promise<void>((resolve) => ratings.listen(0, '127.0.0.1', resolve));
    const consulOptions = { host: '127.0.0.1', port: consul.port };
    registration = await register({ name: 'ratings', id: 'ratings-9', address: '127.0.0.1', port: (ratings.address() as AddressInfo).port, ttl: '10s', consul: consulOptions });
    // a per-attempt timeout of 1000 ms: a header below it can only come from the page's caller
    const env = { CONSUL_HTTP_ADDR: `127.0.0.1:${consul.port}`, RATINGS_TIMEOUT_MS: '1000' };
    const { port } = await startListening('market', MARKET_MAIN, [], env);
    base = `http://127.0.0.1:${port}`;
    await waitFor(async () => ((await fetch(`${base}/`)).ok && seen.length > 0), { timeoutMs: 10_000, what: 'a page with ratings' });
  });

  afterAll(async () => {
    await killAll();
    await registration?.close();
    await new Promise((resolve) => ratings?.close(resolve));
    await consul?.close();
  });

  it('without a deadline of its own, each ratings call carries the market\'s timeout', async () => {
    seen.length = 0;
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(seen).toHaveLength(4);
    expect(seen.every((ms) => ms === 1000)).toBe(true);
  });

  it('with x-request-timeout-ms on the page, each ratings call carries no more than that', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/`, { headers: { 'x-request-timeout-ms': '400' } });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(4);
    for (const ms of seen) {
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(400);
    }
  });

  it('refuses a page whose caller\'s time is up with a JSON 504 and Retry-After, asking ratings nothing', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/`, { headers: { 'x-request-timeout-ms': '0', accept: 'application/json' } });
    expect(res.status).toBe(504);
    expect(res.headers.get('retry-after')).toBe('1');
    await expect(res.json()).resolves.toMatchObject({ error: 'deadline_exceeded' });
    expect(seen).toEqual([]);
  });
});
