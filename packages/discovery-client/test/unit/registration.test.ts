import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { register, RegistryUnavailableError, type Registration } from '../../src/index.js';
import { FakeConsul } from '../helpers/fake-consul.js';

let consul: FakeConsul | undefined;
let registration: Registration | undefined;

afterEach(async () => {
  await registration?.close();
  registration = undefined;
  await consul?.close();
  consul = undefined;
});

async function fake(atPort = 0): Promise<{ consul: FakeConsul; port: number; known: Set<string> }> {
  consul = new FakeConsul();
  const known = new Set<string>();
  consul.other = (req, res) => {
    const path = req.url.pathname;
    if (path === '/v1/agent/service/register') {
      const body = JSON.parse(req.body) as { ID: string; Check: { CheckID: string } };
      known.add(body.Check.CheckID);
      res.writeHead(200);
      return res.end();
    }
    if (path.startsWith('/v1/agent/check/pass/')) {
      const id = decodeURIComponent(path.slice('/v1/agent/check/pass/'.length));
      res.writeHead(known.has(id) ? 200 : 404);
      return res.end(known.has(id) ? '' : `Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`);
    }
    if (path.startsWith('/v1/agent/service/deregister/')) {
      res.writeHead(200);
      return res.end();
    }
    res.writeHead(404);
    res.end();
  };
  const port = await consul.start(atPort);
  return { consul, port, known };
}

describe('register()', () => {
  it('registers with a TTL check, passes it, heartbeats at ttl/3 and deregisters first on close', async () => {
    const { consul, port } = await fake();
    registration = await register({
      name: 'ratings',
      id: 'ratings-1',
      address: '127.0.0.1',
      port: 8001,
      tags: ['v1'],
      meta: { version: '1.0' },
      ttl: '600ms',
      consul: { host: '127.0.0.1', port, token: 'tok' },
      logger: false,
    });
    const registerRequest = consul.requests.find((r) => r.url.pathname === '/v1/agent/service/register')!;
    expect(registerRequest.method).toBe('PUT');
    expect(registerRequest.headers['x-consul-token']).toBe('tok');
    expect(JSON.parse(registerRequest.body)).toEqual({
      Name: 'ratings',
      ID: 'ratings-1',
      Address: '127.0.0.1',
      Port: 8001,
      Tags: ['v1'],
      Meta: { version: '1.0' },
      Check: {
        CheckID: 'service:ratings-1',
        Name: "Service 'ratings' check",
        TTL: '600ms',
        DeregisterCriticalServiceAfter: '60s',
        Status: 'passing',
      },
    });
    const passes = () => consul.requests.filter((r) => r.url.pathname === '/v1/agent/check/pass/service%3Aratings-1').length;
    await waitFor(() => passes() >= 3, { timeoutMs: 3000, what: 'heartbeats' });
    await registration.close();
    const last = consul.requests.at(-1)!;
    expect(last.method).toBe('PUT');
    expect(last.url.pathname).toBe('/v1/agent/service/deregister/ratings-1');
    const count = consul.requests.length;
    // A fixed pause that proves a negative: no heartbeat after close(), for two heartbeat periods (ttl / 3 = 200 ms).
    await sleep(400);
    expect(consul.requests.length).toBe(count);
  });

  it('close() deregisters, waits the drain delay, then closes the server once in-flight requests finish', async () => {
    const { consul, port } = await fake();
    const order: string[] = [];
    const server = http.createServer((_req, res) => {
      order.push('request started');
      setTimeout(() => {
        order.push('request answered');
        res.end('ok');
      }, 500);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const appPort = (server.address() as AddressInfo).port;
    registration = await register({
      name: 'ratings',
      port: appPort,
      consul: { host: '127.0.0.1', port },
      drainDelay: '200ms',
      server,
      logger: false,
    });
    const inFlight = fetch(`http://127.0.0.1:${appPort}/slow`).then(async (r) => r.text());
    await waitFor(() => order.length > 0, { timeoutMs: 2000, what: 'request start' });
    const closing = registration.close().then(() => order.push('closed'));
    await waitFor(() => consul.requests.some((r) => r.url.pathname.startsWith('/v1/agent/service/deregister/')), { timeoutMs: 2000, what: 'deregister' });
    order.push('deregistered');
    // during the drain the server still takes new requests (clients may not have heard yet)
    const lateRequest = fetch(`http://127.0.0.1:${appPort}/late`).then(async (r) => r.text());
    expect(await inFlight).toBe('ok');
    expect(await lateRequest).toBe('ok');
    await closing;
    expect(order.slice(0, 3)).toEqual(['request started', 'deregistered', 'request started']);
    expect(order.at(-1)).toBe('closed');
    expect(server.listening).toBe(false);
  });

  it('registers again by itself when Consul forgot it (404 on check pass)', async () => {
    const { port, known } = await fake();
    registration = await register({ name: 'ratings', port: 8001, ttl: '300ms', consul: { host: '127.0.0.1', port }, logger: false });
    expect(registration.id).toBe('ratings-8001');
    const again: boolean[] = [];
    registration.on('registered', (e) => again.push(e.again));
    known.clear();
    await waitFor(() => again.length > 0, { timeoutMs: 3000, what: 're-registration' });
    expect(again[0]).toBe(true);
    expect(known.has('service:ratings-8001')).toBe(true);
  });

  it('logs heartbeat failures and never throws them', async () => {
    const { consul, port } = await fake();
    const lines: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (_f: unknown, m: string) => lines.push(m), error: (_f: unknown, m: string) => lines.push(m) };
    registration = await register({ name: 'ratings', port: 8001, ttl: '300ms', consul: { host: '127.0.0.1', port }, logger });
    const failures: Error[] = [];
    registration.on('heartbeatFailed', (e) => failures.push(e.error));
    await consul.close();
    await waitFor(() => failures.length >= 2, { timeoutMs: 3000, what: 'failed heartbeats' });
    expect(failures[0]).toBeInstanceOf(RegistryUnavailableError);
    expect(lines.filter((l) => l.startsWith('heartbeat for ratings-8001 failed'))).toHaveLength(1);
  });

  it('resolves even when Consul is down at start, and registers once it is up', async () => {
    const probe = await fake();
    await probe.consul.close();
    registration = await register({ name: 'ratings', port: 8001, ttl: '300ms', consul: { host: '127.0.0.1', port: probe.port }, logger: false });
    const registered: boolean[] = [];
    registration.on('registered', (e) => registered.push(e.again));
    const { known } = await fake(probe.port);
    await waitFor(() => registered.length > 0, { timeoutMs: 3000, what: 'registration after Consul came up' });
    expect(known.has('service:ratings-8001')).toBe(true);
  });

  it('rejects bad options with a TypeError naming them', async () => {
    await expect(register({ name: '', port: 1 })).rejects.toThrow('Expected `name` to be a non-empty string, got ""');
    await expect(register({ name: 'x', port: 70000 })).rejects.toThrow('`port`');
    await expect(register({ name: 'x', port: 80, ttl: '10 parsecs' })).rejects.toThrow(TypeError);
  });
});
