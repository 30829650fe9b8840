import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { waitFor } from 'process-supervisor';
import { DiscoveryClient, type DiscoveryEvents, type ServiceClient } from '../../src/index.js';
import { killInstance, startPlainInstance, type InstanceProcess } from '../helpers/processes.js';
import { Upstream } from '../helpers/upstream.js';

// The library's DEFAULTS against real child processes that are paused, killed and restarted, plus the two
// public failure reports (reset on a reused keep-alive socket; the watch after an agent restart).

let instances: InstanceProcess[] = [];
let client: DiscoveryClient | undefined;
let upstreams: Upstream[] = [];
let consul: DevConsulHandle | undefined;

afterEach(async () => {
  await Promise.all(instances.map((i) => killInstance(i)));
  instances = [];
  await client?.close();
  client = undefined;
  await Promise.all(upstreams.map((u) => u.close()));
  upstreams = [];
  await consul?.close();
  consul = undefined;
});

/** A PUT on a fresh connection (the agent restarts under the test: no pooled socket may outlive it). */
function put(url: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

type Recorded = { [K in keyof DiscoveryEvents]: Array<DiscoveryEvents[K] & { at: number }> };

async function setup(): Promise<{ svc: ServiceClient; events: Recorded }> {
  instances = await Promise.all(['ratings-1', 'ratings-2', 'ratings-3'].map((id) => startPlainInstance(id)));
  client = new DiscoveryClient({ logger: false, static: { ratings: instances.map((i) => ({ id: i.id, url: i.url })) } });
  const events = {} as Recorded;
  for (const name of ['breakerOpen', 'breakerClose', 'breakerHalfOpen', 'callTimedOut', 'instancePicked'] as const) {
    (events[name] as unknown[]) = [];
    client.on(name, (e) => (events[name] as unknown[]).push({ ...e, at: Date.now() }));
  }
  // the fault benchmark's budget: 1 s per attempt, one retry; everything else is the library's default
  const svc = client.service('ratings', { timeout: 1000, retry: { limit: 1 } });
  return { svc, events };
}

/** Open-model load: one call every `everyMs` for `durationMs`; resolves with every call's result. */
async function load(svc: ServiceClient, durationMs: number, everyMs = 5): Promise<Array<{ id?: string; error?: string }>> {
  const calls: Array<Promise<{ id?: string; error?: string }>> = [];
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    calls.push(svc.get('/whoami').json<{ id: string }>().then((b) => ({ id: b.id }), (e: Error) => ({ error: e.message })));
    await sleep(everyMs);
  }
  return Promise.all(calls);
}

describe('outlier detection with the defaults (3 child instances)', () => {
  it('a paused (SIGSTOP) instance is ejected for stalling before any attempt times out, no call fails, and a probe re-admits it after SIGCONT without a user request', async () => {
    const { svc, events } = await setup();
    await load(svc, 300); // latency history for every instance
    const paused = instances[1]!;
    const during = load(svc, 1500);
    await sleep(200);
    paused.child.kill('SIGSTOP');
    const results = await during;
    expect(results.filter((r) => r.error)).toEqual([]);
    const open = events.breakerOpen.find((e) => e.instance.id === 'ratings-2');
    expect(open?.reason).toBe('stall');
    // rescued, not timed out: no attempt waited its 1 s timeout
    expect(events.callTimedOut).toEqual([]);

    paused.child.kill('SIGCONT');
    const resumedAt = Date.now();
    await waitFor(() => events.breakerClose.some((e) => e.instance.id === 'ratings-2'), { timeoutMs: 3000, what: 'ratings-2 re-admitted' });
    const close = events.breakerClose.find((e) => e.instance.id === 'ratings-2')!;
    expect(close.at).toBeGreaterThanOrEqual(resumedAt);
    const picksWhileOut = events.instancePicked.filter((e) => e.instance.id === 'ratings-2' && e.at > open!.at && e.at < close.at);
    expect(picksWhileOut).toEqual([]);
    expect((await load(svc, 300)).some((r) => r.id === 'ratings-2')).toBe(true);
  });

  it('at one call in flight, a paused (SIGSTOP) instance costs one timed-out attempt before its stall ejection, and no call fails', async () => {
    const { svc, events } = await setup();
    const sequential = async (count: number): Promise<Array<{ id?: string; error?: string }>> => {
      const results: Array<{ id?: string; error?: string }> = [];
      for (let i = 0; i < count; i += 1) {
        results.push(await svc.get('/whoami').json<{ id: string }>().then((b) => ({ id: b.id }), (e: Error) => ({ error: e.message })));
      }
      return results;
    };
    await sequential(30); // latency history for every instance, one call at a time
    instances[1]!.child.kill('SIGSTOP');
    const results: Array<{ id?: string; error?: string }> = [];
    // one call at a time until ratings-2 is out (round robin reaches it within three calls)
    for (let i = 0; i < 20 && !events.breakerOpen.some((e) => e.instance.id === 'ratings-2'); i += 1) results.push(...(await sequential(1)));
    expect(events.breakerOpen.find((e) => e.instance.id === 'ratings-2')?.reason).toBe('stall');
    expect(events.callTimedOut.filter((e) => e.instance?.id === 'ratings-2')).toHaveLength(1);
    expect(results.filter((r) => r.error)).toEqual([]);
    results.push(...(await sequential(6))); // out of rotation: no call waits on it
    expect(events.callTimedOut.filter((e) => e.instance?.id === 'ratings-2')).toHaveLength(1);
    instances[1]!.child.kill('SIGCONT');
  });

  it('a killed (SIGKILL) instance is ejected on the first refused connection, no call fails, and it is back once it listens again', async () => {
    const { svc, events } = await setup();
    await load(svc, 200);
    const killed = instances[2]!;
    const during = load(svc, 800);
    // on a loaded machine a healthy instance can be ejected for a stall now and then: kill it while it is in
    await waitFor(() => client!.snapshot().services[0]!.instances.every((i) => i.breaker === 'CLOSED'), { timeoutMs: 5000, what: 'every instance in rotation' });
    await killInstance(killed);
    const results = await during;
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(events.breakerOpen.filter((e) => e.instance.id === 'ratings-3').map((e) => e.reason)).toContain('refused');

    instances[2] = await startPlainInstance('ratings-3', killed.port);
    await waitFor(() => events.breakerClose.some((e) => e.instance.id === 'ratings-3'), { timeoutMs: 3000, what: 'ratings-3 re-admitted by a probe' });
    expect((await load(svc, 300)).some((r) => r.id === 'ratings-3')).toBe(true);
  });
});

