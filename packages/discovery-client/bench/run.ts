/**
 * discovery-client benchmark (bounded to about a minute):
 *  (a) sequential throughput and p50/p99 of `service.get()` against a direct call to the same instance
 *      with the same transport and agent/pool, measured in interleaved rounds within one run, for got and
 *      undici, each next to plain node:http (the floor);
 *  (b) `pick()` cost with 10,000 instances and the memory of 10,000 tracked instances (breakers included).
 * Rewrites the discovery-client section of docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import got from 'got';
import { startProcess } from 'process-supervisor';
import { Pool } from 'undici';
import { Attempt } from '../src/attempt/attempt.js';
import { VERDICTS } from '../src/attempt/outcome.js';
import { Balancer } from '../src/balancer/balancer.js';
import { RoundRobinStrategy } from '../src/balancer/round-robin.js';
import { DEFAULT_BREAKER_PRESET } from '../src/breaker/breaker-options.js';
import type { Endpoint } from '../src/breaker/endpoint.js';
import type { ServiceInstance } from '../src/instance.js';
import { DiscoveryClient, GotTransport, UndiciTransport, UpstreamConnectionError, type Transport } from '../src/index.js';
import { EndpointPool } from '../src/breaker/endpoint-pool.js';
import { parseCommandLine } from 'cli-kit';

parseCommandLine({ program: 'bench', usage: `Usage: npm run bench -w packages/discovery-client   (tsx bench/run.ts)

Measures service.get() against direct calls (got, undici, node:http), pick() over 10,000 instances and
the memory of 10,000 tracked instances, and rewrites the discovery-client section of docs/benchmarks.md.

Options:
  -h, --help   show this help

Environment: BENCH_ROUNDS (default 12), BENCH_ROUND_MS (default 500).
` });

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 500);
const WARMUP_MS = 500;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Stats {
  calls: number;
  seconds: number;
  latencies: number[];
  /** Calls per second of each round. */
  rounds: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  rounds: number[];
}

function summary(stats: Stats): Summary {
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  return { rps: stats.calls / stats.seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), rounds: stats.rounds };
}

/** Median over rounds of (contender / direct) in the same round: drift between rounds cancels out. */
function roundRatio(contender: Summary, direct: Summary): number {
  const ratios = contender.rounds.map((rps, i) => rps / direct.rounds[i]!).sort((a, b) => a - b);
  return ratios.length % 2 ? ratios[(ratios.length - 1) / 2]! : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2;
}

async function runFor(ms: number, call: () => Promise<unknown>, stats?: Stats): Promise<void> {
  const end = performance.now() + ms;
  const started = performance.now();
  let calls = 0;
  for (;;) {
    const t0 = performance.now();
    if (t0 >= end) break;
    await call();
    calls++;
    stats?.latencies.push((performance.now() - t0) * 1000);
  }
  if (stats) {
    const seconds = (performance.now() - started) / 1000;
    stats.calls += calls;
    stats.seconds += seconds;
    stats.rounds.push(calls / seconds);
  }
}

/** Interleaves the contenders round by round so drift (CPU frequency, GC, neighbours) hits them alike. */
async function compare(contenders: Record<string, () => Promise<unknown>>): Promise<Record<string, Summary>> {
  const stats: Record<string, Stats> = {};
  for (const [name, call] of Object.entries(contenders)) {
    await runFor(WARMUP_MS, call);
    stats[name] = { calls: 0, seconds: 0, latencies: [], rounds: [] };
  }
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(contenders);
    if (round % 2) names.reverse();
    for (const name of names) await runFor(ROUND_MS, contenders[name]!, stats[name]);
  }
  return Object.fromEntries(Object.entries(stats).map(([name, s]) => [name, summary(s)]));
}

