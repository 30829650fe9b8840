/**
 * One block per item of the "Traps" list of the project's Consul API contract, each test named
 * after the behaviour it pins down.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { call, client, health, register, start } from './helpers.js';
import type { DevConsulHandle } from './helpers.js';

let consul: DevConsulHandle;
afterEach(async () => {
  await consul.close();
});

describe('trap 1: X-Consul-Index is always present and never 0', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('health/service and catalog reads carry an index >= 1, also for a service that never existed', async () => {
    for (const path of ['/v1/health/service/ghost', '/v1/catalog/service/ghost', '/v1/catalog/services']) {
      const res = await call(consul, 'GET', path);
      expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('trap 2: index=0 answers at once, a real index blocks', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('index=0&wait=30s (node-consul first call) is non-blocking; index=<current> parks', async () => {
    let t = Date.now();
    const first = await health(consul, 'web', '?index=0&wait=30s');
    expect(Date.now() - t).toBeLessThan(500);
    t = Date.now();
    await health(consul, 'web', `?index=${first.index}&wait=600ms`);
    expect(Date.now() - t).toBeGreaterThanOrEqual(550);
  });
});

describe('trap 3: heartbeats do not bump the index', () => {
  beforeEach(async () => {
    consul = await start({ checkUpdateInterval: 400 });
  });
  it('an identical pass is a no-op; an output-only change reaches the catalog later; a status change bumps at once', async () => {
    await register(consul, { Name: 'hb', Check: { TTL: '30s' } });
    await call(consul, 'PUT', '/v1/agent/check/pass/service:hb?note=ok');
    const base = await health(consul, 'hb');
    await call(consul, 'PUT', '/v1/agent/check/pass/service:hb?note=ok');
    expect((await health(consul, 'hb')).index).toBe(base.index);
    // Output-only: the agent sees it now, the catalog (health) only after check_update_interval.
    await call(consul, 'PUT', '/v1/agent/check/pass/service:hb?note=still%20ok');
    const agentChecks = (await call(consul, 'GET', '/v1/agent/checks')).json<Record<string, { Output: string }>>();
    expect(agentChecks['service:hb']?.Output).toBe('still ok');
    const right = await health(consul, 'hb');
    expect(right.index).toBe(base.index);
    expect(right.entries[0]?.Checks.find((c) => c.CheckID === 'service:hb')?.Output).toBe('ok');
    const synced = await health(consul, 'hb', `?index=${base.index}&wait=5s`);
    expect(synced.entries[0]?.Checks.find((c) => c.CheckID === 'service:hb')?.Output).toBe('still ok');
    // Status change: immediate.
    await call(consul, 'PUT', '/v1/agent/check/warn/service:hb');
    expect((await health(consul, 'hb')).index).toBeGreaterThan(synced.index);
  });
});

describe('trap 4: a client index ahead of the server waits for the full wait', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('returns the lower index only after wait (+ at most wait/16), which lets node-consul reset to 0', async () => {
    const { index } = await health(consul, 'svc');
    const t = Date.now();
    const res = await health(consul, 'svc', `?index=${index + 50}&wait=800ms`);
    const took = Date.now() - t;
    expect(res.index).toBe(index);
    expect(took).toBeGreaterThanOrEqual(780);
    expect(took).toBeLessThan(800 * 1.0625 + 400);
  });
});

describe('trap 5: wait defaults and filter errors', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('wait without a unit is a 400 (ends a node-consul watch); an invalid filter is a 500 (it retries)', async () => {
    const noUnit = await call(consul, 'GET', '/v1/catalog/services?index=1&wait=30');
    expect([noUnit.status, noUnit.text]).toEqual([400, 'Invalid wait time']);
    const badFilter = await call(consul, 'GET', `/v1/health/service/web?filter=${encodeURIComponent('Service.Tags ==')}`);
    expect(badFilter.status).toBe(500);
    expect(badFilter.text).toMatch(/^Failed to create boolean expression evaluator: /);
    const badSelector = await call(consul, 'GET', `/v1/health/service/web?filter=${encodeURIComponent('Nope == 1')}`);
    expect(badSelector.status).toBe(500);
    expect(badSelector.text).toBe('Failed to create boolean expression evaluator: Selector "Nope" is not valid');
  });
  // Defaults of 5 min / clamp to 10 min are asserted in unit/blocking.test.ts without waiting minutes.
});

describe('trap 6: check IDs and names', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('one check is service:<ID>, several are service:<ID>:1..n over Check+Checks, an explicit CheckID wins, names use the service Name', async () => {
    await register(consul, { Name: 'one', ID: 'one-1', Check: { TTL: '10s' } });
    await register(consul, { Name: 'many', ID: 'many-1', Check: { TTL: '10s' }, Checks: [{ TTL: '10s' }, { TTL: '10s', CheckID: 'mine' }] });
    const checks = (await call(consul, 'GET', '/v1/agent/checks')).json<Record<string, { Name: string }>>();
    expect(Object.keys(checks).sort()).toEqual(['mine', 'service:many-1:1', 'service:many-1:2', 'service:one-1']);
    expect(checks['service:one-1']?.Name).toBe("Service 'one' check");
    expect(checks['service:many-1:2']?.Name).toBe("Service 'many' check");
  });
});

describe('trap 7: new checks start critical; re-registration keeps status', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('a fresh TTL instance is hidden from ?passing until its first pass, and re-registering does not reset it', async () => {
    const def = { Name: 'r', ID: 'r-1', Port: 1, Check: { TTL: '10s' } };
    await register(consul, def);
    expect((await health(consul, 'r', '?passing')).entries).toEqual([]);
    await call(consul, 'PUT', '/v1/agent/check/pass/service:r-1?note=fine');
    await register(consul, { ...def, Tags: ['new-tag'] });
    const after = await health(consul, 'r', '?passing');
    expect(after.entries).toHaveLength(1);
    expect(after.entries[0]?.Service.Tags).toEqual(['new-tag']);
    expect(after.entries[0]?.Checks.find((c) => c.CheckID === 'service:r-1')).toMatchObject({ Status: 'passing', Output: 'fine' });
  });
  it('an initial Status is honoured', async () => {
    await register(consul, { Name: 'p', Check: { TTL: '10s', Status: 'passing' } });
    expect((await health(consul, 'p', '?passing')).entries).toHaveLength(1);
  });
});

describe('trap 8: ?passing means every check exactly passing', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('warning is excluded, node maintenance hides everything, and without ?passing critical instances are listed', async () => {
    await register(consul, { Name: 'w', ID: 'w-1', Check: { TTL: '10s', Status: 'passing' } });
    await register(consul, { Name: 'w', ID: 'w-2', Check: { TTL: '10s', Status: 'passing' } });
    await call(consul, 'PUT', '/v1/agent/check/warn/service:w-2');
    expect((await health(consul, 'w', '?passing')).entries.map((e) => e.Service.ID)).toEqual(['w-1']);
    expect((await health(consul, 'w', '?passing=true')).entries.map((e) => e.Service.ID)).toEqual(['w-1']);
    expect((await health(consul, 'w', '?passing=false')).entries).toHaveLength(2);
    const bad = await call(consul, 'GET', '/v1/health/service/w?passing=maybe');
    expect([bad.status, bad.text]).toEqual([400, 'Invalid value for ?passing']);
    await call(consul, 'PUT', '/v1/agent/maintenance?enable=true&reason=patching');
    expect((await health(consul, 'w', '?passing')).entries).toEqual([]);
    const all = await health(consul, 'w');
    expect(all.entries).toHaveLength(2);
    expect(all.entries[0]?.Checks.find((c) => c.CheckID === '_node_maintenance')).toMatchObject({ Status: 'critical', Notes: 'patching', Type: 'maintenance' });
    await call(consul, 'PUT', '/v1/agent/maintenance?enable=false');
    expect((await health(consul, 'w', '?passing')).entries).toHaveLength(1);
  });
});

describe('trap 9: serfHealth and the consul service', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('serfHealth is in health results but not in /v1/agent/checks; consul is in the catalog but not in /v1/agent/services', async () => {
    await register(consul, { Name: 'web', Check: { TTL: '10s' } });
    const entry = (await health(consul, 'web')).entries[0];
    expect(entry?.Checks.find((c) => c.CheckID === 'serfHealth')).toMatchObject({ Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive and reachable', ServiceID: '', ServiceTags: [] });
    expect(Object.keys((await call(consul, 'GET', '/v1/agent/checks')).json<object>())).toEqual(['service:web']);
    expect((await call(consul, 'GET', '/v1/catalog/services')).json()).toEqual({ consul: [], web: [] });
    expect(Object.keys((await call(consul, 'GET', '/v1/agent/services')).json<object>())).toEqual(['web']);
    const consulEntries = (await health(consul, 'consul', '?passing')).entries;
    expect(consulEntries.map((e) => [e.Service.ID, e.Service.Port])).toEqual([['consul', 8300]]);
    const deregister = await call(consul, 'PUT', '/v1/agent/service/deregister/consul');
    expect(deregister.status).toBe(404);
  });
});

describe('trap 10: unknown IDs are 404s; a non-TTL check is a 500', () => {
  let target: http.Server;
  beforeEach(async () => {
    consul = await start();
    target = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  });
  afterEach(async () => {
    await new Promise((r) => target.close(r));
  });
  it('uses Consul texts for deregister/pass on unknown IDs and pass on an HTTP check', async () => {
    const svc = await call(consul, 'PUT', '/v1/agent/service/deregister/nope');
    expect([svc.status, svc.text]).toEqual([404, 'Unknown service ID "nope". Ensure that the service ID is passed, not the service name.']);
    expect(svc.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const chk = await call(consul, 'PUT', '/v1/agent/check/deregister/nope');
    expect([chk.status, chk.text]).toEqual([404, 'Unknown check ID "nope". Ensure that the check ID is passed, not the check name.']);
    const pass = await call(consul, 'PUT', '/v1/agent/check/pass/nope');
    expect(pass.status).toBe(404);
    const port = (target.address() as AddressInfo).port;
    await register(consul, { Name: 'h', Check: { HTTP: `http://127.0.0.1:${port}/`, Interval: '10s' } });
    const nonTtl = await call(consul, 'PUT', '/v1/agent/check/pass/service:h');
    expect([nonTtl.status, nonTtl.text]).toEqual([500, 'CheckID "service:h" does not have associated TTL']);
  });
});

describe('trap 11: content types and empty write bodies', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('errors are text/plain without trailing newline, reads are application/json, agent writes are empty 200s, KV writes answer true', async () => {
    const err = await call(consul, 'PUT', '/v1/agent/service/register', '{}');
    expect([err.status, err.text, err.headers.get('content-type')]).toEqual([400, 'Missing service name', 'text/plain; charset=utf-8']);
    const write = await call(consul, 'PUT', '/v1/agent/service/register', { Name: 'x' });
    expect([write.status, write.text, write.headers.get('content-type')]).toEqual([200, '', null]);
    const read = await call(consul, 'GET', '/v1/agent/services');
    expect(read.headers.get('content-type')).toBe('application/json');
    const kv = await call(consul, 'PUT', '/v1/kv/a', 'b');
    expect([kv.text, kv.headers.get('content-type')]).toEqual(['true', 'application/json']);
    const del = await call(consul, 'DELETE', '/v1/kv/a');
    expect(del.text).toBe('true');
  });
});

describe('trap 12: address, meta and tagged-address shapes', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('keeps Address "" (callers use Node.Address), Meta null in health and {} in agent, Tags [], TaggedAddresses capitalised', async () => {
    await register(consul, { Name: 'bare', Port: 7000 });
    await register(consul, { Name: 'tagged', Port: 7001, TaggedAddresses: { lan: { address: '10.0.0.1', port: 7001 } } });
    const bare = (await health(consul, 'bare')).entries[0];
    expect(bare?.Service).toMatchObject({ Address: '', Meta: null, Tags: [] });
    expect(bare?.Node.Address).toBe('127.0.0.1');
    expect((await call(consul, 'GET', '/v1/agent/services')).json<Record<string, { Meta: object }>>().bare?.Meta).toEqual({});
    expect((await health(consul, 'tagged')).entries[0]?.Service.TaggedAddresses).toEqual({ lan: { Address: '10.0.0.1', Port: 7001 } });
  });
});

describe('trap 13: IPv4 tagged addresses and default weights', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('adds lan_ipv4/wan_ipv4 for an IPv4 Address and Weights 1/1', async () => {
    await register(consul, { Name: 'v4', Address: '10.1.2.3', Port: 8080 });
    const svc = (await health(consul, 'v4')).entries[0]?.Service;
    expect(svc?.TaggedAddresses).toEqual({ lan_ipv4: { Address: '10.1.2.3', Port: 8080 }, wan_ipv4: { Address: '10.1.2.3', Port: 8080 } });
    expect(svc?.Weights).toEqual({ Passing: 1, Warning: 1 });
  });
});

describe('trap 14: DeregisterCriticalServiceAfter is clamped and counts from the first critical update', () => {
  beforeEach(async () => {
    consul = await start({ deregisterCriticalMinimum: 1000, reapInterval: 100 });
  });
  it('clamps to the minimum, does not count from registration, reaps after the first critical update', async () => {
    await register(consul, { Name: 'doomed', Check: { TTL: '30s', DeregisterCriticalServiceAfter: '1ms' } });
    // Critical from registration, but no status update yet: not reaped even after minimum + reap interval.
    // A fixed pause that proves a negative: nothing reaps it within 1.3 s.
    await sleep(1300);
    expect((await health(consul, 'doomed')).entries).toHaveLength(1);
    await call(consul, 'PUT', '/v1/agent/check/fail/service:doomed');
    const failedAt = Date.now();
    await waitFor(async () => (await health(consul, 'doomed')).entries.length === 0, { timeoutMs: 5000, what: 'reap' });
    // Clamped to 1 s, not 1 ms: still listed until the minimum has passed since the first critical update.
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(1000);
  });
  it('a JSON number duration is nanoseconds', async () => {
    await register(consul, { Name: 'ns', Check: { TTL: 300_000_000, Status: 'passing' } });
    expect((await health(consul, 'ns', '?passing')).entries).toHaveLength(1);
    await waitFor(async () => (await health(consul, 'ns', '?passing')).entries.length === 0, { timeoutMs: 3000, what: 'TTL expiry' });
  });
});

describe('trap 15: HTTP check statuses', () => {
  let target: http.Server;
  let status = 200;
  let probes = 0;
  beforeEach(async () => {
    consul = await start({ minCheckInterval: 100 });
    probes = 0;
    target = http.createServer((req, res) => {
      probes++;
      res.statusCode = status;
      res.end(`hello ${req.headers['user-agent'] ?? ''}`);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  });
  afterEach(async () => {
    await new Promise((r) => target.close(r));
  });
  it('2xx is passing, 429 warning, 500 critical, a refused connection critical', async () => {
    const port = (target.address() as AddressInfo).port;
    await register(consul, { Name: 'probed', Check: { HTTP: `http://127.0.0.1:${port}/health`, Interval: '100ms', Timeout: '1s' } });
    const statusOf = async (): Promise<{ Status: string; Output: string } | undefined> =>
      (await call(consul, 'GET', '/v1/agent/checks')).json<Record<string, { Status: string; Output: string }>>()['service:probed'];
    await waitFor(async () => (await statusOf())?.Status === 'passing', { timeoutMs: 3000, what: 'passing' });
    expect((await statusOf())?.Output).toBe(`HTTP GET http://127.0.0.1:${port}/health: 200 OK Output: hello Consul Health Check`);
    status = 429;
    await waitFor(async () => (await statusOf())?.Status === 'warning', { timeoutMs: 3000, what: 'warning' });
    status = 500;
    await waitFor(async () => (await statusOf())?.Status === 'critical', { timeoutMs: 3000, what: 'critical' });
    status = 200;
    await waitFor(async () => (await statusOf())?.Status === 'passing', { timeoutMs: 3000, what: 'passing again' });
    await new Promise((r) => target.close(r));
    target = http.createServer();
    await waitFor(async () => (await statusOf())?.Status === 'critical', { timeoutMs: 3000, what: 'refused' });
    expect((await statusOf())?.Output).toContain('connect: connection refused');
  });
  it('an Interval below the minimum is raised to it', async () => {
    await consul.close();
    consul = await start({ minCheckInterval: 500 });
    const port = (target.address() as AddressInfo).port;
    await register(consul, { Name: 'fast', Check: { HTTP: `http://127.0.0.1:${port}/`, Interval: '10ms' } });
    // A fixed pause that proves a negative: no more than the floor allows in 1.2 s.
    await sleep(1200);
    // At 10 ms it would be ~120 probes; at the 500 ms floor it is 2-3.
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(4);
  });
});

describe('trap 16: maintenance mode', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('adds a critical maintenance check with a default reason, is idempotent, and validates enable', async () => {
    await register(consul, { Name: 'm', Check: { TTL: '10s', Status: 'passing' } });
    const on = await call(consul, 'PUT', '/v1/agent/service/maintenance/m?enable=true');
    expect([on.status, on.text]).toEqual([200, '']);
    const { index } = await health(consul, 'm');
    await call(consul, 'PUT', '/v1/agent/service/maintenance/m?enable=true&reason=again');
    expect((await health(consul, 'm')).index).toBe(index);
    const check = (await health(consul, 'm')).entries[0]?.Checks.find((c) => c.CheckID === '_service_maintenance:m');
    expect(check).toMatchObject({
      Name: 'Service Maintenance Mode',
      Status: 'critical',
      Type: 'maintenance',
      Notes: 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.',
    });
    expect((await health(consul, 'm', '?passing')).entries).toEqual([]);
    const missing = await call(consul, 'PUT', '/v1/agent/service/maintenance/m');
    expect([missing.status, missing.text]).toEqual([400, 'Missing value for enable']);
    const invalid = await call(consul, 'PUT', '/v1/agent/service/maintenance/m?enable=yes');
    expect([invalid.status, invalid.text]).toEqual([400, 'Invalid value for enable: "yes"']);
    const unknown = await call(consul, 'PUT', '/v1/agent/service/maintenance/zz?enable=true');
    expect(unknown.status).toBe(404);
    await call(consul, 'PUT', '/v1/agent/service/maintenance/m?enable=false');
    expect((await health(consul, 'm', '?passing')).entries).toHaveLength(1);
  });
});

describe('trap 17: tag matching', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('?tag is case-insensitive and repeated tags are ANDed', async () => {
    await register(consul, { Name: 't', ID: 't-1', Tags: ['Blue', 'v1'] });
    await register(consul, { Name: 't', ID: 't-2', Tags: ['blue', 'v2'] });
    const ids = async (q: string): Promise<string[]> => (await health(consul, 't', q)).entries.map((e) => e.Service.ID).sort();
    expect(await ids('?tag=BLUE')).toEqual(['t-1', 't-2']);
    expect(await ids('?tag=blue&tag=v2')).toEqual(['t-2']);
    expect(await ids('?tag=v3')).toEqual([]);
    const catalogIds = (await call(consul, 'GET', '/v1/catalog/service/t?tag=V1')).json<Array<{ ServiceID: string }>>().map((e) => e.ServiceID);
    expect(catalogIds).toEqual(['t-1']);
  });
});

describe('trap 18: ACL token precedence and filtered reads', () => {
  beforeEach(async () => {
    consul = await start({ token: 'root-secret' });
  });
  it('?token= beats X-Consul-Token beats Authorization: Bearer; unknown token is 403 ACL not found', async () => {
    const body = { Name: 'acl-svc' };
    const viaQuery = await call(consul, 'PUT', '/v1/agent/service/register?token=root-secret', body, { 'X-Consul-Token': 'wrong' });
    expect(viaQuery.status).toBe(200);
    const viaHeader = await call(consul, 'PUT', '/v1/agent/service/register', body, { 'X-Consul-Token': 'root-secret', Authorization: 'Bearer wrong' });
    expect(viaHeader.status).toBe(200);
    const viaBearer = await call(consul, 'PUT', '/v1/agent/service/register', body, { Authorization: 'bearer root-secret' });
    expect(viaBearer.status).toBe(200);
    const wrongHeader = await call(consul, 'PUT', '/v1/agent/service/register', body, { 'X-Consul-Token': 'wrong', Authorization: 'Bearer root-secret' });
    expect([wrongHeader.status, wrongHeader.text]).toEqual([403, 'ACL not found']);
  });
  it('anonymous writes get Permission denied, reads are filtered, status/leader stays open', async () => {
    await call(consul, 'PUT', '/v1/agent/service/register', { Name: 'secret-svc', Check: { TTL: '10s', Status: 'passing' } }, { 'X-Consul-Token': 'root-secret' });
    const denied = await call(consul, 'PUT', '/v1/agent/service/register', { Name: 'web' });
    expect([denied.status, denied.text]).toEqual([403, `Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'service:write' on "web"`]);
    expect(denied.headers.get('x-consul-default-acl-policy')).toBe('deny');
    const anonymousRead = await call(consul, 'GET', '/v1/health/service/secret-svc');
    expect([anonymousRead.status, anonymousRead.text]).toEqual([200, '[]']);
    expect(anonymousRead.headers.get('x-consul-results-filtered-by-acls')).toBeNull();
    const managed = await call(consul, 'GET', '/v1/health/service/secret-svc', undefined, { 'X-Consul-Token': 'root-secret' });
    expect(managed.json<unknown[]>()).toHaveLength(1);
    const self = await call(consul, 'GET', '/v1/agent/self');
    expect(self.status).toBe(403);
    expect(self.text).toMatch(/^Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'agent:read'/);
    const leader = await call(consul, 'GET', '/v1/status/leader');
    expect([leader.status, leader.text]).toEqual([200, '"127.0.0.1:8300"']);
    const bad = await call(consul, 'GET', '/v1/catalog/services', undefined, { 'X-Consul-Token': 'nope' });
    expect([bad.status, bad.text]).toEqual([403, 'ACL not found']);
    // The node-consul client with the token works end to end.
    const api = client(consul, 'root-secret');
    expect(Object.keys((await api.agent.service.list()) as object)).toEqual(['secret-svc']);
  });
  it('with ACLs off every token is ignored and the default policy is allow', async () => {
    await consul.close();
    consul = await start();
    const res = await call(consul, 'PUT', '/v1/agent/service/register', { Name: 'x' }, { 'X-Consul-Token': 'anything' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-consul-default-acl-policy')).toBe('allow');
  });
});

describe('trap 19: request JSON decoding', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('keys are case-insensitive, snake_case works in definitions, unknown keys are a 400', async () => {
    await register(consul, { name: 'lower', PORT: 5, enable_tag_override: true, check: { ttl: '10s', deregister_critical_service_after: '90s' } });
    const svc = (await call(consul, 'GET', '/v1/agent/services')).json<Record<string, { Port: number; EnableTagOverride: boolean }>>().lower;
    expect(svc).toMatchObject({ Port: 5, EnableTagOverride: true });
    const unknown = await call(consul, 'PUT', '/v1/agent/service/register', { Name: 'x', Colour: 'red' });
    expect([unknown.status, unknown.text]).toEqual([400, 'Request decode failed: json: unknown field "Colour"']);
    const missing = await call(consul, 'PUT', '/v1/agent/service/register', { ID: 'x' });
    expect([missing.status, missing.text]).toEqual([400, 'Missing service name']);
    const empty = await call(consul, 'PUT', '/v1/agent/service/register', '');
    expect([empty.status, empty.text]).toEqual([400, 'Request decode failed: EOF']);
    const badDuration = await call(consul, 'PUT', '/v1/agent/service/register', { Name: 'x', Check: { TTL: '10x' } });
    expect([badDuration.status, badDuration.text]).toEqual([400, 'Request decode failed: time: unknown unit "x" in duration "10x"']);
    const wrongType = await call(consul, 'PUT', '/v1/agent/service/register', { Name: 'x', Port: 'eighty' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.text).toBe('Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.Port of type int');
  });
});

describe('trap 20: node-consul quirks are served as they are', () => {
  beforeEach(async () => {
    consul = await start();
  });
  it('passing=true from the client filters; the token header is honoured; update exists server-side for other clients', async () => {
    const api = client(consul);
    await api.agent.service.register({ name: 'q', check: { ttl: '10s' } } as never);
    expect(await api.health.service({ service: 'q', passing: true } as never)).toEqual([]);
    // No agent.check.update in node-consul, but Consul has the endpoint (Go client's UpdateTTL uses it).
    const update = await call(consul, 'PUT', '/v1/agent/check/update/service:q', { Status: 'passing', Output: 'via update' });
    expect([update.status, update.text]).toEqual([200, '']);
    expect(((await api.health.service({ service: 'q', passing: true } as never)) as unknown[]).length).toBe(1);
    const shortForm = await call(consul, 'PUT', '/v1/agent/check/update/service:q', { Status: 'pass' });
    expect([shortForm.status, shortForm.text]).toEqual([400, "Invalid check status: 'pass'"]);
  });
});
