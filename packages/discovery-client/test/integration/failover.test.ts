import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { waitFor } from 'process-supervisor';
import { DiscoveryClient, NoHealthyInstancesError, type DiscoveryEvents, type ServiceClient } from '../../src/index.js';
import { killInstance, startInstance, type InstanceProcess } from '../helpers/processes.js';

// Real processes: dev-consul in this process, three fixture instances as children registered with 2 s TTL
// checks via register(). Short timings: 300 ms attempt timeout, 2 s retest (datawire preset otherwise).

let consul: DevConsulHandle | undefined;
let instances: InstanceProcess[] = [];
let client: DiscoveryClient | undefined;

async function setup(transport: 'got' | 'undici' = 'got', resetTimeout = 2000, timeout = 300) {
  consul = await startDevConsul({ port: 0, logLevel: 'error' });
  const addr = `127.0.0.1:${consul.port}`;
  instances = await Promise.all(['ratings-1', 'ratings-2', 'ratings-3'].map((id) => startInstance(id, addr)));
  client = new DiscoveryClient({
    consul: { host: '127.0.0.1', port: consul.port },
    logger: false,
    watch: { backoffInitialMs: 50, backoffMaxMs: 300 },
  });
  const events: { [K in keyof DiscoveryEvents]?: DiscoveryEvents[K][] } = {};
  for (const name of ['breakerOpen', 'breakerHalfOpen', 'breakerClose', 'resolved', 'registryError'] as const) {
    client.on(name, (e) => ((events[name] ??= []) as unknown[]).push(e));
  }
  const ratings = client.service('ratings', {
    transport,
    timeout,
    breaker: { preset: 'datawire', resetTimeout },
  });
  await waitFor(() => listed(ratings).length === 3, { timeoutMs: 10_000, what: 'three passing instances' });
  return { ratings, events, client };
}

function listed(ratings: ServiceClient): string[] {
  void ratings;
  const snapshot = client!.snapshot().services.find((s) => s.name === 'ratings');
  return (snapshot?.instances ?? []).filter((i) => i.listed).map((i) => i.id);
}

async function whoami(ratings: ServiceClient): Promise<string> {
  return (await ratings.get('/whoami').json<{ id: string }>()).id;
}

/** `count` sequential calls `gapMs` apart; every answer's instance id (a failure rejects the whole run). */
async function calls(ratings: ServiceClient, count: number, gapMs = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(await whoami(ratings));
    if (gapMs) await sleep(gapMs);
  }
  return ids;
}

afterEach(async () => {
  await Promise.all(instances.map((i) => killInstance(i)));
  instances = [];
  await client?.close();
  client = undefined;
  await consul?.close();
  consul = undefined;
});

describe.each(['got', 'undici'] as const)('failover over %s (dev-consul + 3 child instances)', (transport) => {
  it('interleaves calls across the three instances', async () => {
    // a roomy timeout: on a loaded machine a 300 ms stall would reorder the rotation by a retry
    const { ratings } = await setup(transport, 2000, 2000);
    const ids = await calls(ratings, 6);
    expect(new Set(ids.slice(0, 3))).toEqual(new Set(['ratings-1', 'ratings-2', 'ratings-3']));
    expect(ids.slice(3)).toEqual(ids.slice(0, 3));
  });

  it('SIGSTOP: the breaker opens after the first timeout and no call fails; SIGCONT: it is used again', async () => {
    const { ratings, events } = await setup(transport);
    const stopped = instances[1]!;
    stopped.child.kill('SIGSTOP');
    const during = await calls(ratings, 12, 25);
    expect(during).not.toContain('ratings-2');
    // the first breaker to open is the stopped instance's (a healthy one could only follow under heavy load)
    expect(events.breakerOpen?.[0]?.instance.id).toBe('ratings-2');
    stopped.child.kill('SIGCONT');
    // back after its retest (2 s) or as soon as its TTL check passes again, whichever comes first
    await waitFor(async () => (await whoami(ratings)) === 'ratings-2', { timeoutMs: 8000, what: 'ratings-2 answering again' });
    expect(events.breakerClose?.map((e) => e.instance.id)).toContain('ratings-2');
  });
});