describe('a reset on a reused keep-alive socket (Node\'s idle-socket race)', () => {
  it.each(['undici', 'got'] as const)('over %s: the second GET succeeds on a fresh connection and the breaker stays CLOSED', async (transport) => {
    const upstream = await new Upstream('a').start();
    upstreams.push(upstream);
    upstream.mode = 'reset-reused';
    client = new DiscoveryClient({ logger: false, static: { ratings: [{ id: 'ratings-1', url: upstream.url }] } });
    const svc = client.service('ratings', { breaker: { preset: 'datawire' }, transport });
    expect((await svc.get('/a')).statusCode).toBe(200);
    await sleep(50);
    expect((await svc.get('/b')).statusCode).toBe(200);
    expect(upstream.resets).toBe(1);
    expect(client.snapshot().services[0]!.instances[0]!.breaker).toBe('CLOSED');
  });
});

describe('the watch after an agent restart', () => {
  it('starts again from index 0 after the connection error, so a new instance appears within a second, not after a whole wait', async () => {
    consul = await startDevConsul({ port: 0, logLevel: 'error' });
    const port = consul.port;
    const base = `http://127.0.0.1:${port}`;
    const registerWeb = async (id: string, servicePort: number) => {
      expect(await put(`${base}/v1/agent/service/register`, { Name: 'web', ID: id, Address: '127.0.0.1', Port: servicePort })).toBe(200);
    };
    await registerWeb('web-1', 9001);
    for (let i = 0; i < 15; i++) {
      await registerWeb('web-x', 9009);
      expect(await put(`${base}/v1/agent/service/deregister/web-x`)).toBe(200);
    }
    client = new DiscoveryClient({ logger: false, consul: { host: '127.0.0.1', port }, watch: { waitMs: 10_000, backoffInitialMs: 50, backoffMaxMs: 200 } });
    client.service('web');
    const ids = () => client!.snapshot().services[0]?.instances.filter((i) => i.listed).map((i) => i.id) ?? [];
    await waitFor(() => ids().includes('web-1'), { timeoutMs: 5000, what: 'web-1 listed' });

    await consul.close();
    // an agent takes a moment to come back: the watch meets refused connections meanwhile
    const errors: unknown[] = [];
    client.on('registryError', (e) => errors.push(e));
    await waitFor(() => errors.length > 0, { timeoutMs: 3000, what: 'the watch failing while the agent is down' });
    consul = await startDevConsul({ port, logLevel: 'error' });
    await registerWeb('web-1', 9001);
    await registerWeb('web-2', 9002);
    // with the old index kept, the first query to the new agent blocks for the whole 10 s wait
    await waitFor(() => ids().includes('web-2'), { timeoutMs: 2500, what: 'web-2 listed after the restart' });
  });
});
