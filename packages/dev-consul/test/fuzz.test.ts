/**
 * Throws a few thousand random and malformed requests at a running agent (seeded, so a failure can be
 * replayed): random methods, paths, query strings, bodies, bad JSON, wrong types, huge bodies, and raw
 * garbage on the socket. The agent must not crash, must not answer 5xx except where Consul itself
 * answers 500, must log no unexpected error, and must still work correctly afterwards.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { LogLevel } from '../src/index.js';
import { call, health, register, start } from './helpers.js';
import type { DevConsulHandle } from './helpers.js';

/** mulberry32: small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const rand = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const int = (max: number): number => Math.floor(rand() * max);

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PUT', 'GET'];
const PATHS = [
  '/v1/agent/service/register', '/v1/agent/service/deregister/', '/v1/agent/service/maintenance/', '/v1/agent/service/',
  '/v1/agent/check/register', '/v1/agent/check/deregister/', '/v1/agent/check/pass/', '/v1/agent/check/warn/',
  '/v1/agent/check/fail/', '/v1/agent/check/update/', '/v1/agent/services', '/v1/agent/checks', '/v1/agent/self',
  '/v1/agent/members', '/v1/agent/maintenance', '/v1/health/service/', '/v1/health/checks/', '/v1/health/node/',
  '/v1/health/state/', '/v1/catalog/services', '/v1/catalog/service/', '/v1/catalog/nodes', '/v1/catalog/node/',
  '/v1/catalog/datacenters', '/v1/status/leader', '/v1/status/peers', '/v1/kv/', '/v1/', '/', '/v1/unknown', '/ui/',
];
const SEGMENTS = ['web', 'web-1', 'service:web-1', 'fuzz', 'test-node', 'any', 'passing', 'critical', '%zz', '%2F', '..', '.', 'ünï', '%00', 'a%20b', '', 'x'.repeat(300)];
const QUERY_KEYS = ['index', 'wait', 'passing', 'tag', 'filter', 'stale', 'consistent', 'pretty', 'dc', 'token', 'note', 'enable', 'reason', 'recurse', 'raw', 'keys', 'cas', 'flags', 'replace-existing-checks', 'hash', 'node-meta', 'separator'];
const FILTERS = ['Service.Tags contains "v1"', 'Checks.Status == passing', 'Service.Meta.v == 1 and not (Service.Port == 2)', 'Service.Tags ==', '((', 'Nope == 1', '"a" in Service.Tags', 'Service.ID matches "["', 'Node.Meta["k"] is not empty', '==', 'and or not'];
const VALUES = ['', '0', '1', '-1', '99999999999999999999999', 'true', 'false', 'maybe', '5ms', '30', '1h', '-5s', 'abc', '%', '10x', 'dc1', 'dc2'];

function query(): string {
  const parts: string[] = [];
  for (let i = int(4); i > 0; i--) {
    const key = pick(QUERY_KEYS);
    if (key === 'filter') parts.push(`filter=${encodeURIComponent(pick(FILTERS))}`);
    else if (key === 'index') {
      // A blocking index always comes with a short or invalid wait so the fuzz run stays bounded.
      parts.push(`index=${pick(VALUES)}`, `wait=${pick(['5ms', '20ms', '30', 'abc', '1ms'])}`);
    } else if (key === 'wait') continue;
    else parts.push(rand() < 0.2 ? key : `${key}=${encodeURIComponent(pick(VALUES))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function randomJsonValue(depth = 0): unknown {
  const r = rand();
  if (depth > 2 || r < 0.2) return pick(['s', '', '10s', '10x', 'passing', 'fluffy', '127.0.0.1', '0.0.0.0']);
  if (r < 0.35) return pick([0, -1, 1.5, 8080, 1e12, 65536]);
  if (r < 0.45) return pick([true, false, null]);
  if (r < 0.6) return Array.from({ length: int(4) }, () => randomJsonValue(depth + 1));
  const obj: Record<string, unknown> = {};
  const keys = ['Name', 'ID', 'Tags', 'Port', 'Address', 'Meta', 'Check', 'Checks', 'TTL', 'HTTP', 'Interval', 'Status', 'Output', 'Weights', 'name', 'check_id', 'DeregisterCriticalServiceAfter', 'ServiceID', 'Bogus', 'TaggedAddresses', 'Args'];
  for (let i = int(6); i > 0; i--) obj[pick(keys)] = randomJsonValue(depth + 1);
  return obj;
}

function body(): string | Buffer | undefined {
  const r = rand();
  if (r < 0.25) return undefined;
  if (r < 0.5) return JSON.stringify(randomJsonValue());
  if (r < 0.6) return JSON.stringify({ Name: pick(['web', 'fuzz', '']), ID: pick(['web-1', 'fuzz-1', undefined]), Port: int(70000), Check: { TTL: pick(['1s', '10s', 5e8, '']), Status: pick(['passing', 'critical', undefined]) } });
  if (r < 0.75) return pick(['{', '{"Name":', 'null', '[]', '"str"', '123', '{"Name":"a"} trailing', '\u0000\u0001', '{"Name":"\ud800"}', 'not json at all']);
  if (r < 0.97) return Buffer.from(Array.from({ length: int(200) }, () => int(256)));
  return 'x'.repeat(1024 * 1024 + 1 + int(1000));
}

/** 500s Consul itself gives for these inputs. */
const CONSUL_500 = [/^Failed to create boolean expression evaluator: /, /^CheckID ".*" does not have associated TTL$/, /^Scripts are disabled on this agent/, /^No path to datacenter$/, /^invalid state: /, /^strconv.ParseUint: parsing ".*": invalid syntax$/];

