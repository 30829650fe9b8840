import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { killAll, MARKET_MAIN, startListening } from './helpers/process.js';

describe('the market monolith over HTTP', () => {
  let base: string;

  beforeAll(async () => {
    const { port } = await startListening('market', MARKET_MAIN, ['--monolith'], {});
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(killAll);

  it('answers /health with its mode', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    await expect(res.json()).resolves.toEqual({ status: 'ok', mode: 'monolith' });
  });

  it('serves Prometheus metrics, its own included', async () => {
    await fetch(`${base}/`);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^market_page_renders_total [1-9]/m);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('answers JSON errors without stack traces', async () => {
    const missing = await fetch(`${base}/nowhere`, { headers: { accept: 'application/json' } });
    expect(missing.status).toBe(404);
    await expect(missing.json()).resolves.toEqual({ error: 'not_found', message: 'no page at GET /nowhere' });

    const unknown = await fetch(`${base}/cart`, {
      method: 'POST', body: 'thing=widget', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    expect(unknown.status).toBe(400);
    await expect(unknown.json()).resolves.toEqual({ error: 'unknown_thing', message: 'the market does not sell "widget"' });

    const tooBig = await fetch(`${base}/cart`, {
      method: 'POST', body: `thing=${'x'.repeat(10_000)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    expect(tooBig.status).toBe(413);
    const body = await tooBig.text();
    expect(JSON.parse(body)).toEqual({ error: 'bad_request', message: 'the request could not be understood' });
    expect(body).not.toMatch(/at .*\.js/);
  });

  it('adds to the cart with a cookie and checks out', async () => {
    const add = await fetch(`${base}/cart`, {
      method: 'POST', body: 'thing=camera', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'cart=guitar:1' },
    });
    expect(add.status).toBe(303);
    expect(add.headers.get('set-cookie')).toMatch(/^cart=guitar:1\.camera:1;/);
    const checkout = await fetch(`${base}/checkout`, { method: 'POST', redirect: 'manual', headers: { cookie: 'cart=guitar:1.camera:1' } });
    expect(checkout.status).toBe(303);
    expect(checkout.headers.get('location')).toBe('/?ordered=2');
    expect(checkout.headers.get('set-cookie')).toMatch(/^cart=;/);
  });

  it('shows a status page that says it is a monolith', async () => {
    const res = await fetch(`${base}/status.json`);
    await expect(res.json()).resolves.toMatchObject({ mode: 'monolith', instances: [] });
    expect(await (await fetch(`${base}/status`)).text()).toContain('<h1>Status</h1>');
  });
});
