/**
 * Blocking-query rules (contract section 3, traps 1-5): index headers, index=0, waking on change,
 * client index ahead, wait parsing, no busy loops on idempotent writes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { call, health, register, start } from './helpers.js';
import type { DevConsulHandle, Entry } from './helpers.js';

describe('blocking queries', () => {
  let consul: DevConsulHandle;
  beforeEach(async () => {
    consul = await start();
  });
  afterEach(async () => {
    await consul.close();
  });

  it('sends X-Consul-Index >= 1 and the query-meta headers on health and catalog reads, even for unknown services', async () => {
    for (const path of ['/v1/health/service/nope', '/v1/catalog/services', '/v1/catalog/service/nope', '/v1/catalog/nodes', '/v1/health/checks/nope', '/v1/health/state/any', '/v1/health/node/test-node', '/v1/catalog/node/test-node']) {
      const res = await call(consul, 'GET', path);
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('x-consul-knownleader')).toBe('true');
      expect(res.headers.get('x-consul-lastcontact')).toBe('0');
      expect(res.headers.get('x-consul-effective-consistency')).toBe('leader');
      expect(res.headers.get('content-type')).toBe('application/json');
    }
    expect((await call(consul, 'GET', '/v1/health/service/nope')).text).toBe('[]');
  });

  it('agent endpoints send no X-Consul-Index', async () => {
    for (const path of ['/v1/agent/services', '/v1/agent/checks', '/v1/agent/self', '/v1/status/leader']) {
      const res = await call(consul, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-consul-index')).toBeNull();
    }
  });

  it('index=0 never blocks, even with a long wait', async () => {
    const started = Date.now();
    const res = await call(consul, 'GET', '/v1/health/service/web?index=0&wait=30s');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a query at the current index parks and wakes within milliseconds of a real change', async () => {
    const { index } = await health(consul, 'web');
    let wokeAt = 0;
    const parked = health(consul, 'web', `?index=${index}&wait=20s`).then((r) => {
      wokeAt = Date.now();
      return r;
    });
    // A fixed pause that proves a negative (no state to wait for): still parked after 200 ms, nothing woke it early.
    await sleep(200);
    expect(wokeAt).toBe(0);
    const changedAt = Date.now();
    await register(consul, { Name: 'web', Port: 80 });
    const result = await parked;
    expect(result.entries.map((e) => e.Service.ID)).toEqual(['web']);
    expect(result.index).toBeGreaterThan(index);
    // Generous margin for a loaded machine; the benchmark measures the real figure.
    expect(wokeAt - changedAt).toBeLessThan(500);
  });

  it('per-service indexes: churn in another service does not wake a watcher', async () => {
    await register(consul, { Name: 'web', Port: 80 });
    const { index } = await health(consul, 'web');
    let woke = false;
    const parked = health(consul, 'web', `?index=${index}&wait=1s`).then((r) => {
      woke = true;
      return r;
    });
    await register(consul, { Name: 'other', Port: 81 });
    // A fixed pause that proves a negative: still parked 300 ms after the other service changed.
    await sleep(300);
    expect(woke).toBe(false);
    const result = await parked;
    expect(result.index).toBe(index);
  });

  it('identical re-registration and repeated identical TTL passes do not bump the index', async () => {
    const def = { Name: 'api', ID: 'api-1', Port: 9000, Check: { TTL: '30s' } };
    await register(consul, def);
    await call(consul, 'PUT', '/v1/agent/check/pass/service:api-1');
    const before = await health(consul, 'api');
    for (let i = 0; i < 5; i++) await call(consul, 'PUT', '/v1/agent/check/pass/service:api-1');
    await register(consul, def);
    const after = await health(consul, 'api');
    expect(after.index).toBe(before.index);
  });

  it('a client index ahead of ours blocks until the wait ends, then returns our lower index', async () => {
    const { index } = await health(consul, 'web');
    const started = Date.now();
    const res = await health(consul, 'web', `?index=${index + 1000}&wait=1s`);
    const took = Date.now() - started;
    expect(res.index).toBe(index);
    expect(took).toBeGreaterThanOrEqual(950);
    // wait + wait/16 jitter, with room for a busy machine (node-consul's socket timeout is wait + 10%).
    expect(took).toBeLessThan(1062 + 400);
  });

  it('parses wait like Go: missing unit is a 400, bad index is a 400', async () => {
    const noUnit = await call(consul, 'GET', '/v1/health/service/web?index=1&wait=30');
    expect(noUnit.status).toBe(400);
    expect(noUnit.text).toBe('Invalid wait time');
    const badIndex = await call(consul, 'GET', '/v1/health/service/web?index=-1');
    expect(badIndex.status).toBe(400);
    expect(badIndex.text).toBe('Invalid index');
  });

  it('?stale and ?consistent set the effective consistency, together they are a 400', async () => {
    expect((await call(consul, 'GET', '/v1/health/service/web?stale')).headers.get('x-consul-effective-consistency')).toBe('stale');
    expect((await call(consul, 'GET', '/v1/health/service/web?consistent')).headers.get('x-consul-effective-consistency')).toBe('consistent');
    const both = await call(consul, 'GET', '/v1/health/service/web?stale&consistent');
    expect(both.status).toBe(400);
    expect(both.text).toBe('Cannot specify ?stale with ?consistent, conflicting semantics.');
  });

  it('deregistering the last instance wakes the watcher with [] and a higher index', async () => {
    await register(consul, { Name: 'solo', Port: 1 });
    const { index } = await health(consul, 'solo');
    const parked = health(consul, 'solo', `?index=${index}&wait=10s`);
    await call(consul, 'PUT', '/v1/agent/service/deregister/solo');
    const result = await parked;
    expect(result.entries).toEqual([]);
    expect(result.index).toBeGreaterThan(index);
  });

  it('KV reads block on their own index', async () => {
    await call(consul, 'PUT', '/v1/kv/flag', 'blue');
    const first = await call(consul, 'GET', '/v1/kv/flag');
    const index = Number(first.headers.get('x-consul-index'));
    const parked = call(consul, 'GET', `/v1/kv/flag?index=${index}&wait=10s`);
    await call(consul, 'PUT', '/v1/kv/flag', 'green');
    const res = await parked;
    expect(Buffer.from(res.json<Array<{ Value: string }>>()[0]?.Value ?? '', 'base64').toString()).toBe('green');
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(index);
  });

  it('close() releases parked queries so nothing keeps the process alive', async () => {
    const other = await start();
    const { index } = await health(other, 'x');
    let settled = false;
    const parked = call(other, 'GET', `/v1/health/service/x?index=${index}&wait=60s`).catch((e: unknown) => e).finally(() => (settled = true));
    // A fixed pause that proves a negative: still parked after 100 ms, so what ends it below is close().
    await sleep(100);
    expect(settled).toBe(false);
    const started = Date.now();
    await other.close();
    await parked;
    expect(Date.now() - started).toBeLessThan(2000);
  });

  describe('a service that does not exist (Consul maxIndexForService and its watch set)', () => {
    const indexOf = async (path: string): Promise<number> => Number((await call(consul, 'GET', path)).headers.get('x-consul-index'));
    /** Parks a blocking read and records when it returns. */
    const park = (path: string) => {
      const started = Date.now();
      let returnedAfter: number | undefined;
      const done = call(consul, 'GET', path).then((answer) => {
        returnedAfter = Date.now() - started;
        return answer;
      });
      return { done, woke: () => returnedAfter !== undefined, took: () => returnedAfter ?? Infinity };
    };

    it('answers the last extinction index, which changes elsewhere do not move', async () => {
      await register(consul, { Name: 'gone', ID: 'gone-1', Port: 1 });
      await call(consul, 'PUT', '/v1/agent/service/deregister/gone-1');
      const extinction = await indexOf('/v1/health/service/gone');
      expect(await indexOf('/v1/health/service/ghost')).toBe(extinction);
      expect(await indexOf('/v1/catalog/service/ghost')).toBe(extinction);
      expect(await indexOf('/v1/health/checks/ghost')).toBe(extinction);
      await register(consul, { Name: 'web', ID: 'web-1', Port: 80, Check: { TTL: '30s' } });
      await call(consul, 'PUT', '/v1/agent/check/pass/service:web-1');
      await call(consul, 'PUT', '/v1/kv/some/key', 'value');
      expect(await indexOf('/v1/health/service/ghost')).toBe(extinction);
      // The last instance of another service going away is the next extinction.
      await call(consul, 'PUT', '/v1/agent/service/deregister/web-1');
      expect(await indexOf('/v1/health/service/ghost')).toBeGreaterThan(extinction);
    });

    it('before any extinction falls back to the catalog tables: checks count for health reads, not for catalog reads', async () => {
      await register(consul, { Name: 'web', ID: 'web-1', Port: 80, Check: { TTL: '30s' } });
      const healthBefore = await indexOf('/v1/health/service/ghost');
      const catalogBefore = await indexOf('/v1/catalog/service/ghost');
      await call(consul, 'PUT', '/v1/agent/check/pass/service:web-1'); // a check status change only
      expect(await indexOf('/v1/health/service/ghost')).toBeGreaterThan(healthBefore);
      expect(await indexOf('/v1/catalog/service/ghost')).toBe(catalogBefore);
    });

    it('a query parked on it wakes when the service appears, not when other services change', async () => {
      for (const read of ['/v1/health/service/ghost?passing', '/v1/catalog/service/ghost', '/v1/health/checks/ghost']) {
        const index = await indexOf(read.split('?')[0] as string);
        const parked = park(`${read}${read.includes('?') ? '&' : '?'}index=${index}&wait=1s`);
        // Churn elsewhere moves the fallback index, and an extinction moves the extinction index.
        await register(consul, { Name: 'other', ID: 'other-1', Port: 81, Check: { TTL: '30s' } });
        await call(consul, 'PUT', '/v1/agent/check/pass/service:other-1');
        await call(consul, 'PUT', '/v1/agent/service/deregister/other-1');
        // A fixed pause that proves a negative: still parked 300 ms after the churn elsewhere.
        await sleep(300);
        expect(parked.woke()).toBe(false);
        const answer = await parked.done;
        expect(answer.text).toBe('[]');
        // After the wait it reports the index that moved meanwhile, as Consul does.
        expect(Number(answer.headers.get('x-consul-index'))).toBeGreaterThan(index);
      }
      const index = await indexOf('/v1/health/service/ghost');
      const parked = park(`/v1/health/service/ghost?index=${index}&wait=5s`);
      // A fixed pause that proves a negative: still parked after 100 ms, so what wakes it below is the service appearing.
      await sleep(100);
      expect(parked.woke()).toBe(false);
      await register(consul, { Name: 'ghost', ID: 'ghost-1', Port: 82 });
      const answer = await parked.done;
      expect(answer.json<Entry[]>().map((e) => e.Service.ID)).toEqual(['ghost-1']);
      expect(Number(answer.headers.get('x-consul-index'))).toBeGreaterThan(index);
      // Room for a loaded machine; it wakes within milliseconds, not at the 5 s wait.
      expect(parked.took()).toBeLessThan(3000);
    });
  });
});
