// The scenario of issue 10, with real processes: dev-consul on a free port, ratings instances, the load client
// and the deploy commands as the operator runs them. A modest rate keeps it short; the 1,000 req/s runs are
// benchmarks, not tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { DiscoveryClient } from 'discovery-client';
import { Supervisor, waitFor, type SupervisedChild } from 'process-supervisor';
import { REPO } from '../src/services.js';
import { afterSwitch, startSampler, type Sample, type Sampler } from './helpers/cut-over.js';
import { passingInstances, underLoad } from './helpers/scenario.js';

const DEPLOY = `${REPO}packages/deploy/dist/deploy.js`;
const LAUNCHER = `${REPO}packages/ratings/dist/start-ratings.js`;
const RATE = '100';

let consul: DevConsulHandle;
let supervisor: Supervisor;
let dir: string;
let env: Record<string, string>;
/** The cut-over test's own caller and its sampler, stopped after the test even when it fails. */
let discovery: DiscoveryClient | undefined;
let sampler: Sampler | undefined;

beforeAll(async () => {
  consul = await startDevConsul({ port: 0, logLevel: 'error' });
  dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
});

afterEach(async () => {
  await sampler?.stop();
  sampler = undefined;
  await discovery?.close();
  discovery = undefined;
  await supervisor.stopAll([/^(load|roll|scale|cutover)/]);
  await fetch(`${consul.url}/v1/kv/discovery/ratings/active`, { method: 'DELETE' });
});

