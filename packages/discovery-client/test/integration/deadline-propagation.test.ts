import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import {
  DiscoveryClient,
  remainingTime,
  RequestTimeoutError,
  RoundRobinStrategy,
  withDeadline,
  deadlineGuard,
  type ServiceOptions,
} from '../../src/index.js';
import { Upstream } from '../helpers/upstream.js';

const transports = ['got', 'undici'] as const;
let upstreams: Upstream[] = [];
const servers: http.Server[] = [];
const clients: DiscoveryClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(lists: Record<string, string[]>): DiscoveryClient {
  const discovery = new DiscoveryClient({ logger: false, static: lists });
  clients.push(discovery);
  return discovery;
}

async function upstreamsFor(count: number, transport: 'got' | 'undici', options: ServiceOptions = {}) {
  upstreams = await Promise.all(Array.from({ length: count }, (_, i) => new Upstream(`u${i + 1}`).start()));
  const service = client({ ratings: upstreams.map((u) => u.url) }).service('ratings', { transport, breaker: { preset: 'datawire' }, ...options });
  return { service, upstreams };
}

function headerOf(upstream: Upstream): number {
  return Number(upstream.lastHeaders['x-request-timeout-ms']);
}

describe.each(transports)('every attempt over %s carries the time its caller waits for it', (transport) => {
  it('a call arrives with x-request-timeout-ms, the attempt timeout when the deadline leaves more', async () => {
    const { service, upstreams } = await upstreamsFor(1, transport, { timeout: 300 });
    await service.get('/ratings/camera');
    expect(upstreams[0]!.lastHeaders['x-request-timeout-ms']).toBe('300');
  });

  it('a per-call deadline shorter than the timeout is what the header says, or less', async () => {
    const { service, upstreams } = await upstreamsFor(1, transport, { timeout: 1000 });
    await service.get('/ratings/camera', { deadline: 120 });
    expect(headerOf(upstreams[0]!)).toBeGreaterThan(0);
    expect(headerOf(upstreams[0]!)).toBeLessThanOrEqual(120);
  });

  it('a retry says what is left of the deadline, less than the first attempt', async () => {
    const { service, upstreams } = await upstreamsFor(2, transport, { timeout: 200, deadline: 300, balancer: () => new RoundRobinStrategy(() => 0) });
    upstreams[0]!.mode = 'hang';
    const response = await service.get('/r');
    expect(response.instance?.url).toBe(upstreams[1]!.url);
    expect(headerOf(upstreams[0]!)).toBe(200);
    expect(headerOf(upstreams[1]!)).toBeGreaterThan(0);
    expect(headerOf(upstreams[1]!)).toBeLessThanOrEqual(100);
  });

  it('keeps a smaller value the caller set (in any case), replaces a larger or malformed one, sends the header once', async () => {
    const { service, upstreams } = await upstreamsFor(1, transport, { timeout: 500, headers: { 'X-Request-Timeout-Ms': '90000' } });
    await service.get('/r');
    expect(upstreams[0]!.lastHeaders['x-request-timeout-ms']).toBe('500');
    await service.get('/r', { headers: { 'X-Request-Timeout-Ms': '40' } });
    expect(upstreams[0]!.lastHeaders['x-request-timeout-ms']).toBe('40');
    await service.get('/r', { headers: { 'x-request-timeout-ms': '-3' } });
    expect(upstreams[0]!.lastHeaders['x-request-timeout-ms']).toBe('500');
  });

  it('rejects a bad per-call deadline with a TypeError naming it, sending nothing', async () => {
    const { service, upstreams } = await upstreamsFor(1, transport);
    await expect(service.get('/r', { deadline: -1 })).rejects.toThrow(new TypeError('Expected `deadline` to be a finite number >= 0, got -1'));
    await expect(service.request({ path: '/r', deadline: 'soon' as never })).rejects.toThrow(/`deadline`/);
    expect(upstreams[0]!.hits).toBe(0);
  });
});