/** Library cost alone: the same call through an in-memory transport that answers at once. */
async function benchOverhead(): Promise<{ bare: number; service: number }> {
  const body = JSON.stringify({ thing: 'camera', rating: 4 });
  const memory: Transport = { name: 'memory', request: async () => ({ statusCode: 200, headers: {}, body }), close: async () => undefined };
  const discovery = new DiscoveryClient({ logger: false, static: { ratings: ['http://127.0.0.1:1'] } });
  const ratings = discovery.service('ratings', { transport: memory });
  const request = { origin: 'http://127.0.0.1:1', method: 'GET' as const, path: '/ratings/camera', headers: {}, signal: undefined as never };
  const variants = {
    bare: async () => JSON.parse((await memory.request(request)).body) as unknown,
    service: () => ratings.get('/ratings/camera').json(),
  };
  const best = { bare: Infinity, service: Infinity };
  for (let round = 0; round < 5; round++) {
    for (const [name, call] of Object.entries(variants)) {
      const N = 100_000;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await call();
      best[name as keyof typeof best] = Math.min(best[name as keyof typeof best], ((performance.now() - t0) * 1000) / N);
    }
  }
  await discovery.close();
  return best;
}

function nodeHttpGet(agent: http.Agent, port: number): () => Promise<string> {
  return () =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/ratings/camera', agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

async function benchTransport(kind: 'got' | 'undici', port: number) {
  const origin = `http://127.0.0.1:${port}`;
  const agent = new http.Agent({ keepAlive: true });
  let transport: Transport;
  let direct: () => Promise<unknown>;
  let pool: Pool | undefined;
  if (kind === 'got') {
    transport = new GotTransport({ agent: { http: agent } });
    const client = got.extend({ agent: { http: agent }, retry: { limit: 0 }, throwHttpErrors: false, followRedirect: false });
    direct = () => client(`${origin}/ratings/camera`).json();
  } else {
    pool = new Pool(origin, { connections: 32 });
    const shared = pool;
    transport = new UndiciTransport({ pool: () => shared });
    direct = async () => (await shared.request({ method: 'GET', path: '/ratings/camera' })).body.json();
  }
  const floorAgent = new http.Agent({ keepAlive: true });
  const discovery = new DiscoveryClient({ logger: false, static: { ratings: [origin] } });
  const ratings = discovery.service('ratings', { transport });
  const results = await compare({
    'node:http': nodeHttpGet(floorAgent, port),
    direct,
    'service.get()': () => ratings.get('/ratings/camera').json(),
  });
  await discovery.close();
  await transport.close();
  floorAgent.destroy();
  agent.destroy();
  return results;
}

function fakeInstances(count: number): ServiceInstance[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `node/svc-${i}`,
    id: `svc-${i}`,
    service: 'svc',
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    port: 8000,
    url: `http://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8000`,
    tags: [],
    meta: {},
  }));
}

function newPool(): EndpointPool {
  return new EndpointPool({
    service: 'svc',
    settings: DEFAULT_BREAKER_PRESET,
    retainMs: 60_000,
    listener: { onOpen: () => undefined, onHalfOpen: () => undefined, onClose: () => undefined, onTrialStarted: () => undefined },
  });
}

/** One attempt through the endpoint's call hooks (its breaker), ended as an answer or a connection failure. */
function callOnce(endpoint: Endpoint, answered: boolean): void {
  const attempt = new Attempt('svc', endpoint.ref, 1000, false);
  if (endpoint.onCallStarted(attempt)) throw new Error('the breaker refused the attempt');
  endpoint.onCallEnded(
    attempt,
    answered
      ? { type: 'response', verdict: VERDICTS.response, durationMs: 1, response: { statusCode: 200, headers: {}, body: '', instance: endpoint.ref } }
      : { type: 'instanceFailure', verdict: VERDICTS.instanceFailure, durationMs: 1, reason: 'connection', error: new UpstreamConnectionError('svc', endpoint.ref, new Error('down')) },
  );
}

