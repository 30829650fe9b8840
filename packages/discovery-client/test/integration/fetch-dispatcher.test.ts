import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch, interceptors, type Dispatcher } from 'undici';
import { waitFor } from 'process-supervisor';
import { DiscoveryClient, DiscoveryError, ServiceHostError, UpstreamConnectionError, type ServiceOptions } from '../../src/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

// fetch (Node's own, and undici's) through discovery.dispatcher() / discovery.interceptor(), against real
// HTTP servers on port 0 listed with the `static` source.

const fixture = useClientFixture();
const execFileAsync = promisify(execFile);
const GLOBAL_FETCH_FIXTURE = fileURLToPath(new URL('../fixtures/global-fetch.mjs', import.meta.url));
const servers: http.Server[] = [];
const agents: Dispatcher[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

async function upstreams(count: number): Promise<Upstream[]> {
  const started = await Promise.all(Array.from({ length: count }, (_, i) => new Upstream(`ratings-${i + 1}`).start()));
  fixture.upstreams.push(...started);
  return started;
}

function client(urls: string[], services?: Record<string, ServiceOptions>): { discovery: DiscoveryClient; dispatcher: Dispatcher } {
  const discovery = new DiscoveryClient({ logger: false, static: { ratings: urls } });
  fixture.client = discovery;
  return { discovery, dispatcher: discovery.dispatcher(services ? { services } : undefined) };
}

/**
 * Node's own fetch with an undici 7 dispatcher: Node's `RequestInit` types name the undici-types of its bundled
 * undici, so TypeScript needs the cast a user needs too (undici's own fetch takes the dispatcher as it is).
 */
function nodeFetch(url: string, init: Omit<RequestInit, 'dispatcher'> & { dispatcher?: Dispatcher }): Promise<Response> {
  return fetch(url, init as unknown as RequestInit);
}

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('fetch through discovery.dispatcher()', () => {
  it('balances over two instances and every call still succeeds once one is killed', async () => {
    const [one, two] = await upstreams(2);
    const { dispatcher } = client([one!.url, two!.url]);
    for (let i = 0; i < 4; i++) {
      const response = await nodeFetch('http://ratings.service.consul/ratings/camera', { dispatcher });
      expect(response.status).toBe(200);
      await response.json();
    }
    expect(one!.hits).toBeGreaterThan(0);
    expect(two!.hits).toBeGreaterThan(0);
    await one!.close();
    const froms: string[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await nodeFetch('http://ratings.service.consul/ratings/camera', { dispatcher });
      expect(response.status).toBe(200);
      froms.push(((await response.json()) as { from: string }).from);
    }
    expect(new Set(froms)).toEqual(new Set(['ratings-2']));
  });

  it('resolves a 404 (and a final 500) as a Response, not a rejection', async () => {
    const [one] = await upstreams(1);
    const { dispatcher } = client([one!.url], { ratings: { retry: { limit: 0 } } });
    one!.mode = '404';
    const notFound = await nodeFetch('http://ratings.service.consul/ratings/nothing', { dispatcher });
    expect(notFound.status).toBe(404);
    expect(notFound.statusText).toBe('Not Found');
    expect(notFound.headers.get('content-type')).toBe('application/json');
    expect(await notFound.json()).toEqual({ from: 'ratings-1', path: '/ratings/nothing', method: 'GET' });
    one!.mode = '500';
    const failed = await nodeFetch('http://ratings.service.consul/ratings/camera', { dispatcher });
    expect(failed.status).toBe(500);
  });

  it('hands the body over byte for byte', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
    });
    const { dispatcher } = client([url]);
    const response = await nodeFetch('http://ratings.service.consul/blob', { dispatcher });
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('sends the method, headers, query and body of a POST', async () => {
    const [one] = await upstreams(1);
    const { dispatcher } = client([one!.url]);
    const response = await nodeFetch('http://ratings.service.consul/orders?express=1', {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-order': '42' },
      body: JSON.stringify({ item: 'camera', quantity: 2 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ from: 'ratings-1', path: '/orders?express=1', method: 'POST' });
    expect(JSON.parse(one!.lastBody)).toEqual({ item: 'camera', quantity: 2 });
    expect(one!.lastHeaders['x-order']).toBe('42');
    expect(one!.lastHeaders['content-type']).toBe('application/json');
    expect(one!.lastHeaders['x-request-timeout-ms']).toMatch(/^\d+$/);
  });

  it('sends a streamed body (undici fetch, a ReadableStream)', async () => {
    const [one] = await upstreams(1);
    const { dispatcher } = client([one!.url]);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('part one, '));
        controller.enqueue(new TextEncoder().encode('part two'));
        controller.close();
      },
    });
    const response = await undiciFetch('http://ratings.service.consul/upload', { dispatcher, method: 'PUT', body, duplex: 'half' });
    expect(response.status).toBe(200);
    expect(one!.lastBody).toBe('part one, part two');
  });

  it('passes other hosts to the dispatcher beneath, untouched', async () => {
    const [one] = await upstreams(1);
    const { discovery, dispatcher } = client([]);
    const response = await nodeFetch(`${one!.url}/direct?x=1`, { dispatcher, method: 'POST', body: 'as is' });
    expect(await response.json()).toEqual({ from: 'ratings-1', path: '/direct?x=1', method: 'POST' });
    expect(one!.lastBody).toBe('as is');
    expect(one!.lastHeaders['x-request-timeout-ms']).toBeUndefined();
    expect(discovery.snapshot().services).toEqual([]);
  });

  it('aborts the request on the instance when the fetch signal aborts, and counts nothing against it', async () => {
    const [one] = await upstreams(1);
    const { discovery, dispatcher } = client([one!.url], { ratings: { timeout: 20_000, deadline: 20_000 } });
    one!.mode = 'hang';
    const controller = new AbortController();
    const pending = nodeFetch('http://ratings.service.consul/slow', { dispatcher, signal: controller.signal });
    await waitFor(() => one!.hits === 1, { timeoutMs: 5000, what: 'the request on the instance' });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    // the library closed the socket: long before the 20 s attempt timeout could have
    await waitFor(() => one!.aborted === 1, { timeoutMs: 5000, what: 'the instance to see the request aborted' });
    expect(one!.hits).toBe(1);
    const instance = discovery.snapshot().services[0]!.instances[0]!;
    expect(instance.breaker).toBe('CLOSED');
  });

  // undici's own fetch here: Node's fetch lives in another realm than jest's, so `instanceof` cannot hold there
  // (the global-fetch test below checks Node's fetch in a process of its own)
  it('rejects with the library typed error as cause when the only instance refuses', async () => {
    const [one] = await upstreams(1);
    const { dispatcher } = client([one!.url]);
    await one!.close();
    const error = await undiciFetch('http://ratings.service.consul/ratings/camera', { dispatcher }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    expect((error as Error).cause).toBeInstanceOf(DiscoveryError);
    expect((error as Error).cause).toBeInstanceOf(UpstreamConnectionError);
  });

  it('rejects a service host it cannot call with ServiceHostError as cause, sending nothing', async () => {
    const { dispatcher } = client([]);
    for (const url of ['http://a.b.ratings.service.consul/', 'http://ratings.service.dc9.consul/']) {
      const error = await undiciFetch(url, { dispatcher }).catch((e: unknown) => e);
      expect((error as Error).cause).toBeInstanceOf(ServiceHostError);
    }
  });

  it("serves Node's global fetch once it is the global dispatcher (a process of its own)", async () => {
    const { stdout } = await execFileAsync(process.execPath, [GLOBAL_FETCH_FIXTURE], { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({
      service: { path: '/ratings/camera', deadline: expect.stringMatching(/^\d+$/) },
      direct: { path: '/direct', deadline: null },
      failed: { name: 'TypeError', cause: 'UpstreamConnectionError', code: 'ERR_UPSTREAM_CONNECTION' },
    });
  });

  it('rejects a misspelt option with a TypeError naming it', () => {
    const discovery = new DiscoveryClient({ logger: false, static: {} });
    fixture.client = discovery;
    expect(() => discovery.dispatcher({ service: {} } as never)).toThrow(/Unknown option `service`/);
    expect(() => discovery.interceptor({ dispatcher: new Agent() } as never)).toThrow(/Unknown option `dispatcher`/);
  });
});

describe('discovery.interceptor() composed with undici interceptors', () => {
  it("serves the second GET from undici's cache interceptor in front of discovery", async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.writeHead(200, { 'cache-control': 'public, max-age=60', 'content-type': 'text/plain' });
      res.end(`answer ${hits}`);
    });
    const discovery = new DiscoveryClient({ logger: false, static: { ratings: [url] } });
    fixture.client = discovery;
    const agent = new Agent();
    agents.push(agent);
    const dispatcher = agent.compose(discovery.interceptor(), interceptors.cache());
    const first = await nodeFetch('http://ratings.service.consul/cached', { dispatcher });
    expect(await first.text()).toBe('answer 1');
    const second = await nodeFetch('http://ratings.service.consul/cached', { dispatcher });
    expect(await second.text()).toBe('answer 1');
    expect(hits).toBe(1);
  });
});

describe('a call signal (service.request)', () => {
  it('rejects with the signal reason and aborts the attempt', async () => {
    const [one] = await upstreams(1);
    const { discovery } = client([one!.url]);
    one!.mode = 'hang';
    const ratings = discovery.service('ratings', { timeout: 20_000, deadline: 20_000 });
    const controller = new AbortController();
    const pending = ratings.get('/slow', { signal: controller.signal });
    await waitFor(() => one!.hits === 1, { timeoutMs: 5000, what: 'the request on the instance' });
    const reason = new Error('user left');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await waitFor(() => one!.aborted === 1, { timeoutMs: 5000, what: 'the instance to see the request aborted' });
    await expect(ratings.get('/x', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(one!.hits).toBe(1);
  });
});