/** Sends one request with `headers` over a new connection; the answer's status, Retry-After and JSON body. */
async function ask(url: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const response = await fetch(url, { headers });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

describe('the deadline guard (node:http and express-style), over real sockets', () => {
  /** A server whose handler, behind `withDeadline`, answers the remaining time it was given. */
  async function guarded(): Promise<{ url: string; ran: () => number }> {
    let ran = 0;
    const url = await serve(
      withDeadline((req, res) => {
        ran++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ remaining: remainingTime(req) ?? null }));
      }),
    );
    return { url, ran: () => ran };
  }

  it('lets a request with time left through and tells the handler how much is left', async () => {
    const { url, ran } = await guarded();
    const answer = await ask(url, { 'x-request-timeout-ms': '800' });
    expect(answer.status).toBe(200);
    const { remaining } = answer.body as { remaining: number };
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(800);
    expect(ran()).toBe(1);
  });

  it('without the header there is no deadline: the handler runs, remainingTime is undefined', async () => {
    const { url } = await guarded();
    expect(await ask(url)).toMatchObject({ status: 200, body: { remaining: null } });
  });

  it('answers a JSON 504 with Retry-After, without running the handler, when the deadline had passed on arrival', async () => {
    const { url, ran } = await guarded();
    const answer = await ask(url, { 'x-request-timeout-ms': '0' });
    expect(answer).toMatchObject({ status: 504, retryAfter: '1', body: { error: 'deadline_exceeded' } });
    expect((answer.body as { message: string }).message).toMatch(/x-request-timeout-ms: 0/);
    expect(ran()).toBe(0);
  });

  it.each(['-5', 'abc', '1.5', '123456789'])('answers a JSON 400 naming the header for %j, without running the handler', async (value) => {
    const { url, ran } = await guarded();
    const answer = await ask(url, { 'x-request-timeout-ms': value });
    expect(answer).toMatchObject({ status: 400, retryAfter: null, body: { error: 'bad_request_timeout' } });
    expect((answer.body as { message: string }).message).toMatch(/^Expected the x-request-timeout-ms header to be 1 to 8 digits/);
    expect(ran()).toBe(0);
    expect(await ask(url, { 'x-request-timeout-ms': '500' })).toMatchObject({ status: 200 });
  });

  it('refuses with 503 the work of a caller that went away before it started (express-style middleware)', async () => {
    const guard = deadlineGuard();
    const refused: number[] = [];
    let worked = 0;
    let arrived = 0;
    // a middleware before the guard holds the request until its caller has gone: a slow body parser, a queue
    const url = await serve((req, res) => {
      arrived++;
      const socket = req.socket;
      const go = (): void =>
        guard(req, res, () => {
          worked++;
          res.end('done');
        });
      socket.once('close', () => {
        go();
        refused.push(res.statusCode);
      });
    });
    const { port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET /work HTTP/1.1\r\nHost: x\r\nx-request-timeout-ms: 5000\r\n\r\n`);
    await waitFor(() => arrived === 1, { timeoutMs: 5000, what: 'the request to arrive' });
    socket.destroy();
    await waitFor(() => refused.length === 1, { timeoutMs: 5000, what: 'the guard to refuse' });
    expect(refused).toEqual([503]);
    expect(worked).toBe(0);
  });

  it('a caller still connected at the same point is served', async () => {
    const guard = deadlineGuard();
    const url = await serve((req, res) => {
      setTimeout(() => guard(req, res, () => res.end(String(remainingTime(req)))), 20);
    });
    const response = await fetch(url, { headers: { 'x-request-timeout-ms': '5000' } });
    expect(response.status).toBe(200);
    expect(Number(await response.text())).toBeLessThanOrEqual(5000);
  });

  it('writes a refusal with the app\'s own body when given `respond`', async () => {
    const url = await serve(
      withDeadline(() => undefined, {
        retryAfterSeconds: 3,
        respond: (res, refusal) => {
          res.writeHead(refusal.status, { 'content-type': 'application/json', 'retry-after': String(refusal.retryAfterSeconds) });
          res.end(JSON.stringify({ error: refusal.message, details: { reason: refusal.reason } }));
        },
      }),
    );
    expect(await ask(url, { 'x-request-timeout-ms': '0' })).toMatchObject({ status: 504, retryAfter: '3', body: { details: { reason: 'deadline_exceeded' } } });
  });

  it('refuses a bad retryAfterSeconds with a TypeError naming it', () => {
    expect(() => deadlineGuard({ retryAfterSeconds: -1 })).toThrow(new TypeError('Expected `retryAfterSeconds` to be an integer >= 0, got -1'));
  });
});

describe('a chain of services passes a shrinking remaining time down', () => {
  it('front -> middle -> back: each hop is told no more than its caller had left, below the hops\' own timeouts', async () => {
    const seen: Record<string, number | undefined> = {};
    const record = (name: string) => (req: http.IncomingMessage) => {
      seen[name] = Number(req.headers['x-request-timeout-ms']);
    };
    const backUrl = await serve(
      withDeadline((req, res) => {
        record('back')(req);
        res.end('{}');
      }),
    );
    const back = client({ back: [backUrl] }).service('back', { timeout: 1000 });
    const middleUrl = await serve(
      withDeadline((req, res) => {
        record('middle')(req);
        // some work before the next call, so the time left visibly shrinks
        setTimeout(() => {
          back.get('/x', { deadline: remainingTime(req) }).then(() => res.end('{}'), () => res.writeHead(502).end());
        }, 30);
      }),
    );
    const middle = client({ middle: [middleUrl] }).service('middle', { timeout: 1000 });
    const frontUrl = await serve(
      withDeadline((req, res) => {
        middle.get('/x', { deadline: remainingTime(req) }).then(() => res.end('{}'), () => res.writeHead(502).end());
      }),
    );
    const response = await fetch(frontUrl, { headers: { 'x-request-timeout-ms': '700' } });
    expect(response.status).toBe(200);
    expect(seen.middle).toBeGreaterThan(0);
    expect(seen.middle).toBeLessThanOrEqual(700);
    expect(seen.back).toBeGreaterThan(0);
    // the middle waited 30 ms before its call: what is left is smaller by about that (timers may round down a little)
    expect(seen.back).toBeLessThanOrEqual(seen.middle! - 25);
  });

  it('a hop whose time ran out fails its call with RequestTimeoutError instead of waiting its own timeout', async () => {
    const hanging = new Upstream('slow');
    upstreams.push(await hanging.start());
    hanging.mode = 'hang';
    const slow = client({ slow: [hanging.url] }).service('slow', { timeout: 5000, retry: false });
    const started = performance.now();
    const error = await slow.get('/x', { deadline: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(Number(hanging.lastHeaders['x-request-timeout-ms'])).toBeLessThanOrEqual(100);
    // it gave up on the deadline (100 ms), not on the 5 s timeout; generous bound for a busy machine
    expect(performance.now() - started).toBeLessThan(4000);
  });
});
