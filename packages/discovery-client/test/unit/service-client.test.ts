import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import {
  CircuitOpenError,
  DiscoveryClient,
  NoHealthyInstancesError,
  RegistryUnavailableError,
  RequestTimeoutError,
  UpstreamConnectionError,
  UpstreamHttpError,
  type DiscoveryEvents,
  type ServiceOptions,
} from '../../src/index.js';
import { RoundRobinStrategy } from '../../src/index.js';
import { Upstream } from '../helpers/upstream.js';

const transports = ['got', 'undici'] as const;
let upstreams: Upstream[] = [];
let client: DiscoveryClient | undefined;

async function setup(count: number, transport: 'got' | 'undici', options: ServiceOptions = {}) {
  upstreams = await Promise.all(Array.from({ length: count }, (_, i) => new Upstream(`u${i + 1}`).start()));
  client = new DiscoveryClient({ logger: false, static: { ratings: upstreams.map((u) => ({ id: u.name, url: u.url })) } });
  const service = client.service('ratings', { transport, breaker: { preset: 'datawire' }, timeout: 300, ...options });
  return { service, client, upstreams };
}

afterEach(async () => {
  await client?.close();
  client = undefined;
  await Promise.all(upstreams.map((u) => u.close()));
  upstreams = [];
});

describe.each(transports)('ServiceClient over %s', (transport) => {
  it('round-robins across instances and parses JSON', async () => {
    const { service } = await setup(3, transport);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await service.get('/ratings/camera').json<{ from: string }>()).from);
    expect(new Set(seen.slice(0, 3)).size).toBe(3);
    expect(seen.slice(3)).toEqual(seen.slice(0, 3));
  });

  it('sends method, JSON body and headers; exposes the instance on the response', async () => {
    const { service, upstreams } = await setup(1, transport);
    const response = await service.request({ method: 'POST', path: '/x', json: { a: 1 }, headers: { 'x-test': 'yes' } });
    expect(response.statusCode).toBe(200);
    expect(response.instance).toEqual({ number: 1, id: 'u1', url: upstreams[0]!.url });
    expect(JSON.parse(upstreams[0]!.lastBody)).toEqual({ a: 1 });
    expect(upstreams[0]!.lastHeaders['x-test']).toBe('yes');
    expect(upstreams[0]!.lastHeaders['content-type']).toBe('application/json');
  });

  it('a timeout aborts the HTTP request, opens the breaker and the call succeeds on another instance', async () => {
    const { service, client, upstreams } = await setup(2, transport);
    const [a, b] = upstreams;
    a!.mode = 'hang';
    const opened: DiscoveryEvents['breakerOpen'][] = [];
    client.on('breakerOpen', (e) => opened.push(e));
    for (let i = 0; i < 4; i++) expect((await service.get('/r').json<{ from: string }>()).from).toBe('u2');
    expect(a!.hits).toBe(1);
    expect(opened.map((e) => e.instance.id)).toEqual(['u1']);
    await waitFor(() => a!.aborted === 1, { timeoutMs: 2000, what: 'the hanging request aborted at the server' });
    expect(b!.hits).toBe(4);
    const snap = client.snapshot().services[0]!.instances;
    expect(snap.map((i) => [i.id, i.breaker])).toEqual([['u1', 'OPEN'], ['u2', 'CLOSED']]);
  });

  it('retries a 5xx on another instance; a 4xx is neither retried nor a breaker failure', async () => {
    // round-robin from the first instance: the 500 instance is always tried first
    const { service, client, upstreams } = await setup(2, transport, {
      breaker: { preset: 'datawire' },
      balancer: () => new RoundRobinStrategy(() => 0),
    });
    upstreams[0]!.mode = '500';
    upstreams[1]!.mode = '404';
    const error = await service.get('/r').catch((e: unknown) => e);
    expect(upstreams[0]!.hits).toBe(1);
    expect(upstreams[1]!.hits).toBe(1);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).statusCode).toBe(404);
    expect((error as UpstreamHttpError).instance.id).toBe('u2');
    const states = client.snapshot().services[0]!.instances.map((i) => i.breaker);
    expect(states).toEqual(['OPEN', 'CLOSED']);
  });

  it('callRetried names the instance whose attempt failed', async () => {
    const { service, client, upstreams } = await setup(2, transport);
    upstreams[0]!.mode = '500';
    const retried: Array<DiscoveryEvents['callRetried']> = [];
    client.on('callRetried', (e) => retried.push(e));
    for (let i = 0; i < 2; i++) expect((await service.get('/r').json<{ from: string }>()).from).toBe('u2');
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ service: 'ratings', attempt: 2, instance: { service: 'ratings', id: 'u1', number: 1, url: upstreams[0]!.url } });
  });

  it('with throwHttpErrors: false resolves 4xx and 5xx answers', async () => {
    const { service, upstreams } = await setup(1, transport, { retry: false });
    upstreams[0]!.mode = '404';
    const notFound = await service.request({ path: '/r', throwHttpErrors: false });
    expect(notFound.statusCode).toBe(404);
    upstreams[0]!.mode = '500';
    const broken = await service.get('/r', { throwHttpErrors: false });
    expect(broken.statusCode).toBe(500);
  });

  it('does not retry POST unless asked', async () => {
    const { service, upstreams } = await setup(2, transport);
    for (const u of upstreams) u.mode = '500';
    await expect(service.post('/r', { json: {} })).rejects.toBeInstanceOf(UpstreamHttpError);
    expect(upstreams[0]!.hits + upstreams[1]!.hits).toBe(1);
    for (const u of upstreams) u.mode = 'ok';
    upstreams[0]!.mode = '500';
    upstreams[1]!.mode = '500';
    await expect(service.post('/r', { json: {}, retryNonIdempotent: true })).rejects.toBeInstanceOf(NoHealthyInstancesError);
  });

  it('all instances down: NoHealthyInstancesError with the walkthrough message, then the fallback', async () => {
    const { service, client } = await setup(2, transport);
    for (const u of upstreams) await u.close();
    upstreams = [];
    const error = await service.get('/r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoHealthyInstancesError);
    expect((error as Error).message).toBe('all ratings instances are down');
    expect((error as NoHealthyInstancesError).code).toBe('ERR_NO_HEALTHY_INSTANCES');
    expect((error as Error).cause).toBeInstanceOf(UpstreamConnectionError);
    const withFallback = client.service('ratings', {
      transport,
      breaker: { preset: 'datawire' },
      timeout: 300,
      fallback: (e) => ({ stars: null, reason: e.message }),
    });
    await expect(withFallback.get('/r').json()).resolves.toEqual({ stars: null, reason: 'all ratings instances are down' });
  });

  it('an instance whose breaker opened is skipped without a request', async () => {
    const { service, upstreams } = await setup(1, transport);
    upstreams[0]!.mode = '500';
    const first = await service.get('/r').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(NoHealthyInstancesError);
    expect((first as Error).cause).toBeInstanceOf(UpstreamHttpError);
    const hits = upstreams[0]!.hits;
    const error = await service.get('/r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoHealthyInstancesError);
    expect((error as Error).cause).toBeUndefined();
    expect(upstreams[0]!.hits).toBe(hits);
  });

  it('the overall deadline bounds retries: the retry gets only what is left of it', async () => {
    const { service, client, upstreams } = await setup(3, transport, { timeout: 200, deadline: 250, breaker: {} });
    for (const u of upstreams) u.mode = 'hang';
    const timedOut: number[] = [];
    client.on('callTimedOut', (e) => timedOut.push(e.timeoutMs));
    const error = await service.get('/r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    // the message names the service, the instance and the limit that fired
    const timeout = error as RequestTimeoutError;
    expect(timeout.message).toBe(`request to ${timeout.service} at ${timeout.instance!.url} timed out after ${timeout.timeoutMs}ms`);
    expect(timeout.message).toMatch(/^request to \S+ at http:\/\/127\.0\.0\.1:\d+ timed out after \d+ms$/);
    // without the deadline: three attempts of 200 ms each (retry.limit 2)
    expect(timedOut).toHaveLength(2);
    expect(timedOut[0]).toBe(200);
    expect(timedOut[1]).toBeLessThanOrEqual(50);
  });

  it('rejects unknown and invalid per-call options with a TypeError naming them', async () => {
    const { service, upstreams } = await setup(1, transport);
    await expect(service.get('/r', { timout: 5 } as never)).rejects.toThrow(/Unknown request option `timout`/);
    await expect(service.get('/r', { timeout: 'abc' as never })).rejects.toThrow(new TypeError('Expected `timeout` to be a finite number >= 1, got "abc"'));
    await expect(service.request({ path: 'r' })).rejects.toThrow(/`path`/);
    expect(upstreams[0]!.hits).toBe(0);
  });

  it('requeues an attempt that was refused (never sent) at once, for POST too, without the retry budget', async () => {
    const { service, client, upstreams } = await setup(2, transport, { balancer: () => new RoundRobinStrategy(() => 0), retry: { limit: 0 } });
    await upstreams[0]!.close();
    const retried: Array<DiscoveryEvents['callRetried']> = [];
    client.on('callRetried', (e) => retried.push(e));
    const response = await service.post('/r', { json: { a: 1 } });
    expect(response.instance?.id).toBe('u2');
    expect(retried).toMatchObject([{ instance: { id: 'u1' }, requeued: true, delayMs: 0 }]);
  });
});

describe('errors', () => {
  it('a service whose registry never answers fails with RegistryUnavailableError at the deadline', async () => {
    client = new DiscoveryClient({ logger: false, resolver: () => ({ start: () => undefined, close: () => undefined }) });
    const silent = client.service('ratings', { deadline: 150 });
    const error = await silent.get('/r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect((error as Error).message).toBe('cannot resolve ratings: no answer from the registry within 150ms');
  });

  it('carry name, code and cause', () => {
    const cause = new Error('x');
    const error = new CircuitOpenError('ratings', { number: 2, id: 'r2', url: 'http://127.0.0.1:8002' }, { cause });
    expect(error.name).toBe('CircuitOpenError');
    expect(error.code).toBe('ERR_CIRCUIT_OPEN');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('breaker is open on [ratings at http://127.0.0.1:8002]');
  });
});
