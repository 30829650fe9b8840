// Issue 10's scenario for a reddit service, with real processes: dev-consul on a free port, posts instances and the
// reddit gateway (`node dist/main.js`), the load client sending through the gateway, and the deploy commands as the
// operator runs them. Instances keep their default drain delay (1 s); the rate is modest, the 1,000 req/s runs are
// benchmarks. In the rolling update the gateway talks to Consul through a relay that answers 300 ms late, as a
// client of a remote agent does: a retired instance must keep serving until even that watcher has dropped it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { Supervisor, waitFor, type SupervisedChild } from 'process-supervisor';
import { REPO } from '../src/services.js';
import { afterSwitch, startSampler, type Sample, type Sampler } from './helpers/cut-over.js';
import { passingInstances, underLoad } from './helpers/scenario.js';

const DEPLOY = `${REPO}packages/deploy/dist/deploy.js`;
const MAIN = `${REPO}packages/reddit-services/dist/main.js`;
const RATE = '100';
/** Served by posts alone (no other service involved), answered with `version`. */
const PATH = '/posts?n=3';

let consul: DevConsulHandle;
let supervisor: Supervisor;
let dir: string;

beforeAll(async () => {
  consul = await startDevConsul({ port: 0, logLevel: 'error' });
  dir = mkdtempSync(join(tmpdir(), 'deploy-reddit-test-'));
  supervisor = new Supervisor({ out: new PassThrough().resume(), err: new PassThrough().resume(), stopTimeoutMs: 8000 });
});

/** The cut-over test's sampler, stopped after the test even when it fails. */
let sampler: Sampler | undefined;

/** Clean-ups of the running test, after its processes have stopped. */
const afterThis: Array<() => Promise<void>> = [];

afterEach(async () => {
  await sampler?.stop();
  sampler = undefined;
  // the load and the deploy commands (which stop the instances they started), then the first instances, the gateway last
  await supervisor.stopAll([/^(load|roll|scale|cutover)/, /^posts-/]);
  for (const cleanUp of afterThis.splice(0)) await cleanUp();
  await fetch(`${consul.url}/v1/kv/discovery/posts/active`, { method: 'DELETE' });
});

