import { describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import {
  ClientClosedError,
  DiscoveryClient,
  isOverloadedError,
  OverloadedError,
  type ConcurrencyLimitOptions,
  type DiscoveryEvents,
  type ResponsePromise,
  type ServiceOptions,
} from '../../src/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

// Instances answer only when the test releases them (`hold`), so "at its limit" is a state the test waits
// for, not a race against a slow handler. The limit is pinned (minLimit = maxLimit) so that no measurement
// moves it, and waits are long unless a test is about the wait's bound.

const t = useClientFixture();

/** A pinned limit of `limit` per instance; a queue that waits as long as the call's deadline allows. */
function pinned(limit: number, options: ConcurrencyLimitOptions = {}): ConcurrencyLimitOptions {
  return { minLimit: limit, maxLimit: limit, initialLimit: limit, queueIntervalMs: 30_000, queueTargetMs: 30_000, ...options };
}

async function setup(count: number, options: ServiceOptions) {
  t.upstreams = await Promise.all(Array.from({ length: count }, (_, i) => new Upstream(`u${i + 1}`).start()));
  for (const u of t.upstreams) u.mode = 'hold';
  const client = new DiscoveryClient({ logger: false, static: { ratings: t.upstreams.map((u) => ({ id: u.name, url: u.url })) } });
  t.client = client;
  const service = client.service('ratings', { timeout: 30_000, deadline: 30_000, outlierDetection: false, ...options });
  const overload = () => client.snapshot().services[0]!.overload;
  return { client, service, upstreams: t.upstreams, overload };
}

/** Starts a call and keeps its failure for later, so that an early rejection is not unhandled. */
function start(call: ResponsePromise): Promise<unknown> {
  return call.then(
    (response) => response,
    (error: unknown) => error,
  );
}

const held = (u: Upstream, n: number) => waitFor(() => u.holding === n, { timeoutMs: 5000, what: `${u.name} holding ${n} requests` });

describe('concurrency limit', () => {
  it('an instance at its limit gets no more attempts: the call beyond waits and is sent when a slot frees', async () => {
    const { service, upstreams, overload } = await setup(1, { concurrencyLimit: pinned(2) });
    const [u] = upstreams;
    const calls = [start(service.get('/1')), start(service.get('/2'))];
    await held(u!, 2);
    calls.push(start(service.get('/3')));
    await waitFor(() => overload()?.queued === 1, { timeoutMs: 5000, what: 'the third call waiting' });
    expect(u!.hits).toBe(2);
    u!.release(1);
    await waitFor(() => u!.hits === 3, { timeoutMs: 5000, what: 'the third call sent' });
    await held(u!, 2);
    u!.release();
    const responses = (await Promise.all(calls)) as Array<{ statusCode: number }>;
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(u!.maxInFlight).toBe(2);
    expect(overload()).toEqual({ queued: 0, shed: { 'queue-full': 0, 'queue-timeout': 0 } });
  });

  it('a call that finds every instance at its limit tries none of them and takes the first slot to free', async () => {
    const { service, upstreams, overload } = await setup(2, { concurrencyLimit: pinned(1) });
    const [a, b] = upstreams;
    const first = [start(service.get('/a')), start(service.get('/b'))];
    await held(a!, 1);
    await held(b!, 1);
    const waiting = start(service.get('/c'));
    await waitFor(() => overload()?.queued === 1, { timeoutMs: 5000, what: 'the call waiting' });
    expect(a!.hits + b!.hits).toBe(2);
    b!.release();
    await held(b!, 1);
    expect(b!.paths).toEqual([expect.any(String), '/c']);
    expect(a!.hits).toBe(1);
    a!.release();
    b!.release();
    await Promise.all([...first, waiting]);
  });

  it('hands freed slots to waiting calls first come first served', async () => {
    const { service, upstreams, overload } = await setup(1, { concurrencyLimit: pinned(1) });
    const [u] = upstreams;
    const calls = [start(service.get('/0'))];
    await held(u!, 1);
    for (let i = 1; i <= 4; i++) {
      calls.push(start(service.get(`/${i}`)));
      await waitFor(() => overload()?.queued === i, { timeoutMs: 5000, what: `${i} calls waiting` });
    }
    for (let i = 1; i <= 4; i++) {
      u!.release();
      await waitFor(() => u!.paths.length === i + 1 && u!.holding === 1, { timeoutMs: 5000, what: `call ${i} sent` });
    }
    u!.release();
    await Promise.all(calls);
    expect(u!.paths).toEqual(['/0', '/1', '/2', '/3', '/4']);
    expect(u!.maxInFlight).toBe(1);
  });

  it('sheds a call at once when maxQueued calls wait already: OverloadedError, callShed, counted in the snapshot', async () => {
    const { client, service, upstreams, overload } = await setup(1, { concurrencyLimit: pinned(1, { maxQueued: 1 }) });
    const [u] = upstreams;
    const shed: Array<DiscoveryEvents['callShed']> = [];
    client.on('callShed', (e) => shed.push(e));
    const sent = start(service.get('/sent'));
    await held(u!, 1);
    const waiting = start(service.get('/waiting'));
    await waitFor(() => overload()?.queued === 1, { timeoutMs: 5000, what: 'one call waiting' });
    const error = await service.get('/shed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OverloadedError);
    expect(isOverloadedError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'OverloadedError', code: 'ERR_OVERLOADED', retryable: false, service: 'ratings', reason: 'queue-full', queued: 1, limit: 1 });
    expect(shed).toEqual([{ service: 'ratings', reason: 'queue-full', queued: 1, limit: 1 }]);
    expect(overload()).toEqual({ queued: 1, shed: { 'queue-full': 1, 'queue-timeout': 0 } });
    expect(u!.paths).toEqual(['/sent']);
    u!.release();
    await held(u!, 1);
    u!.release();
    await Promise.all([sent, waiting]);
    expect(u!.paths).toEqual(['/sent', '/waiting']);
  });

  it('sheds a waiting call with reason queue-timeout once it has waited queueIntervalMs', async () => {
    const { client, service, upstreams, overload } = await setup(1, { concurrencyLimit: pinned(1, { queueIntervalMs: 20 }) });
    const [u] = upstreams;
    const shed: Array<DiscoveryEvents['callShed']> = [];
    client.on('callShed', (e) => shed.push(e));
    const sent = start(service.get('/sent'));
    await held(u!, 1);
    const error = await service.get('/late').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_OVERLOADED', reason: 'queue-timeout', retryable: false });
    expect(shed).toMatchObject([{ reason: 'queue-timeout' }]);
    expect(overload()).toEqual({ queued: 0, shed: { 'queue-full': 0, 'queue-timeout': 1 } });
    expect(u!.paths).toEqual(['/sent']);
    u!.release();
    await sent;
  });

  it('a shed call gets the fallback', async () => {
    const { client, service, upstreams } = await setup(1, {
      concurrencyLimit: pinned(1, { maxQueued: 0 }),
      fallback: (e) => ({ overloaded: isOverloadedError(e), reason: isOverloadedError(e) ? e.reason : undefined }),
    });
    const fallbacks: Array<DiscoveryEvents['fallback']> = [];
    client.on('fallback', (e) => fallbacks.push(e));
    const sent = start(service.get('/sent'));
    await held(upstreams[0]!, 1);
    await expect(service.get('/shed').json()).resolves.toEqual({ overloaded: true, reason: 'queue-full' });
    expect(fallbacks.map((e) => e.error)).toEqual([expect.any(OverloadedError)]);
    upstreams[0]!.release();
    await sent;
  });

  it('close() rejects the calls waiting for a slot at once with ClientClosedError; the attempt in flight finishes, and nothing is sent again', async () => {
    const { client, service, upstreams, overload } = await setup(1, { concurrencyLimit: pinned(1) });
    const [u] = upstreams;
    const sent = start(service.get('/sent'));
    await held(u!, 1);
    const waiting = start(service.get('/waiting'));
    await waitFor(() => overload()?.queued === 1, { timeoutMs: 5000, what: 'one call waiting' });
    const closing = client.close();
    expect(await waiting).toMatchObject({ name: 'ClientClosedError', code: 'ERR_CLIENT_CLOSED', retryable: false });
    expect(await waiting).toBeInstanceOf(ClientClosedError);
    expect(overload()).toEqual({ queued: 0, shed: { 'queue-full': 0, 'queue-timeout': 0 } });
    // the call in flight is let finish within the grace period: its answer is its result
    u!.release();
    expect(await sent).toMatchObject({ statusCode: 200 });
    await closing;
    expect(u!.paths).toEqual(['/sent']);
  });

  it('the snapshot shows each instance\'s limit and the queue', async () => {
    const { client, service, upstreams } = await setup(2, { concurrencyLimit: pinned(3) });
    for (const u of upstreams) u.mode = 'ok';
    await service.get('/r');
    const snapshot = client.snapshot().services[0]!;
    expect(snapshot.instances.map((i) => i.concurrencyLimit)).toEqual([3, 3]);
    expect(snapshot.overload).toEqual({ queued: 0, shed: { 'queue-full': 0, 'queue-timeout': 0 } });
  });

  it('is on by default at initialLimit 10, off with concurrencyLimit: false or the datawire preset', async () => {
    t.upstreams = [await new Upstream('u1').start()];
    const list = [{ id: 'u1', url: t.upstreams[0]!.url }];
    t.client = new DiscoveryClient({ logger: false, static: { plain: list, off: list, datawire: list } });
    await t.client.service('plain').get('/r');
    await t.client.service('off', { concurrencyLimit: false }).get('/r');
    await t.client.service('datawire', { breaker: { preset: 'datawire' } }).get('/r');
    const byName = new Map(t.client.snapshot().services.map((s) => [s.name, s]));
    expect(byName.get('plain')).toMatchObject({ instances: [{ concurrencyLimit: 10 }], overload: { queued: 0 } });
    for (const name of ['off', 'datawire']) expect(byName.get(name)).toMatchObject({ instances: [{ concurrencyLimit: undefined }], overload: undefined });
  });

  it('with concurrencyLimit: false every call is sent at once, beyond the default limit of 10', async () => {
    const { client, service, upstreams } = await setup(1, { concurrencyLimit: false });
    const [u] = upstreams;
    const calls = Array.from({ length: 25 }, (_, i) => start(service.get(`/${i}`)));
    await held(u!, 25);
    expect(client.snapshot().services[0]!.overload).toBeUndefined();
    u!.release();
    const responses = (await Promise.all(calls)) as Array<{ statusCode: number }>;
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
  });
});
