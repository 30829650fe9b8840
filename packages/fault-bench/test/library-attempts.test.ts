/**
 * The library contender's attempts are those it sent: with every connection of its pools busy (two instances
 * that hold every request), further attempts wait in undici's queue and time out there; they were picked but
 * never reached an instance, and the records must not count them.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AttemptLog, createClient } from '../src/clients.js';

const PATH = '/ratings/camera';

/** A server that never answers the work path, counting what reaches it. */
async function holdingServer(): Promise<{ server: http.Server; url: string; arrivals: () => number }> {
  let arrivals = 0;
  const server = http.createServer((req, res) => {
    if (req.url === PATH) arrivals++;
    else res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals: () => arrivals };
}

describe('the library contender\'s attempt records', () => {
  const servers: http.Server[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('count the attempts that reached an instance, not those still queued in undici\'s pool', async () => {
    const held = [await holdingServer(), await holdingServer()];
    servers.push(...held.map((h) => h.server));
    const log = new AttemptLog(() => performance.now());
    const client = createClient('library', held.map((h) => h.url), PATH, log);
    try {
      // 2 × 32 connections: most of the 150 calls' attempts wait for one, then time out or are given up
      const calls = Array.from({ length: 150 }, (_, rid) => client.call(rid).then(() => 'answered', () => 'failed'));
      expect(new Set(await Promise.all(calls))).toEqual(new Set(['failed']));
    } finally {
      await client.close();
    }
    const arrived = held.reduce((sum, h) => sum + h.arrivals(), 0);
    expect(arrived).toBeGreaterThan(0);
    // every arrival was sent; some sent after waiting in the queue are reset a moment later by their attempt's
    // timeout and never arrive (110–129 sent for 105–114 arrivals). Counted at the pick, as before, it was 280
    // attempts for 128 arrivals.
    expect(log.attempts.length).toBeGreaterThanOrEqual(arrived);
    expect(log.attempts.length).toBeLessThan(arrived * 1.5);
    expect(log.attempts.every((a) => a.rid >= 0 && a.rid < 150)).toBe(true);
  });
});
