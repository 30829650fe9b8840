/**
 * The wire conventions and the endpoints not covered elsewhere, over raw HTTP.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { call, health, register, start } from './helpers.js';
import type { DevConsulHandle } from './helpers.js';

let consul: DevConsulHandle;
beforeEach(async () => {
  consul = await start();
});
afterEach(async () => {
  await consul.close();
});

describe('wire conventions', () => {
  it('wrong method is a 405 with an Allow header; OPTIONS answers the Allow list', async () => {
    const res = await call(consul, 'GET', '/v1/agent/service/register');
    expect([res.status, res.text, res.headers.get('allow')]).toEqual([405, 'method GET not allowed', 'OPTIONS,PUT']);
    const options = await call(consul, 'OPTIONS', '/v1/agent/service/register');
    expect([options.status, options.headers.get('allow')]).toEqual([200, 'OPTIONS,PUT']);
  });

  it('an unknown /v1 path is a 404 with Consul text; paths outside /v1 look like Go', async () => {
    const res = await call(consul, 'GET', '/v1/nope');
    expect([res.status, res.text]).toEqual([404, 'Invalid URL path: not a recognized HTTP API endpoint\n']);
    expect((await call(consul, 'GET', '/elsewhere')).text).toBe('404 page not found\n');
  });

  it('a double slash draws a 301 to the cleaned path, as Go ServeMux does', async () => {
    const res = await fetch(`${consul.url}/v1//agent/services`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/v1/agent/services');
  });

  it('a body over 1 MiB is a 413 and the agent keeps serving', async () => {
    const res = await call(consul, 'PUT', '/v1/agent/service/register', `{"Name":"${'x'.repeat(1024 * 1024 + 10)}"}`);
    expect(res.status).toBe(413);
    expect(res.text).toBe('Request body too large, max size: 1048576 bytes');
    expect((await call(consul, 'GET', '/v1/status/leader')).status).toBe(200);
  });

  it('?pretty indents with four spaces and ends with a newline; output escapes <, >, & like Go', async () => {
    await register(consul, { Name: 'p', Meta: { html: '<b>&' } });
    const pretty = await call(consul, 'GET', '/v1/agent/services?pretty');
    expect(pretty.text).toMatch(/^\{\n {4}"p": \{\n {8}"ID": "p",/);
    expect(pretty.text.endsWith('}\n')).toBe(true);
    const compact = await call(consul, 'GET', '/v1/agent/services');
    expect(compact.text).toContain('"html":"\\u003cb\\u003e\\u0026"');
    expect(compact.json<Record<string, { Meta: Record<string, string> }>>().p?.Meta.html).toBe('<b>&');
  });

  it('?dc naming another datacenter is a 500 No path to datacenter', async () => {
    const res = await call(consul, 'GET', '/v1/health/service/x?dc=dc9');
    expect([res.status, res.text]).toEqual([500, 'No path to datacenter']);
    expect((await call(consul, 'GET', '/v1/health/service/x?dc=dc1')).status).toBe(200);
  });

  it('every /v1 answer carries X-Consul-Default-Acl-Policy, errors included', async () => {
    expect((await call(consul, 'GET', '/v1/agent/services')).headers.get('x-consul-default-acl-policy')).toBe('allow');
    expect((await call(consul, 'PUT', '/v1/agent/check/pass/x')).headers.get('x-consul-default-acl-policy')).toBe('allow');
  });
});

describe('registration details', () => {
  it('validates check definitions with Consul texts', async () => {
    const cases: Array<[unknown, string]> = [
      [{ Name: 'x', Check: { TTL: '10s', Interval: '10s' } }, 'Invalid check: Interval and TTL cannot both be specified'],
      [{ Name: 'x', Check: { HTTP: 'http://a' } }, 'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks'],
      [{ Name: 'x', Check: { Notes: 'n' } }, 'Invalid check: TTL must be > 0 for TTL checks'],
      [{ Name: 'x', Check: { TTL: '10s', Status: 'fluffy' } }, "Status for checks must 'passing', 'warning', 'critical'"],
      [{ Name: 'x', Address: '0.0.0.0' }, 'Invalid service address'],
      [{ Name: 'x', Meta: { 'consul-x': '1' } }, "Invalid Service Meta: Key prefix 'consul-' is reserved for internal use"],
      [{ Name: 'x', Weights: { Passing: 0, Warning: 1 } }, 'Invalid Weights: Passing must be greater than 0'],
      [{ Name: 'x', Check: { TTL: '' } }, 'Request decode failed: time: invalid duration ""'],
      ['{"Name":', 'Request decode failed: unexpected EOF'],
      ['[1]', 'Request decode failed: json: cannot unmarshal array into Go value of type structs.ServiceDefinition'],
    ];
    for (const [body, text] of cases) {
      const res = await call(consul, 'PUT', '/v1/agent/service/register', body);
      expect([res.status, res.text]).toEqual([400, text]);
    }
  });

  it('refuses script checks unless enabled, with Consul 500 text', async () => {
    const res = await call(consul, 'PUT', '/v1/agent/service/register', { Name: 's', Check: { Args: ['true'], Interval: '10s' } });
    expect(res.status).toBe(500);
    expect(res.text).toBe("Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true");
  });

  it('runs script checks when enabled: exit 0 passing, 1 warning, else critical', async () => {
    const scripted = await start({ enableScriptChecks: true, minCheckInterval: 100 });
    try {
      await register(scripted, {
        Name: 's',
        Checks: [
          { CheckID: 'ok', Args: ['sh', '-c', 'echo fine'], Interval: '100ms' },
          { CheckID: 'meh', Args: ['sh', '-c', 'echo hmm; exit 1'], Interval: '100ms' },
          { CheckID: 'bad', Args: ['sh', '-c', 'exit 3'], Interval: '100ms' },
        ],
      });
      await waitFor(async () => {
        const checks = (await call(scripted, 'GET', '/v1/agent/checks')).json<Record<string, { Status: string; Output: string }>>();
        return checks.ok?.Status === 'passing' && checks.meh?.Status === 'warning' && checks.bad?.Status === 'critical' && checks.ok.Output === 'fine\n';
      }, { timeoutMs: 5000, what: 'script results' });
    } finally {
      await scripted.close();
    }
  });

  it('TCP checks: connect is passing, refused is critical', async () => {
    const listener = net.createServer((s) => s.end());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    const port = (listener.address() as net.AddressInfo).port;
    const tcp = await start({ minCheckInterval: 100 });
    try {
      await register(tcp, { Name: 'db', Check: { TCP: `127.0.0.1:${port}`, Interval: '100ms' } });
      const check = async (): Promise<{ Status: string; Output: string } | undefined> =>
        (await call(tcp, 'GET', '/v1/agent/checks')).json<Record<string, { Status: string; Output: string }>>()['service:db'];
      await waitFor(async () => (await check())?.Status === 'passing', { timeoutMs: 3000, what: 'tcp passing' });
      expect((await check())?.Output).toBe(`TCP connect 127.0.0.1:${port}: Success`);
      await new Promise((r) => listener.close(r));
      await waitFor(async () => (await check())?.Status === 'critical', { timeoutMs: 3000, what: 'tcp critical' });
    } finally {
      await tcp.close();
      listener.close();
    }
  });

  it('replace-existing-checks drops checks missing from the request; without it they are kept', async () => {
    await register(consul, { Name: 'r', Checks: [{ CheckID: 'a', TTL: '10s' }, { CheckID: 'b', TTL: '10s' }] });
    await register(consul, { Name: 'r', Checks: [{ CheckID: 'a', TTL: '10s' }] });
    expect(Object.keys((await call(consul, 'GET', '/v1/agent/checks')).json<object>()).sort()).toEqual(['a', 'b']);
    await register(consul, { Name: 'r', Checks: [{ CheckID: 'a', TTL: '10s' }] }, '?replace-existing-checks');
    expect(Object.keys((await call(consul, 'GET', '/v1/agent/checks')).json<object>())).toEqual(['a']);
  });

  it('check register/deregister: node checks, service checks, unknown ServiceID, missing name', async () => {
    await register(consul, { Name: 'svc' });
    expect((await call(consul, 'PUT', '/v1/agent/check/register', { Name: 'disk', TTL: '10s' })).status).toBe(200);
    expect((await call(consul, 'PUT', '/v1/agent/check/register', { Name: 'svc-ttl', ID: 'svc-ttl', ServiceID: 'svc', TTL: '10s', Status: 'passing' })).status).toBe(200);
    const checks = (await call(consul, 'GET', '/v1/agent/checks')).json<Record<string, { ServiceName: string; Status: string }>>();
    expect(checks.disk).toMatchObject({ ServiceName: '', Status: 'critical' });
    expect(checks['svc-ttl']).toMatchObject({ ServiceName: 'svc', Status: 'passing' });
    // A critical node check hides every service from ?passing.
    expect((await health(consul, 'svc', '?passing')).entries).toEqual([]);
    await call(consul, 'PUT', '/v1/agent/check/pass/disk');
    expect((await health(consul, 'svc', '?passing')).entries).toHaveLength(1);
    const unknown = await call(consul, 'PUT', '/v1/agent/check/register', { Name: 'x', ServiceID: 'ghost', TTL: '1s' });
    expect([unknown.status, unknown.text]).toEqual([404, 'ServiceID "ghost" does not exist']);
    const noName = await call(consul, 'PUT', '/v1/agent/check/register', { TTL: '1s' });
    expect([noName.status, noName.text]).toEqual([400, 'Missing check name']);
    const badStatus = await call(consul, 'PUT', '/v1/agent/check/register', { Name: 'x', TTL: '1s', Status: 'ok' });
    expect([badStatus.status, badStatus.text]).toEqual([400, 'Bad check status']);
    expect((await call(consul, 'PUT', '/v1/agent/check/deregister/disk')).status).toBe(200);
    expect(Object.keys((await call(consul, 'GET', '/v1/agent/checks')).json<object>())).toEqual(['svc-ttl']);
  });

  it('service IDs with slashes work when percent-encoded', async () => {
    await register(consul, { Name: 'odd', ID: 'odd/1:a' });
    expect((await call(consul, 'GET', `/v1/agent/service/${encodeURIComponent('odd/1:a')}`)).json<{ ID: string }>().ID).toBe('odd/1:a');
    expect((await call(consul, 'PUT', `/v1/agent/service/deregister/${encodeURIComponent('odd/1:a')}`)).status).toBe(200);
  });

  it('/v1/agent/service/:id returns ContentHash and blocks on ?hash until the service changes', async () => {
    await register(consul, { Name: 'h', Port: 1 });
    const first = await call(consul, 'GET', '/v1/agent/service/h');
    const hash = first.headers.get('x-consul-contenthash') ?? '';
    expect(first.json<{ ContentHash: string }>().ContentHash).toBe(hash);
    const parked = call(consul, 'GET', `/v1/agent/service/h?hash=${hash}&wait=10s`);
    await register(consul, { Name: 'h', Port: 2 });
    expect((await parked).json<{ Port: number }>().Port).toBe(2);
    expect((await call(consul, 'GET', '/v1/agent/service/none')).status).toBe(404);
  });
});

describe('read endpoints', () => {
  beforeEach(async () => {
    await register(consul, { Name: 'web', ID: 'web-1', Tags: ['v1', 'blue'], Meta: { version: '1.0' }, Port: 80, Check: { TTL: '10s', Status: 'passing' } });
    await register(consul, { Name: 'web', ID: 'web-2', Tags: ['v2'], Meta: { version: '2.0' }, Port: 81, Check: { TTL: '10s' } });
  });

  it('health/checks, health/node, health/state', async () => {
    const checks = (await call(consul, 'GET', '/v1/health/checks/web')).json<Array<{ CheckID: string }>>().map((c) => c.CheckID).sort();
    expect(checks).toEqual(['service:web-1', 'service:web-2']);
    const node = (await call(consul, 'GET', '/v1/health/node/test-node')).json<Array<{ CheckID: string }>>().map((c) => c.CheckID).sort();
    expect(node).toEqual(['serfHealth', 'service:web-1', 'service:web-2']);
    expect((await call(consul, 'GET', '/v1/health/node/other')).text).toBe('[]');
    const critical = (await call(consul, 'GET', '/v1/health/state/critical')).json<Array<{ CheckID: string }>>().map((c) => c.CheckID);
    expect(critical).toEqual(['service:web-2']);
    expect((await call(consul, 'GET', '/v1/health/state/any')).json<unknown[]>()).toHaveLength(3);
    expect((await call(consul, 'GET', '/v1/health/service/')).text).toBe('Missing service name');
  });

  it('catalog nodes, node, datacenters, service', async () => {
    const nodes = (await call(consul, 'GET', '/v1/catalog/nodes')).json<Array<{ Node: string; Address: string; Datacenter: string; TaggedAddresses: Record<string, string> }>>();
    expect(nodes).toEqual([expect.objectContaining({ Node: 'test-node', Address: '127.0.0.1', Datacenter: 'dc1', TaggedAddresses: expect.objectContaining({ lan: '127.0.0.1', wan: '127.0.0.1' }) })]);
    const node = (await call(consul, 'GET', '/v1/catalog/node/test-node')).json<{ Services: Record<string, unknown> }>();
    expect(Object.keys(node.Services).sort()).toEqual(['consul', 'web-1', 'web-2']);
    expect((await call(consul, 'GET', '/v1/catalog/node/nobody')).text).toBe('null');
    expect((await call(consul, 'GET', '/v1/catalog/datacenters')).json()).toEqual(['dc1']);
    const entries = (await call(consul, 'GET', '/v1/catalog/service/web')).json<Array<Record<string, unknown>>>();
    // No health in the catalog: the critical web-2 is listed.
    expect(entries.map((e) => e.ServiceID).sort()).toEqual(['web-1', 'web-2']);
    expect(Object.keys(entries[0] ?? {})).toEqual(expect.arrayContaining(['ID', 'Node', 'Address', 'Datacenter', 'TaggedAddresses', 'NodeMeta', 'ServiceID', 'ServiceName', 'ServiceAddress', 'ServiceTags', 'ServiceMeta', 'ServicePort', 'ServiceWeights', 'ServiceEnableTagOverride', 'CreateIndex', 'ModifyIndex']));
    expect((await call(consul, 'GET', '/v1/catalog/services')).json()).toEqual({ consul: [], web: ['v1', 'blue', 'v2'] });
  });

  it('?filter supports ==, !=, contains, in, not in, matches, and, or, not, parentheses', async () => {
    const ids = async (expr: string): Promise<string[]> => {
      const res = await call(consul, 'GET', `/v1/health/service/web?filter=${encodeURIComponent(expr)}`);
      expect(res.status).toBe(200);
      return res.json<Array<{ Service: { ID: string } }>>().map((e) => e.Service.ID).sort();
    };
    expect(await ids('Service.Tags contains "v1"')).toEqual(['web-1']);
    expect(await ids('"v2" in Service.Tags')).toEqual(['web-2']);
    expect(await ids('"v2" not in Service.Tags')).toEqual(['web-1']);
    expect(await ids('Service.Meta.version == "2.0"')).toEqual(['web-2']);
    expect(await ids('Service.Meta.version != "2.0"')).toEqual(['web-1']);
    expect(await ids('Checks.Status == critical')).toEqual(['web-2']);
    expect(await ids('Checks.Status != critical')).toEqual(['web-1']);
    expect(await ids('Service.Port == 80 and Service.Tags contains blue')).toEqual(['web-1']);
    expect(await ids('Service.Port == 80 or Service.Meta.version == "2.0"')).toEqual(['web-1', 'web-2']);
    expect(await ids('not (Service.Port == 80)')).toEqual(['web-2']);
    expect(await ids('Service.ID matches "^web-[12]$"')).toEqual(['web-1', 'web-2']);
    expect(await ids('Node.Meta["consul-network-segment"] is empty')).toEqual(['web-1', 'web-2']);
    const agentFiltered = (await call(consul, 'GET', `/v1/agent/services?filter=${encodeURIComponent('Meta.version == "1.0"')}`)).json<object>();
    expect(Object.keys(agentFiltered)).toEqual(['web-1']);
    const catalogFiltered = (await call(consul, 'GET', `/v1/catalog/service/web?filter=${encodeURIComponent('ServiceMeta.version == "2.0"')}`)).json<Array<{ ServiceID: string }>>();
    expect(catalogFiltered.map((e) => e.ServiceID)).toEqual(['web-2']);
  });
});

describe('KV', () => {
  it('get, raw, keys with separator, 404 with index, flags, binary values, value size limit', async () => {
    expect((await call(consul, 'PUT', '/v1/kv/app/a?flags=42', Buffer.from([0, 1, 2, 255]))).text).toBe('true');
    await call(consul, 'PUT', '/v1/kv/app/sub/b', 'x');
    const entry = (await call(consul, 'GET', '/v1/kv/app/a')).json<Array<{ Key: string; Flags: number; Value: string; LockIndex: number }>>()[0];
    expect(entry).toMatchObject({ Key: 'app/a', Flags: 42, LockIndex: 0 });
    expect([...Buffer.from(entry?.Value ?? '', 'base64')]).toEqual([0, 1, 2, 255]);
    const raw = await fetch(`${consul.url}/v1/kv/app/sub/b?raw`);
    expect(await raw.text()).toBe('x');
    expect([raw.headers.get('content-type'), raw.headers.get('x-content-type-options'), raw.headers.get('content-security-policy')]).toEqual(['text/plain', 'nosniff', 'sandbox']);
    expect((await call(consul, 'GET', '/v1/kv/app/?keys&separator=/')).json()).toEqual(['app/a', 'app/sub/']);
    const missing = await call(consul, 'GET', '/v1/kv/none');
    expect([missing.status, missing.text]).toEqual([404, '']);
    expect(Number(missing.headers.get('x-consul-index'))).toBeGreaterThanOrEqual(1);
    const big = await call(consul, 'PUT', '/v1/kv/big', 'x'.repeat(512 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(big.text).toMatch(/^Request body\(524289 bytes\) too large, max size: 524288 bytes/);
    expect((await call(consul, 'PUT', '/v1/kv/only-new?cas=0', '1')).text).toBe('true');
    expect((await call(consul, 'PUT', '/v1/kv/only-new?cas=0', '2')).text).toBe('false');
    expect((await call(consul, 'GET', '/v1/kv/?keys')).json()).toEqual(['app/a', 'app/sub/b', 'only-new']);
    expect((await call(consul, 'GET', '/v1/kv/nothing-here/?keys')).status).toBe(404);
    expect((await call(consul, 'GET', '/v1/kv/')).text).toBe('Missing key name');
    const badCas = await call(consul, 'PUT', '/v1/kv/x?cas=abc', '1');
    expect([badCas.status, badCas.text]).toEqual([500, 'strconv.ParseUint: parsing "abc": invalid syntax']);
    const conflicting = await call(consul, 'DELETE', '/v1/kv/app?recurse&cas=1');
    expect([conflicting.status, conflicting.text]).toEqual([400, 'Conflicting flags: cas=1&recurse=\n']);
    expect((await call(consul, 'DELETE', '/v1/kv/never-there?cas=5')).text).toBe('true');
    expect((await call(consul, 'DELETE', '/v1/kv/app?recurse')).text).toBe('true');
    expect((await call(consul, 'GET', '/v1/kv/app/?recurse')).status).toBe(404);
  });
});
