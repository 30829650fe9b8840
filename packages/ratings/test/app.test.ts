import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRatingsApp } from '../src/app.js';
import type { Log } from '../src/log.js';
import { RATINGS } from '../src/things.js';

describe('the ratings API', () => {
  let server: Server;
  let base: string;
  const lines: string[] = [];
  const log: Log = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };

  beforeAll(async () => {
    const app = createRatingsApp({ instance: 3, version: '2.1', log });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a rating whose caller\'s time is up with a JSON 504 and Retry-After, and a malformed deadline with a 400', async () => {
    lines.length = 0;
    const expired = await fetch(`${base}/ratings/camera`, { headers: { 'x-request-timeout-ms': '0' } });
    expect(expired.status).toBe(504);
    expect(expired.headers.get('retry-after')).toBe('1');
    await expect(expired.json()).resolves.toMatchObject({ error: 'deadline_exceeded', message: expect.stringContaining('x-request-timeout-ms') });
    const bad = await fetch(`${base}/ratings/camera`, { headers: { 'x-request-timeout-ms': '-20' } });
    expect(bad.status).toBe(400);
    await expect(bad.json()).resolves.toMatchObject({ error: 'bad_request_timeout' });
    expect(lines).toEqual([]);
    const inTime = await fetch(`${base}/ratings/camera`, { headers: { 'x-request-timeout-ms': '1000' } });
    expect(inTime.status).toBe(200);
  });

  it('rates a known thing and says which instance and version answered', async () => {
    const res = await fetch(`${base}/ratings/camera`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    await expect(res.json()).resolves.toEqual({ thing: 'camera', rating: 4, votes: 3, instance: 3, version: '2.1' });
    expect(lines).toContain('GET camera => 4');
  });

  it('answers without votes in version 1.0, and with its color when it has one', async () => {
    const app = createRatingsApp({ instance: 1, version: '1.0', color: 'blue' });
    const v1 = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => v1.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(v1.address() as AddressInfo).port}/ratings/camera`);
      await expect(res.json()).resolves.toEqual({ thing: 'camera', rating: 4, instance: 1, version: '1.0', color: 'blue' });
    } finally {
      await new Promise((resolve) => v1.close(resolve));
    }
  });

  it('gives every thing the same rating every time, from 1 to 5', async () => {
    for (const thing of Object.keys(RATINGS)) {
      const first = await (await fetch(`${base}/ratings/${thing}`)).json() as { rating: number };
      const second = await (await fetch(`${base}/ratings/${thing.toUpperCase()}`)).json() as { rating: number };
      expect(first.rating).toBe(second.rating);
      expect(first.rating).toBeGreaterThanOrEqual(1);
      expect(first.rating).toBeLessThanOrEqual(5);
    }
  });

  it('answers 404 in JSON for a thing it does not know', async () => {
    const res = await fetch(`${base}/ratings/widget`);
    expect(res.status).toBe(404);
    await expect(res.json()).resolves.toEqual({ error: 'unknown_thing', message: 'no rating for "widget": ratings does not know this thing' });
    expect(lines).toContain('GET widget => 404 unknown thing');
    // names inherited from Object.prototype are not things either
    expect((await fetch(`${base}/ratings/constructor`)).status).toBe(404);
  });

  it('answers JSON errors for unknown routes and bad URLs, without stack traces', async () => {
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    await expect(missing.json()).resolves.toEqual({ error: 'not_found', message: 'no route for GET /nope' });
    const bad = await fetch(`${base}/ratings/%E0%A4%A`);
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(JSON.parse(text)).toEqual({ error: 'bad_request', message: 'the request could not be understood' });
    expect(text).not.toContain('at ');
  });

  it('answers /health', async () => {
    const res = await fetch(`${base}/health`);
    await expect(res.json()).resolves.toEqual({ status: 'ok', instance: 3, version: '2.1' });
  });
});
