import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { waitFor } from 'process-supervisor';
import { register, type Registration } from '../../src/index.js';

let consul: DevConsulHandle;
let registration: Registration | undefined;
let server: http.Server | undefined;

beforeEach(async () => {
  consul = await startDevConsul({ port: 0, logLevel: 'error' });
});

afterEach(async () => {
  await registration?.close();
  registration = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await consul.close();
});

interface HealthEntry {
  Service: { ID: string };
  Checks: Array<{ CheckID: string; Status: string; Output: string }>;
}

/** `/v1/health/service/<name>` (with `?passing` when asked): the ids listed. */
async function listed(name: string, passing: boolean): Promise<string[]> {
  const res = await fetch(`${consul.url}/v1/health/service/${name}${passing ? '?passing' : ''}`);
  const entries = (await res.json()) as HealthEntry[];
  return entries.map((e) => e.Service.ID);
}

/** The service check of `id` as the health API shows it. */
async function serviceCheck(name: string, id: string): Promise<{ Status: string; Output: string } | undefined> {
  const res = await fetch(`${consul.url}/v1/health/service/${name}`);
  const entries = (await res.json()) as HealthEntry[];
  return entries.find((e) => e.Service.ID === id)?.Checks.find((c) => c.CheckID === `service:${id}`);
}

/** Resolves after `count` more heartbeats went through. */
function heartbeats(reg: Registration, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const listener = (): void => {
      seen += 1;
      if (seen < count) return;
      reg.off('heartbeat', listener);
      resolve();
    };
    reg.on('heartbeat', listener);
  });
}

const consulOptions = (): { host: string; port: number } => ({ host: '127.0.0.1', port: consul.port });

describe('a registered service reports its own health (TTL check)', () => {
  it('fail() takes it out of ?passing, heartbeats keep it critical, pass() brings it back', async () => {
    registration = await register({ name: 'ratings', id: 'ratings-1', address: '127.0.0.1', port: 8001, ttl: '900ms', consul: consulOptions(), logger: false });
    expect(await listed('ratings', true)).toEqual(['ratings-1']);

    await registration.fail('database unreachable');
    expect(registration.status).toBe('critical');
    expect(await listed('ratings', true)).toEqual([]);
    expect(await listed('ratings', false)).toEqual(['ratings-1']);
    expect(await serviceCheck('ratings', 'ratings-1')).toMatchObject({ Status: 'critical', Output: 'database unreachable' });

    await heartbeats(registration, 3); // a heartbeat every 300 ms: each repeats the failure
    expect(await listed('ratings', true)).toEqual([]);
    expect(await serviceCheck('ratings', 'ratings-1')).toMatchObject({ Status: 'critical', Output: 'database unreachable' });

    await registration.pass();
    expect(await listed('ratings', true)).toEqual(['ratings-1']);
    await heartbeats(registration, 2);
    expect(await serviceCheck('ratings', 'ratings-1')).toMatchObject({ Status: 'passing', Output: '' });
  });

  it('warn() lists it as warning, outside ?passing, until pass()', async () => {
    registration = await register({ name: 'ratings', id: 'ratings-1', address: '127.0.0.1', port: 8001, ttl: '900ms', consul: consulOptions(), logger: false });
    await registration.warn('queue 90 % full');
    await heartbeats(registration, 2);
    expect(await listed('ratings', true)).toEqual([]);
    expect(await serviceCheck('ratings', 'ratings-1')).toMatchObject({ Status: 'warning', Output: 'queue 90 % full' });
    await registration.pass('ok');
    expect(await listed('ratings', true)).toEqual(['ratings-1']);
  });

  it('registers again with the reported status when the agent forgot it', async () => {
    registration = await register({ name: 'ratings', id: 'ratings-1', address: '127.0.0.1', port: 8001, ttl: '900ms', consul: consulOptions(), logger: false });
    await registration.fail('draining');
    const again = new Promise((resolve) => registration!.on('registered', (event) => event.again && resolve(event)));
    expect((await fetch(`${consul.url}/v1/agent/service/deregister/ratings-1`, { method: 'PUT' })).status).toBe(200);
    await again;
    expect(await serviceCheck('ratings', 'ratings-1')).toMatchObject({ Status: 'critical' });
    // the note follows the registration as an output-only change: the agent has it now, the catalog within
    // Consul's check_update_interval (output-only changes are deferred)
    const checks = (await (await fetch(`${consul.url}/v1/agent/checks`)).json()) as Record<string, { Status: string; Output: string }>;
    expect(checks['service:ratings-1']).toMatchObject({ Status: 'critical', Output: 'draining' });
    expect(await listed('ratings', true)).toEqual([]);
  });

  it('rejects a note that is not a string with a TypeError', async () => {
    registration = await register({ name: 'ratings', id: 'ratings-1', address: '127.0.0.1', port: 8001, consul: consulOptions(), logger: false });
    await expect(registration.fail(42 as unknown as string)).rejects.toThrow(TypeError);
  });
});

describe('an HTTP check instead of the TTL check', () => {
  it('the agent probes the instance: passing on 200, critical with the output once it answers 500', async () => {
    let status = 200;
    server = http.createServer((req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'disk full');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    registration = await register({
      name: 'ratings', id: 'ratings-1', address: '127.0.0.1', port,
      check: { http: `http://127.0.0.1:${port}/health`, interval: '1s', timeout: '2s' },
      consul: consulOptions(), logger: false,
    });
    const checks = (await (await fetch(`${consul.url}/v1/agent/checks`)).json()) as Record<string, { Type: string; Interval: string; Timeout: string }>;
    expect(checks['service:ratings-1']).toMatchObject({ Type: 'http', Interval: '1s', Timeout: '2s' });

    await waitFor(async () => (await listed('ratings', true)).includes('ratings-1'), { timeoutMs: 10_000, what: 'the first probe to pass' });
    status = 500;
    await waitFor(async () => (await serviceCheck('ratings', 'ratings-1'))?.Status === 'critical', { timeoutMs: 10_000, what: 'a probe to see the 500' });
    expect((await serviceCheck('ratings', 'ratings-1'))?.Output).toContain('500 Internal Server Error Output: disk full');
    expect(await listed('ratings', true)).toEqual([]);

    await expect(registration.fail('x')).rejects.toThrow(/needs a TTL check/);
  });

  it('rejects ttl with check, and a check URL that is not http(s)', async () => {
    const base = { name: 'ratings', port: 8001, consul: consulOptions(), logger: false as const };
    await expect(register({ ...base, ttl: '10s', check: { http: 'http://127.0.0.1:8001/' } })).rejects.toThrow(/either `ttl`/);
    await expect(register({ ...base, check: { http: 'ftp://x/' } })).rejects.toThrow('Expected `check.http` to be an http: or https: URL, got "ftp://x/"');
    await expect(register({ ...base, check: { http: 'http://x/', interval: 'soon' } })).rejects.toThrow(/check\.interval/);
  });
});