describe('failover (got, dev-consul + 3 child instances)', () => {
  it('SIGKILL: no call fails, and the instance leaves the list when its TTL lapses', async () => {
    const { ratings } = await setup();
    await killInstance(instances[2]!);
    const ids = await calls(ratings, 15, 20);
    expect(ids).not.toContain('ratings-3');
    await waitFor(() => !listed(ratings).includes('ratings-3'), { timeoutMs: 6000, what: 'ratings-3 leaving the passing list' });
    expect(await calls(ratings, 4)).not.toContain('ratings-3');
  });

  it('a critical instance that comes back gets its half-open probe at once, not after the retest delay', async () => {
    // a 60 s retest: only the registry coming back can explain a probe within seconds
    const { ratings, events } = await setup('got', 60_000);
    const stopped = instances[0]!;
    stopped.child.kill('SIGSTOP');
    await calls(ratings, 6);
    expect(events.breakerOpen?.[0]?.instance.id).toBe('ratings-1');
    await waitFor(() => !listed(ratings).includes('ratings-1'), { timeoutMs: 6000, what: 'ratings-1 critical' });
    stopped.child.kill('SIGCONT');
    await waitFor(() => listed(ratings).includes('ratings-1'), { timeoutMs: 6000, what: 'ratings-1 passing again' });
    const ofOne = (list: Array<{ instance: { id: string } }> | undefined) => (list ?? []).filter((e) => e.instance.id === 'ratings-1');
    expect(ofOne(events.breakerHalfOpen).map((e) => (e as DiscoveryEvents['breakerHalfOpen']).early)).toEqual([true]);
    await waitFor(async () => (await whoami(ratings)) === 'ratings-1', { timeoutMs: 3000, what: 'ratings-1 probed and used' });
    expect(ofOne(events.breakerClose)).toHaveLength(1);
  });

  it('Consul down: calls keep working on the cached list; a restarted Consul gets the instances back', async () => {
    const { ratings, events } = await setup();
    const port = consul!.port;
    await consul!.close();
    consul = undefined;
    await waitFor(() => (events.registryError?.length ?? 0) > 0, { timeoutMs: 5000, what: 'a registry error' });
    const during = await calls(ratings, 9, 20);
    expect(new Set(during)).toEqual(new Set(['ratings-1', 'ratings-2', 'ratings-3']));
    consul = await startDevConsul({ port, logLevel: 'error' });
    // each instance notices (404 on its heartbeat) and registers again; the watch resumes
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/health/service/ratings?passing`);
      return ((await res.json()) as unknown[]).length === 3;
    }, { timeoutMs: 10_000, what: 'the three instances registered again' });
    // the watch follows within moments (a fresh query from index 0 after its errors)
    await waitFor(() => listed(ratings).length === 3, { timeoutMs: 3000, what: 'the client listing all three again' });
    expect(listed(ratings).sort()).toEqual(['ratings-1', 'ratings-2', 'ratings-3']);
    expect(await calls(ratings, 3)).toHaveLength(3);
  });

  it('SIGTERM with handleSignals: the instance deregisters at once and the process exits', async () => {
    const { ratings } = await setup();
    const extra = await startInstance('ratings-4', `127.0.0.1:${consul!.port}`, '60s', true);
    instances.push(extra);
    await waitFor(() => listed(ratings).includes('ratings-4'), { timeoutMs: 5000, what: 'ratings-4 listed' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => extra.child.once('exit', (_code, signal) => resolve(signal)));
    extra.child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    // a 60 s TTL could not explain it leaving within seconds: it deregistered
    await waitFor(() => !listed(ratings).includes('ratings-4'), { timeoutMs: 3000, what: 'ratings-4 deregistered' });
    expect(await calls(ratings, 6)).not.toContain('ratings-4');
  });

  it('all down: NoHealthyInstancesError "all ratings instances are down", and the fallback runs', async () => {
    const seen: Error[] = [];
    const { client } = await setup('got');
    const plain = client.service('ratings', { timeout: 300, breaker: { preset: 'datawire', resetTimeout: 2000 }, retry: { limit: 3 } });
    const withFallback = client.service('ratings', {
      timeout: 300,
      breaker: { preset: 'datawire', resetTimeout: 2000 },
      fallback: (error) => {
        seen.push(error);
        return { id: 'fallback' };
      },
    });
    await Promise.all(instances.map((i) => killInstance(i)));
    const error = await plain.get('/whoami').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoHealthyInstancesError);
    expect((error as Error).message).toBe('all ratings instances are down');
    expect(await whoami(withFallback)).toBe('fallback');
    expect(seen[0]).toBeInstanceOf(NoHealthyInstancesError);
  });
});