afterAll(async () => {
  await consul.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(name: string, args: string[], extra: Record<string, string> = {}): SupervisedChild {
  supervisor ??= new Supervisor({ out: new PassThrough().resume(), err: new PassThrough().resume(), stopTimeoutMs: 8000 });
  env = { CONSUL_HTTP_ADDR: `127.0.0.1:${consul.port}`, PORT: '0', LOG_FORMAT: '', COLOR: '' };
  return supervisor.start({ name, args, env: { ...env, ...extra } });
}

const instances = (): ReturnType<typeof passingInstances> => passingInstances(consul.url, 'ratings');

describe('deploying ratings under load (real processes, dev-consul)', () => {
  it('a rolling update of 3 instances from 1.0 to 2.0 loses no request, and both versions answer', async () => {
    const launcher = start('launcher', [LAUNCHER, '--count', '3']);
    await waitFor(async () => (await instances()).length === 3, { timeoutMs: 20_000, what: '3 instances of 1.0' });
    let rollLines = '';
    const summary = await underLoad(start, { name: 'roll', target: ['--service', 'ratings'], rate: RATE, dir }, async () => {
      const roll = start('roll', [DEPLOY, 'roll', '--service', 'ratings', '--version', '2.0']);
      roll.onLine((line) => { rollLines += `${line}\n`; });
      await roll.waitForLine(/^roll complete/, 90_000);
    });
    expect(summary.failed).toBe(0);
    expect(summary.total).toBeGreaterThan(100);
    expect(Object.keys(summary.versions).sort()).toEqual(['1.0', '2.0']);
    expect(summary.flickerMs).toEqual(expect.any(Number));
    const after = await instances();
    expect(after.map((i) => i.version)).toEqual(['2.0', '2.0', '2.0']);
    // each step: a new instance passing before an old one is retired
    expect(rollLines.match(/is passing in Consul[\s\S]*?retiring ratings-\d/g)).toHaveLength(3);
    // its new instances answered the load, but the roll's terminal shows progress, not a line per request
    expect(rollLines).not.toMatch(/GET camera/);
    expect((await launcher.exited).code).toBe(0); // its three instances were retired cleanly
  }, 150_000);

  it('a roll whose new instance cannot start stops at once and leaves the old instances serving; a cut-over to a color nobody has changes nothing', async () => {
    const launcher = start('launcher', [LAUNCHER, '--count', '2']);
    await waitFor(async () => (await instances()).length === 2, { timeoutMs: 20_000, what: '2 instances of 1.0' });
    // a new instance with a TTL it rejects exits at once (exit 2)
    const rollStarted = Date.now();
    const roll = start('roll-broken', [DEPLOY, 'roll', '--service', 'ratings', '--version', '2.0'], { RATINGS_TTL: 'soon' });
    let text = '';
    roll.onLine((line) => { text += `${line}\n`; });
    expect((await roll.exited).code).toBe(1);
    // at once: not after the 30 s a new instance has to become healthy
    expect(Date.now() - rollStarted).toBeLessThan(15_000);
    expect(text).toMatch(/roll stopped at step 1: ratings-3 did not become healthy in Consul \(it exited\).*The old instances keep serving: ratings-1, ratings-2/);
    expect((await instances()).map((i) => `${i.id} ${i.version}`).sort()).toEqual(['ratings-1 1.0', 'ratings-2 1.0']);

    const cut = start('cutover-purple', [DEPLOY, 'cutover', '--service', 'ratings', '--color', 'purple']);
    let cutText = '';
    cut.onLine((line) => { cutText += line; });
    expect((await cut.exited).code).toBe(1);
    expect(cutText).toMatch(/no passing ratings instance has color purple.*nothing changed/);
    expect((await fetch(`${consul.url}/v1/kv/discovery/ratings/active`)).status).toBe(404);
    await supervisor.stopChild(launcher);
  }, 60_000);

  it('a blue/green cut-over loses no request, and a caller that has had a green answer sends nothing more to blue', async () => {
    const blue = start('blue', [LAUNCHER, '--count', '3'], { COLOR: 'blue' });
    await waitFor(async () => (await instances()).length === 3, { timeoutMs: 20_000, what: '3 blue instances' });
    const blueIds = new Set((await instances()).map((i) => i.id));
    const scale = start('scale', [DEPLOY, 'scale', '--service', 'ratings', '--count', '6', '--version', '2.0', '--color', 'green']);
    await scale.waitForLine(/runs 6 instance\(s\)/, 60_000);
    const cutoverTo = async (color: string): Promise<void> => {
      const run = start(`cutover-${color}`, [DEPLOY, 'cutover', '--service', 'ratings', '--color', color]);
      expect((await run.exited).code).toBe(0);
    };
    await cutoverTo('blue');

    // Beside the load client, a caller of the test's own, the library as the load client uses it (the active
    // color), sends one request at a time and records which instance served each.
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: false, logPicks: false });
    const ratings = discovery.service('ratings', { color: 'active' });
    sampler = startSampler(async () => {
      const response = await ratings.get('/ratings/camera');
      const body = JSON.parse(response.body) as { version?: unknown };
      return { status: response.statusCode, servedBy: response.instance?.id ?? '', version: body.version };
    });
    const { samples } = sampler;
    const isGreen = (s: Sample): boolean => s.status === 200 && s.version === '2.0' && !blueIds.has(s.servedBy);
    let cutoverStartedAt = Number.POSITIVE_INFINITY;
    const summary = await underLoad(start, { name: 'cutover', target: ['--service', 'ratings'], rate: RATE, dir }, async (load) => {
      await waitFor(() => samples.length >= 20, { timeoutMs: 20_000, what: 'twenty answers before the cut-over' });
      cutoverStartedAt = Date.now();
      await cutoverTo('green');
      // The switch must come (the bound only keeps a broken one from hanging the test), then enough answers after it
      // to show that none goes back to blue; and the load client switches too.
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
    expect(before.filter((s) => !blueIds.has(s.servedBy) || s.version !== '1.0')).toEqual([]);
    const switched = afterSwitch(samples, cutoverStartedAt, isGreen);
    expect(switched.length).toBeGreaterThanOrEqual(50);
    expect(switched.filter((s) => !isGreen(s))).toEqual([]);
    // old instances stay up until retired
    expect((await instances()).filter((i) => i.color === 'blue')).toHaveLength(3);
    await supervisor.stopChild(blue);
  }, 150_000);

  it('after a cut-over, scaling down retires the instances no caller is routed to (the old color) first, with no failed request', async () => {
    const blue = start('blue', [LAUNCHER, '--count', '2'], { COLOR: 'blue' });
    await waitFor(async () => (await instances()).length === 2, { timeoutMs: 20_000, what: '2 blue instances' });
    const scaleUp = start('scale-up', [DEPLOY, 'scale', '--service', 'ratings', '--count', '4', '--version', '2.0', '--color', 'green']);
    await scaleUp.waitForLine(/runs 4 instance\(s\)/, 60_000);
    const cut = start('cutover-green', [DEPLOY, 'cutover', '--service', 'ratings', '--color', 'green']);
    let hint = '';
    cut.onLine((line) => { hint += line; });
    expect((await cut.exited).code).toBe(0);
    expect(hint).toMatch(/retire them with make scale SERVICE=ratings COUNT=2/);
    const summary = await underLoad(start, { name: 'scale-down', target: ['--service', 'ratings'], rate: RATE, dir }, async () => {
      const scaleDown = start('scale-down', [DEPLOY, 'scale', '--service', 'ratings', '--count', '2']);
      expect((await scaleDown.exited).code).toBe(0);
    });
    expect(summary.failed).toBe(0);
    expect(summary.versions['1.0'] ?? 0).toBe(0); // green (2.0) served throughout
    expect((await instances()).map((i) => i.color)).toEqual(['green', 'green']);
    await supervisor.stopChild(blue);
  }, 150_000);
});