/** opossum counts the outcomes handed to it a few microtasks later. */
const opossumSettled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function benchPick(): Promise<{ nsPerPick: number; nsPerPickHalfOpen: number; mbPer10k: number; mbPer10kCalled: number }> {
  const COUNT = 10_000;
  const pool = newPool();
  const balancer = new Balancer(new RoundRobinStrategy());
  balancer.setInstances(pool.sync(fakeInstances(COUNT)));
  const N = 2_000_000;
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += balancer.picker.pick().type.length;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += balancer.picker.pick().type.length;
  const nsPerPick = Number(process.hrtime.bigint() - t0) / N;
  // every other breaker open: the picker snapshot then holds the 5,000 usable instances
  const list = balancer.current;
  for (let i = 0; i < list.length; i += 2) {
    // five failures: the default preset's volume threshold
    for (let k = 0; k < 5; k++) callOnce(list[i]!, false);
  }
  await opossumSettled();
  // what the service state does on each breaker transition, done once for all of them
  balancer.refresh();
  if (list[0]!.state !== 'OPEN' || list[1]!.state !== 'CLOSED' || balancer.usable !== COUNT / 2) throw new Error('breakers did not open');
  t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += balancer.picker.pick().type.length;
  const nsPerPickHalfOpen = Number(process.hrtime.bigint() - t0) / N;
  pool.close();
  if (sink === 42) console.log('');

  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const instances = fakeInstances(COUNT);
  const measured = newPool();
  const tracked = new Balancer(new RoundRobinStrategy());
  tracked.setInstances(measured.sync(instances));
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const mbPer10k = (after - before) / 1024 / 1024;
  if (tracked.current.length !== COUNT) throw new Error('lost instances');
  // now one call through every breaker: each instance gets its opossum breaker
  for (const t of tracked.current) callOnce(t, true);
  await opossumSettled();
  if (!tracked.current.every((t) => t.materialized && t.state === 'CLOSED' && t.outstanding === 0)) throw new Error('calls did not end');
  gc();
  gc();
  const mbPer10kCalled = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  measured.close();
  return { nsPerPick, nsPerPickHalfOpen, mbPer10k, mbPer10kCalled };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const started = Date.now();
  const server = startProcess({ name: 'bench server', args: [fileURLToPath(new URL('./server.mjs', import.meta.url))] });
  const port = await server.listeningPort();
  const http1 = {
    got: await benchTransport('got', port),
    undici: await benchTransport('undici', port),
  };
  await server.stop();
  const pick = await benchPick();
  const overhead = await benchOverhead();

  const lines: string[] = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  lines.push('## discovery-client', '');
  lines.push(
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpu} (${os.cpus().length} cores), ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}; ` +
      `\`npm run bench -w packages/discovery-client\` (${fmt((Date.now() - started) / 1000)} s).`,
    '',
  );
  lines.push(
    `### (a) One service call vs a direct call`,
    '',
    `Sequential calls (one in flight) from one process to a node:http server in another process on the same machine, ` +
      `small JSON body parsed. Contenders run interleaved: ${ROUNDS} rounds × ${ROUND_MS} ms each after a warm-up. ` +
      '`direct` uses the same transport with the same keep-alive agent (got) or the same pool (undici) as the service client; ' +
      '`service.get()` adds resolve (static list), pick, breaker, per-attempt timeout/abort, retry bookkeeping and `.json()`.',
    '',
    'The ratio is the median over rounds of (calls/s of the contender ÷ calls/s of `direct`) within the same round, ' +
      'which cancels the drift between rounds on a shared machine.',
    '',
    '| transport | contender | calls/s | p50 µs | p99 µs | ratio vs direct | target ≥ 0.95 |',
    '|---|---|---:|---:|---:|---:|---|',
  );
  const verdicts: string[] = [];
  for (const [kind, results] of Object.entries(http1)) {
    const direct = results['direct']!;
    for (const [name, r] of Object.entries(results)) {
      const ratio = roundRatio(r, direct);
      const isService = name === 'service.get()';
      const met = ratio >= 0.95;
      if (isService) verdicts.push(`${kind}: ${fmt(ratio, 3)} (${met ? 'met' : 'missed'})`);
      lines.push(
        `| ${kind} | ${name} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(ratio, 3)} | ${isService ? (met ? 'met' : '**missed**') : ''} |`,
      );
    }
  }
  lines.push('');
  lines.push(`Throughput ratio service.get() / direct: ${verdicts.join('; ')}.`, '');
  lines.push(
    `Library cost alone (same call through an in-memory transport that answers at once, best of 5 × 100,000): ` +
      `${fmt(overhead.service, 2)} µs per \`service.get().json()\` against ${fmt(overhead.bare, 2)} µs for the bare transport call and ` +
      `\`JSON.parse\`, i.e. ${fmt(overhead.service - overhead.bare, 2)} µs added per call (pick, opossum breaker, timer and abort signal, ` +
      'retry budget, promise plumbing). Against a ~40 µs undici round trip that alone means a ratio of about ' +
      `${fmt(40 / (40 + overhead.service - overhead.bare), 3)}, against a ~140 µs got call about ` +
      `${fmt(140 / (140 + overhead.service - overhead.bare), 3)}. The network ratios above move by several percent from run to run ` +
      'on a shared 2-core machine; this in-memory figure is the stable one. ' +
      `By this figure the ratio reaches 0.95 once a round trip takes ${fmt((0.95 * (overhead.service - overhead.bare)) / 0.05, 0)} µs or more.`,
    '',
    `Load average at the end of this run: ${os.loadavg().map((l) => fmt(l, 1)).join(' / ')} (2 cores). ` +
      'What the numbers mean and what was tried: the notes below this section.',
    '',
  );
  lines.push(
    '### (b) Picking among 10,000 instances',
    '',
    '| measure | value | target | |',
    '|---|---:|---:|---|',
    `| \`pick()\` with 10,000 instances, all breakers closed | ${fmt(pick.nsPerPick, 1)} ns | ≤ 1,000 ns | ${pick.nsPerPick <= 1000 ? 'met' : '**missed**'} |`,
    `| \`pick()\` with 10,000 instances, every other breaker open | ${fmt(pick.nsPerPickHalfOpen, 1)} ns | ≤ 1,000 ns | ${pick.nsPerPickHalfOpen <= 1000 ? 'met' : '**missed**'} |`,
    `| heap for 10,000 tracked instances (listed, numbered, breaker slot; opossum created on first call) | ${fmt(pick.mbPer10k, 2)} MB | ≤ 10 MB | ${pick.mbPer10k <= 10 ? 'met' : '**missed**'} |`,
    `| heap for 10,000 tracked instances after one call each (10,000 live opossum breakers) | ${fmt(pick.mbPer10kCalled, 2)} MB | ≤ 10 MB | ${pick.mbPer10kCalled <= 10 ? 'met' : '**missed**'} |`,
    '',
    'An opossum 9 breaker weighs about ' +
      `${fmt(((pick.mbPer10kCalled - pick.mbPer10k) * 1024) / 10_000, 1)} KB (its rolling window of 10 buckets, its EventEmitter and listeners), ` +
      'so the pool creates it on an instance\'s first call and shares one bucket-rotation timer across breakers instead of opossum\'s ' +
      'two intervals per breaker. A client that really calls 10,000 distinct instances within the retain period pays the second figure.',
    '',
  );
  const section = lines.join('\n');
  console.log(section);

  const file = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
  const doc = readFileSync(file, 'utf8');
  const start = '<!-- bench:discovery-client:start -->';
  const end = '<!-- bench:discovery-client:end -->';
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error('discovery-client markers not found in docs/benchmarks.md');
  writeFileSync(file, `${doc.slice(0, from + start.length)}\n${section}${doc.slice(to)}`);
  console.log(`\nwrote ${file}`);
}

await main();