afterAll(async () => {
  await consul.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A Consul agent `lagMs` away: an HTTP relay to dev-consul that holds every answer `lagMs` before passing it on
 * (status, headers such as X-Consul-Index, body), so whoever asks through it learns of each change `lagMs` late.
 * Its address is for CONSUL_HTTP_ADDR.
 */
async function startLaggingAgent(lagMs: number): Promise<{ address: string; close(): Promise<void> }> {
  const relay = createServer((req, res) => {
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    void (async () => {
      const upstream = await fetch(`${consul.url}${req.url ?? '/'}`, { method: req.method, signal: abort.signal });
      const body = Buffer.from(await upstream.arrayBuffer());
      await sleep(lagMs);
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) headers[name] = value;
      });
      res.writeHead(upstream.status, headers).end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(relay.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      relay.close(() => resolve());
      relay.closeAllConnections();
    }),
  };
}

function start(name: string, args: string[], extra: Record<string, string> = {}): SupervisedChild {
  // one SQLite file per service for every instance, the one the deploy commands' new instances open too
  const env = { CONSUL_HTTP_ADDR: `127.0.0.1:${consul.port}`, PORT: '0', DATA_DIR: dir, LOG_FORMAT: '', COLOR: '' };
  return supervisor.start({ name, args, env: { ...env, ...extra } });
}

const instances = (): ReturnType<typeof passingInstances> => passingInstances(consul.url, 'posts');

/**
 * `count` posts instances (posts-1…) of version 1.0, blue, and the gateway (asking Consul at `gatewayConsul`, by
 * default dev-consul itself) once it routes to them.
 */
async function startSystem(count: number, gatewayConsul?: string): Promise<{ gateway: SupervisedChild; url: string; first: SupervisedChild[] }> {
  const first = Array.from({ length: count }, (_, i) => start(`posts-${i + 1}`, [MAIN, 'posts'], { INSTANCE_ID: `posts-${i + 1}` }));
  await waitFor(async () => (await instances()).length === count, { timeoutMs: 30_000, what: `${count} posts instances` });
  const gateway = start('gateway', [MAIN, 'gateway'], { INSTANCE_ID: 'gateway', ...(gatewayConsul ? { CONSUL_HTTP_ADDR: gatewayConsul } : {}) });
  const url = `http://127.0.0.1:${await gateway.listeningPort(30_000)}`;
  await waitFor(async () => ((await fetch(`${url}${PATH}`)).ok), { timeoutMs: 30_000, what: 'the gateway to reach posts' });
  return { gateway, url, first };
}

describe('deploying a reddit service under load through the gateway (real processes, dev-consul)', () => {
  it('a rolling update of 3 posts instances from 1.0 to 2.0 loses no request, needs no retry, and both versions answer', async () => {
    const agent = await startLaggingAgent(300);
    afterThis.push(() => agent.close());
    const { gateway, url, first } = await startSystem(3, agent.address);
    let gatewayLines = '';
    gateway.onLine((line) => { gatewayLines += `${line}\n`; });
    let rollLines = '';
    const summary = await underLoad(start, { name: 'roll', target: ['--url', url, '--path', PATH], rate: RATE, dir }, async () => {
      const roll = start('roll', [DEPLOY, 'roll', '--service', 'posts', '--version', '2.0']);
      roll.onLine((line) => { rollLines += `${line}\n`; });
      await roll.waitForLine(/^roll complete/, 90_000);
    });
    expect(summary.failed).toBe(0);
    expect(summary.total).toBeGreaterThan(300);
    expect(Object.keys(summary.versions).sort()).toEqual(['1.0', '2.0']);
    expect((await instances()).map((i) => `${i.id} ${i.version}`).sort()).toEqual(['posts-4 2.0', 'posts-5 2.0', 'posts-6 2.0']);
    // each step: a new instance passing before an old one is retired
    expect(rollLines.match(/is passing in Consul[\s\S]*?retiring posts-\d/g)).toHaveLength(3);
    // each old instance stopped cleanly: deregistered, drained, answered what it had, exit 0
    for (const old of first) {
      expect(await old.exited).toMatchObject({ code: 0 });
    }
    // no attempt of the gateway failed, not even one it retried elsewhere: nothing reached a closed instance
    expect(gatewayLines).not.toMatch(/posts instance \d+ (failed|timed out)/);
  }, 120_000);

  it('a blue/green cut-over loses no request, and once the gateway has had a green answer it sends nothing more to blue', async () => {
    const { url } = await startSystem(2);
    const scale = start('scale', [DEPLOY, 'scale', '--service', 'posts', '--count', '4', '--version', '2.0', '--color', 'green']);
    await scale.waitForLine(/runs 4 instance\(s\)/, 60_000);
    const cutoverTo = async (color: string): Promise<void> => {
      const run = start(`cutover-${color}`, [DEPLOY, 'cutover', '--service', 'posts', '--color', color]);
      expect((await run.exited).code).toBe(0);
    };
    await cutoverTo('blue');
    await waitFor(async () => (await fetch(`${url}${PATH}`)).headers.get('x-served-by')?.startsWith('posts-1'), { timeoutMs: 10_000, what: 'blue only' });

    // Beside the load client, a sampler sends one request at a time through the gateway and records which instance
    // served each.
    sampler = startSampler(async () => {
      const response = await fetch(`${url}${PATH}`);
      const body = await response.json() as { version?: unknown };
      return { status: response.status, servedBy: response.headers.get('x-served-by')?.split(' ')[0] ?? '', version: body.version };
    });
    const { samples } = sampler;
    const blue = new Set(['posts-1', 'posts-2']);
    const isGreen = (s: Sample): boolean => s.status === 200 && s.version === '2.0' && !blue.has(s.servedBy);
    let cutoverStartedAt = Number.POSITIVE_INFINITY;
    const summary = await underLoad(start, { name: 'cutover', target: ['--url', url, '--path', PATH], rate: RATE, dir }, async (load) => {
      await waitFor(() => samples.length >= 20, { timeoutMs: 20_000, what: 'twenty answers before the cut-over' });
      cutoverStartedAt = Date.now();
      await cutoverTo('green');
      // The switch must come (the bound only keeps a broken one from hanging the test), then enough answers after it
      // to show that none goes back to blue; and the load client's answers turn green too.
      await waitFor(() => afterSwitch(samples, cutoverStartedAt, isGreen).length >= 50, { timeoutMs: 30_000, what: 'fifty answers from the first green one on' });
      await load.waitForLine(/^VERSION 1\.0 -> 2\.0 /, 30_000);
    });
    await sampler.stop();

    expect(summary.failed).toBe(0);
    expect(summary.versions['1.0']).toBeGreaterThan(0); // blue served before the flip
    expect(summary.versions['2.0']).toBeGreaterThan(0);
    expect(samples.filter((s) => s.status !== 200)).toEqual([]);
    const before = samples.filter((s) => s.sentAt < cutoverStartedAt);
    expect(before.length).toBeGreaterThanOrEqual(20);
    expect(before.filter((s) => !blue.has(s.servedBy) || s.version !== '1.0')).toEqual([]);
    const switched = afterSwitch(samples, cutoverStartedAt, isGreen);
    expect(switched.length).toBeGreaterThanOrEqual(50);
    expect(switched.filter((s) => !isGreen(s))).toEqual([]);
    // old instances stay up until retired
    expect((await instances()).filter((i) => i.color === 'blue').map((i) => i.id).sort()).toEqual(['posts-1', 'posts-2']);
  }, 120_000);
});
