/**
 * dev-consul benchmark: registrations per second, health-service query latency with 1,000 services x
 * 10 instances registered, and blocking-query wake latency after a change. The agent runs as its own
 * process (the real bin), as in use; results are written into docs/benchmarks.md between the
 * `bench:dev-consul` markers.
 *
 *   npm run bench -w packages/dev-consul
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCommandLine } from 'cli-kit';

parseCommandLine({ program: 'bench', usage: `Usage: npm run bench -w packages/dev-consul   (tsx bench/run.ts)

Registrations per second, health query latency with 1,000 services x 10 instances, and blocking-query
wake latency, against the real bin; rewrites the dev-consul section of docs/benchmarks.md.

Options:
  -h, --help   show this help
` });

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, '../bin/dev-consul.js');
const DOC = path.resolve(HERE, '../../../docs/benchmarks.md');

const SERVICES = 1000;
const INSTANCES = 10;
const QUERIES = 3000;
const WAKES = 200;
const FANOUT = 500;
const TARGET_P99_MS = 5;
const TARGET_WAKE_MS = 10;

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
/** One socket per parked watcher for the fan-out measure. */
const wideAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
let base = { host: '127.0.0.1', port: 0 };

function request(method: string, urlPath: string, body?: string, via: http.Agent = agent): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...base, method, path: urlPath, agent: via, headers: body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

async function startAgent(): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--log-level', 'warn', '--node', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`dev-consul exited with ${code}`)));
  });
  const u = new URL(url);
  base = { host: u.hostname, port: Number(u.port) };
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function registerAll(): Promise<number> {
  const jobs: string[] = [];
  for (let s = 0; s < SERVICES; s++) {
    for (let i = 0; i < INSTANCES; i++) {
      jobs.push(JSON.stringify({ Name: `svc-${s}`, ID: `svc-${s}-${i}`, Address: '10.0.0.1', Port: 10_000 + i, Tags: ['v1', `shard-${i % 3}`], Meta: { version: '1.0' }, Check: { TTL: '1h', Status: 'passing' } }));
    }
  }
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < jobs.length) {
        const body = jobs[next++] as string;
        const res = await request('PUT', '/v1/agent/service/register', body);
        if (res.status !== 200) throw new Error(`register: ${res.status} ${res.text}`);
      }
    }),
  );
  return jobs.length / (ms(started) / 1000);
}

async function queryLatency(): Promise<number[]> {
  const samples: number[] = [];
  for (let n = 0; n < QUERIES; n++) {
    const s = Math.floor(Math.random() * SERVICES);
    const started = process.hrtime.bigint();
    const res = await request('GET', `/v1/health/service/svc-${s}?passing`);
    samples.push(ms(started));
    if (res.status !== 200 || (JSON.parse(res.text) as unknown[]).length !== INSTANCES) throw new Error(`query: ${res.status}`);
  }
  return samples.sort((a, b) => a - b);
}

