import { describe, expect, it } from '@jest/globals';
import type { ServiceClient } from 'discovery-client';
import { runLoad, type LoadEvent } from '../src/load/load-run.js';

/** A stand-in client: answer `i` comes after `delayMs` with the version `versionOf(i)`, or fails when it returns null. */
function fakeClient(versionOf: (i: number) => string | null, delayMs = 5, headers: Record<string, string> = {}): ServiceClient {
  let calls = 0;
  return {
    get: () => {
      const i = calls++;
      return new Promise((resolve, reject) => setTimeout(() => {
        const version = versionOf(i);
        if (version === null) reject(new Error(`boom ${i}`));
        else resolve({ statusCode: 200, headers, body: JSON.stringify({ version }), instance: { id: `i-${i % 3}`, number: 1, url: 'x' } });
      }, delayMs));
    },
  } as unknown as ServiceClient;
}

describe('runLoad (open model)', () => {
  it('sends rate × duration requests on schedule even when each answer takes longer than the interval', async () => {
    // 50 requests over 0.5 s, each answered after 200 ms: a closed loop of one would need 10 s
    const summary = await runLoad({ client: fakeClient(() => '1.0', 200), path: '/', rate: 100, durationMs: 500 });
    expect(summary.total).toBe(50);
    expect(summary.durationS).toBeLessThan(2);
    expect(summary.p50Ms).toBeGreaterThanOrEqual(199);
    expect(summary.flickerMs).toBeNull();
  });

  it('counts failures, versions and the flicker window, with one notice per version appearing', async () => {
    const events: LoadEvent[] = [];
    // 0-19: 1.0; 20-39: 1.0 and 2.0 alternate; 40-59: 2.0; request 45 fails
    const versionOf = (i: number): string | null => (i === 45 ? null : i < 20 ? '1.0' : i < 40 ? (i % 2 ? '2.0' : '1.0') : '2.0');
    const summary = await runLoad({ client: fakeClient(versionOf), path: '/', rate: 200, durationMs: 300, onEvent: (e) => events.push(e) });
    expect(summary.total).toBe(60);
    expect(summary.failed).toBe(1);
    expect(summary.versions).toEqual({ '1.0': 30, '2.0': 29 });
    // from the first 2.0 answer (request 21, ~105 ms) to the last 1.0 one (request 38, ~190 ms)
    expect(summary.flickerMs!).toBeGreaterThan(40);
    expect(summary.flickerMs!).toBeLessThan(200);
    expect(events.filter((e) => e.type === 'version').map((e) => (e as { to: string }).to)).toEqual(['1.0', '2.0']);
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(1);
    expect(summary.seconds[0]!.total).toBe(60);
  });

  it('stops sending when aborted; the requests in flight still count', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const summary = await runLoad({ client: fakeClient(() => '1.0', 50), path: '/', rate: 100, durationMs: 10_000, signal: abort.signal });
    expect(summary.total).toBeGreaterThan(10);
    expect(summary.total).toBeLessThan(40);
  });

  it('names the instance that served from X-Served-By when there is one (a gateway behind --url)', async () => {
    const events: LoadEvent[] = [];
    await runLoad({ client: fakeClient(() => '1.0', 1, { 'x-served-by': 'posts-2' }), path: '/', rate: 100, durationMs: 50, onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === 'version')).toMatchObject({ to: '1.0', instance: 'posts-2' });
  });
});

describe('runLoad (closed loop)', () => {
  it('runs `concurrency` workers, each sending again as soon as its answer came, never more in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const client = {
      get: () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        return new Promise((resolve) => setTimeout(() => {
          inFlight -= 1;
          resolve({ statusCode: 200, headers: {}, body: '{"version":"1.0"}', instance: { id: 'i-1', number: 1, url: 'x' } });
        }, 10));
      },
    } as unknown as ServiceClient;
    const summary = await runLoad({ client, path: '/', concurrency: 3, durationMs: 300 });
    expect(maxInFlight).toBe(3);
    expect(summary).toMatchObject({ model: 'closed', concurrency: 3, failed: 0, versions: { '1.0': summary.total } });
    // 3 workers, 10 ms each, for 300 ms: about 90 requests, never more than 3 per 10 ms
    expect(summary.total).toBeGreaterThan(15);
    expect(summary.total).toBeLessThanOrEqual(3 * Math.ceil(300 / 10) + 3);
    expect(summary.rps).toBeGreaterThan(0);
  });
});
