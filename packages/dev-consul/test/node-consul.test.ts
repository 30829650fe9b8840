/**
 * Driven through the official `consul` npm client (node-consul v2), the way applications use it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type Consul from 'consul';
import { waitFor } from 'process-supervisor';
import { call, client, start } from './helpers.js';
import type { DevConsulHandle, Entry } from './helpers.js';

describe('through the official consul client', () => {
  let consul: DevConsulHandle;
  let api: Consul;

  beforeEach(async () => {
    consul = await start();
    api = client(consul);
  });
  afterEach(async () => {
    await consul.close();
  });

  it('registers, lists and deregisters a service with a TTL check', async () => {
    await api.agent.service.register({ name: 'ratings', id: 'ratings-1', port: 8001, address: '127.0.0.1', tags: ['v1'], check: { ttl: '10s' } } as never);
    const services = (await api.agent.service.list()) as Record<string, { Service: string; Port: number; Tags: string[] }>;
    expect(services['ratings-1']).toMatchObject({ Service: 'ratings', Port: 8001, Tags: ['v1'] });
    const checks = (await api.agent.check.list()) as Record<string, { Status: string; Type: string }>;
    expect(checks['service:ratings-1']).toMatchObject({ Status: 'critical', Type: 'ttl' });
    expect(await api.health.service({ service: 'ratings', passing: true } as never)).toEqual([]);
    await api.agent.check.pass('service:ratings-1');
    const passing = (await api.health.service({ service: 'ratings', passing: true } as never)) as Entry[];
    expect(passing.map((e) => e.Service.ID)).toEqual(['ratings-1']);
    expect(await api.agent.service.deregister('ratings-1')).toBeUndefined();
    expect(await api.health.service('ratings')).toEqual([]);
  });

  it('warn and fail with a note set status and output', async () => {
    await api.agent.service.register({ name: 'web', check: { ttl: '10s' } } as never);
    await api.agent.check.warn({ id: 'service:web', note: 'slow disk' });
    let checks = (await api.agent.check.list()) as Record<string, { Status: string; Output: string }>;
    expect(checks['service:web']).toMatchObject({ Status: 'warning', Output: 'slow disk' });
    await api.agent.check.fail({ id: 'service:web', note: 'down' });
    checks = (await api.agent.check.list()) as Record<string, { Status: string; Output: string }>;
    expect(checks['service:web']).toMatchObject({ Status: 'critical', Output: 'down' });
  });

  it('reads catalog services, the catalog service list, status and agent self', async () => {
    await api.agent.service.register({ name: 'db', tags: ['primary'], port: 5432 } as never);
    expect(await api.catalog.service.list()).toEqual({ consul: [], db: ['primary'] });
    const nodes = (await api.catalog.service.nodes('db')) as Array<{ ServiceID: string; ServicePort: number; Node: string }>;
    expect(nodes).toEqual([expect.objectContaining({ ServiceID: 'db', ServicePort: 5432, Node: 'test-node' })]);
    expect(await api.status.leader()).toBe('127.0.0.1:8300');
    expect(await api.status.peers()).toEqual(['127.0.0.1:8300']);
    const self = (await api.agent.self()) as { Config: { NodeName: string; Datacenter: string } };
    expect(self.Config).toMatchObject({ NodeName: 'test-node', Datacenter: 'dc1' });
    const members = (await api.agent.members()) as Array<{ Name: string; Status: number }>;
    expect(members).toEqual([expect.objectContaining({ Name: 'test-node', Status: 1 })]);
  });

  it('puts maintenance on and off through agent.service.maintenance', async () => {
    await api.agent.service.register({ name: 'cart', check: { ttl: '10s', status: 'passing' } } as never);
    await api.agent.service.maintenance({ id: 'cart', enable: true, reason: 'deploy' });
    expect(await api.health.service({ service: 'cart', passing: true } as never)).toEqual([]);
    const checks = (await api.agent.check.list()) as Record<string, { Notes: string; Status: string }>;
    expect(checks['_service_maintenance:cart']).toMatchObject({ Notes: 'deploy', Status: 'critical' });
    await api.agent.service.maintenance({ id: 'cart', enable: false });
    expect(((await api.health.service({ service: 'cart', passing: true } as never)) as Entry[]).length).toBe(1);
  });

  it('surfaces Consul errors unprefixed, as node-consul users expect', async () => {
    // Consul's 404 text is >= 80 characters, so papi reports the status text.
    await expect(api.agent.check.pass('no-such-check')).rejects.toThrow('not found');
    await expect(api.agent.service.deregister('x')).rejects.toMatchObject({ message: 'not found' });
    // A short text/plain error (< 80 chars) is passed through verbatim.
    await expect(api.agent.service.maintenance({ id: 'nope', enable: 'yes' } as never)).rejects.toThrow();
    await expect(api.kv.get({ key: 'k', index: 'abc' } as never)).rejects.toThrow('consul: kv.get: Invalid index');
    const err = await api.agent.check.pass('no-such-check').catch((e: unknown) => e as { statusCode: number });
    expect(err.statusCode).toBe(404);
  });

  it('KV get/put/delete with cas through the client', async () => {
    expect(await api.kv.set('config/color', 'blue')).toBe(true);
    const entry = (await api.kv.get('config/color')) as { Value: string; ModifyIndex: number };
    expect(entry.Value).toBe('blue');
    // A failed check-and-set answers `false`; papi hands that back as undefined, so check it raw too.
    expect(await api.kv.set({ key: 'config/color', value: 'red', cas: String(entry.ModifyIndex + 1000) } as never)).toBeFalsy();
    const raw = await call(consul, 'PUT', `/v1/kv/config/color?cas=${entry.ModifyIndex + 1000}`, 'red');
    expect(raw.text).toBe('false');
    expect(await api.kv.set({ key: 'config/color', value: 'red', cas: String(entry.ModifyIndex) } as never)).toBe(true);
    await api.kv.set('config/size', 'L');
    const all = (await api.kv.get({ key: 'config/', recurse: true } as never)) as unknown as Array<{ Key: string }>;
    expect(all.map((e) => e.Key)).toEqual(['config/color', 'config/size']);
    expect(await api.kv.keys('config/')).toEqual(['config/color', 'config/size']);
    await api.kv.del({ key: 'config/', recurse: true } as never);
    expect(await api.kv.get('config/color')).toBeUndefined();
  });

  it('watch on health.service with passing sees register -> pass -> TTL expiry', async () => {
    const watch = api.watch({ method: api.health.service, options: { service: 'ratings', passing: true, wait: '5s' } as never });
    const seen: string[][] = [];
    const errors: unknown[] = [];
    watch.on('change', (data: Entry[]) => seen.push(data.map((e) => e.Service.ID)));
    watch.on('error', (e: unknown) => errors.push(e));
    try {
      await waitFor(() => seen.length >= 1, { timeoutMs: 5000, what: 'first change' });
      expect(seen[0]).toEqual([]);
      await api.agent.service.register({ name: 'ratings', id: 'ratings-1', port: 8001, check: { ttl: '1s' } } as never);
      await api.agent.check.pass('service:ratings-1');
      await waitFor(() => seen.some((s) => s.includes('ratings-1')), { timeoutMs: 5000, what: 'instance listed' });
      const listedAt = seen.length;
      await waitFor(() => seen.length > listedAt && (seen[seen.length - 1] ?? []).length === 0, { timeoutMs: 5000, what: 'instance dropped after TTL' });
      expect(errors).toEqual([]);
    } finally {
      watch.end();
    }
  });

  it('a watch does not spin: with nothing changing it re-polls only when the wait ends', async () => {
    const lines: string[] = [];
    const counted = await start({ logLevel: 'debug', logger: (_level, message) => lines.push(message) });
    const quietApi = client(counted);
    const watch = quietApi.watch({ method: quietApi.health.service, options: { service: 'quiet', wait: '1s' } as never });
    const changes: unknown[] = [];
    watch.on('change', (data: unknown) => changes.push(data));
    watch.on('error', () => undefined);
    try {
      // A fixed pause that proves a negative: with nothing changing, no poll but one per wait in 2.5 s.
      await sleep(2500);
    } finally {
      watch.end();
      await counted.close();
    }
    const polls = lines.filter((l) => l.startsWith('GET /v1/health/service/quiet')).length;
    // index=0 first, then one blocking poll per ~1 s wait (+ up to 1/16 jitter): about 3, never hundreds.
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(5);
    expect(changes).toHaveLength(1);
  });

  it('after an agent restart (lower index) a watch resets and sees the new agent', async () => {
    const port = consul.port;
    // Move the first agent's index well past what a fresh agent will have.
    for (let i = 0; i < 20; i++) await api.agent.service.register({ name: 'churn', tags: [`t${i}`] } as never);
    await api.agent.service.register({ name: 'moving', id: 'old-1', check: { ttl: '30s', status: 'passing' } } as never);
    const watch = api.watch({ method: api.health.service, options: { service: 'moving', wait: '1s' } as never, backoffFactor: 50 });
    const seen: string[][] = [];
    watch.on('change', (data: Entry[]) => seen.push(data.map((e) => e.Service.ID)));
    watch.on('error', () => undefined);
    try {
      await waitFor(() => seen.length >= 1, { timeoutMs: 5000, what: 'first change' });
      expect(seen[0]).toEqual(['old-1']);
      await consul.close();
      consul = await start({ port });
      await client(consul).agent.service.register({ name: 'moving', id: 'new-1', check: { ttl: '30s', status: 'passing' } } as never);
      await waitFor(() => seen.some((s) => s.includes('new-1')), { timeoutMs: 8000, what: 'the new agent seen' });
    } finally {
      watch.end();
    }
  });

  it('a 400 ends a node-consul watch for good', async () => {
    const watch = api.watch({ method: api.health.service, options: { service: 'x', wait: '30' } as never });
    const ended = new Promise<void>((resolve) => watch.on('end', () => resolve()));
    const errors: Array<{ statusCode?: number }> = [];
    watch.on('error', (e: { statusCode?: number }) => errors.push(e));
    await ended;
    expect(errors[0]?.statusCode).toBe(400);
    const raw = await call(consul, 'GET', '/v1/health/service/x?wait=30&index=1');
    expect(raw.text).toBe('Invalid wait time');
  });
});