let consul: DevConsulHandle;
let hung = 0;
const unexpected: string[] = [];
beforeAll(async () => {
  consul = await start({
    logLevel: 'warn',
    logger: (level: LogLevel, message: string) => {
      if (level === 'error') unexpected.push(message);
    },
  });
});
afterAll(async () => {
  await consul.close();
});

function send(agent: http.Agent, method: string, path: string, payload: string | Buffer | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = http.request({ host: '127.0.0.1', port: consul.port, method, path, agent, headers: payload === undefined ? {} : { 'Content-Length': Buffer.byteLength(payload) } });
    } catch {
      resolve({ status: -1, text: 'client refused to build request' });
      return;
    }
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close a connection after a 413; that is not a crash.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: -2, text: error.code });
      else reject(new Error(`${method} ${path} (${payload === undefined ? 'no body' : Buffer.byteLength(payload)}): ${error.message}`));
    });
    req.end(payload);
  });
}

function rawGarbage(): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(consul.port, '127.0.0.1');
    socket.resume(); // read (and drop) the answer so the socket can close
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    // The agent must answer and close; a socket left hanging would fail the timing of this test.
    socket.setTimeout(3000, () => {
      hung++;
      socket.destroy();
    });
    socket.on('connect', () => {
      const junk = pick([
        'GARBAGE\r\n\r\n',
        'GET /v1/status/leader HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
        'PUT /v1/kv/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        `GET /${'a'.repeat(20000)} HTTP/1.1\r\n\r\n`,
        'GET /v1/agent/services HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
        '\u0000\u0001\u0002',
      ]);
      socket.end(junk);
    });
  });
}

it(`survives ${3000} random requests (seed ${SEED}) and still answers correctly`, async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const bad: string[] = [];
  const counts = new Map<number, number>();
  let next = 0;
  const TOTAL = 3000;
  const worker = async (): Promise<void> => {
    while (next < TOTAL) {
      const n = next++;
      if (n % 25 === 0) {
        await rawGarbage();
        continue;
      }
      const method = pick(METHODS);
      let path = pick(PATHS);
      if (path.endsWith('/') && path !== '/' && rand() < 0.9) path += pick(SEGMENTS);
      path += query();
      const payload = method === 'GET' || method === 'HEAD' ? (rand() < 0.1 ? body() : undefined) : body();
      const res = await send(agent, method, path, payload);
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      if (res.status >= 500 && !CONSUL_500.some((re) => re.test(res.text))) bad.push(`${method} ${path} -> ${res.status} ${res.text.slice(0, 200)}`);
      if (res.status === 0) bad.push(`${method} ${path} -> no status`);
      if (res.text.includes('    at ')) bad.push(`${method} ${path} -> stack trace in body`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, () => worker()));
  agent.destroy();
  expect(bad).toEqual([]);
  expect(unexpected).toEqual([]);
  expect(hung).toBe(0);
  // It saw a real mix, not 3000 identical 404s.
  expect([...counts.keys()].filter((s) => s > 0).length).toBeGreaterThanOrEqual(5);

  // Still correct afterwards. The fuzz may legitimately have put the node in maintenance or added
  // critical node checks (both hide every service from ?passing): clear those first.
  expect((await call(consul, 'PUT', '/v1/agent/maintenance?enable=false')).status).toBe(200);
  const leftovers = (await call(consul, 'GET', '/v1/agent/checks')).json<Record<string, { ServiceID: string }>>();
  for (const [id, check] of Object.entries(leftovers)) {
    if (check.ServiceID === '') expect((await call(consul, 'PUT', `/v1/agent/check/deregister/${encodeURIComponent(id)}`)).status).toBe(200);
  }
  expect((await call(consul, 'GET', '/v1/status/leader')).text).toBe('"127.0.0.1:8300"');
  await register(consul, { Name: 'after-fuzz', ID: 'after-fuzz-1', Port: 1, Check: { TTL: '10s' } });
  expect((await health(consul, 'after-fuzz', '?passing')).entries).toEqual([]);
  await call(consul, 'PUT', '/v1/agent/check/pass/service:after-fuzz-1');
  expect((await health(consul, 'after-fuzz', '?passing')).entries.map((e) => e.Service.ID)).toEqual(['after-fuzz-1']);
  const { index } = await health(consul, 'after-fuzz');
  const parked = health(consul, 'after-fuzz', `?index=${index}&wait=10s`);
  await call(consul, 'PUT', '/v1/agent/service/deregister/after-fuzz-1');
  expect((await parked).entries).toEqual([]);
});