async function wakeLatency(): Promise<number[]> {
  const samples: number[] = [];
  for (let n = 0; n < WAKES; n++) {
    // Always the same instance, alternating warn/pass: every write is a real status change.
    const s = 0;
    const first = await request('GET', `/v1/health/service/svc-${s}`);
    const index = String(first.headers['x-consul-index']);
    let wokeAt = 0n;
    const parked = request('GET', `/v1/health/service/svc-${s}?index=${index}&wait=30s`).then((r) => {
      wokeAt = process.hrtime.bigint();
      return r;
    });
    await sleep(5);
    const changedAt = process.hrtime.bigint();
    await request('PUT', `/v1/agent/check/${n % 2 === 0 ? 'warn' : 'pass'}/service:svc-${s}-0`);
    const woke = await parked;
    if (Number(woke.headers['x-consul-index']) <= Number(index)) throw new Error('blocking query returned without a change');
    samples.push(Number(wokeAt - changedAt) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

/** Parks FANOUT watchers on one service, changes it once, and times until every watcher has its answer. */
async function fanOut(): Promise<number> {
  const first = await request('GET', '/v1/health/service/svc-1');
  const index = String(first.headers['x-consul-index']);
  const parked = Array.from({ length: FANOUT }, () => request('GET', `/v1/health/service/svc-1?index=${index}&wait=30s`, undefined, wideAgent));
  await sleep(1000);
  const started = process.hrtime.bigint();
  await request('PUT', '/v1/agent/check/warn/service:svc-1-0');
  const answers = await Promise.all(parked);
  const took = ms(started);
  if (answers.some((a) => Number(a.headers['x-consul-index']) <= Number(index))) throw new Error('a watcher returned without the change');
  return took;
}

function section(results: { regsPerSec: number; q: number[]; w: number[]; load: string; fan: number }): string {
  const cpus = os.cpus();
  const p50 = percentile(results.q, 50);
  const p99 = percentile(results.q, 99);
  const w50 = percentile(results.w, 50);
  const w99 = percentile(results.w, 99);
  const met = (ok: boolean): string => (ok ? 'met' : '**missed**');
  const f = (n: number): string => n.toFixed(2);
  return `## dev-consul

Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus[0]?.model.trim() ?? 'unknown CPU'} · ${cpus.length} cores · Node ${process.version} · ${os.platform()} ${os.arch()} · load average at start ${results.load}.
\`npm run bench -w packages/dev-consul\`: the agent runs as its own process (the real \`dev-consul\` bin, log level warn);
the client is node:http with keep-alive from the bench process.

| measure | setup | result | target | |
|---|---|---|---|---|
| registrations per second | ${SERVICES * INSTANCES} \`PUT /v1/agent/service/register\` with a TTL check, 16 in flight | ${Math.round(results.regsPerSec)} /s | — | |
| health-service query p50 | \`GET /v1/health/service/:name?passing\` (10 entries), ${SERVICES} services × ${INSTANCES} instances registered, ${QUERIES} sequential queries | ${f(p50)} ms | | |
| health-service query p99 | same | ${f(p99)} ms | ≤ ${TARGET_P99_MS} ms | ${met(p99 <= TARGET_P99_MS)} |
| blocking-query wake p50 | parked \`?index=\` query, then a check status change; time from sending the change to the parked answer arriving, ${WAKES} runs | ${f(w50)} ms | | |
| blocking-query wake p99 | same | ${f(w99)} ms | ≤ ${TARGET_WAKE_MS} ms | ${met(w99 <= TARGET_WAKE_MS)} |
| fan-out | ${FANOUT} watchers parked on one service, one change: time until the last one has its answer | ${f(results.fan)} ms | | |

The wake time includes the round trip of the write that causes the change.
`;
}

function writeSection(markdown: string): void {
  const start = '<!-- bench:dev-consul:start -->';
  const end = '<!-- bench:dev-consul:end -->';
  const doc = readFileSync(DOC, 'utf8');
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`markers ${start} / ${end} not found in ${DOC}`);
  writeFileSync(DOC, `${doc.slice(0, i + start.length)}\n${markdown}${doc.slice(j)}`);
}

async function main(): Promise<void> {
  const load = os.loadavg()[0]?.toFixed(1) ?? '?';
  const consul = await startAgent();
  try {
    process.stdout.write(`registering ${SERVICES * INSTANCES} instances...\n`);
    const regsPerSec = await registerAll();
    process.stdout.write(`  ${Math.round(regsPerSec)} registrations/s\n`);
    await queryLatency(); // warm-up
    const q = await queryLatency();
    process.stdout.write(`  health query p50 ${percentile(q, 50).toFixed(2)} ms, p99 ${percentile(q, 99).toFixed(2)} ms\n`);
    const w = await wakeLatency();
    process.stdout.write(`  wake p50 ${percentile(w, 50).toFixed(2)} ms, p99 ${percentile(w, 99).toFixed(2)} ms\n`);
    const fan = await fanOut();
    process.stdout.write(`  fan-out to ${FANOUT} watchers ${fan.toFixed(2)} ms\n`);
    const markdown = section({ regsPerSec, q, w, load, fan });
    writeSection(markdown);
    process.stdout.write(`\n${markdown}\nwritten to ${DOC}\n`);
  } finally {
    agent.destroy();
    wideAgent.destroy();
    await consul.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
