import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { waitFor } from 'process-supervisor';
import {
  createHumanLogger,
  createJsonLogger,
  DiscoveryClient,
  isNoHealthyInstancesError,
  register,
  type Registration,
  type UnmatchedActiveColor,
} from '../../src/index.js';
import { Upstream } from '../helpers/upstream.js';

let consul: DevConsulHandle;
let discovery: DiscoveryClient | undefined;
const upstreams: Upstream[] = [];
const registrations: Registration[] = [];

async function instance(id: string, color: string): Promise<Upstream> {
  const upstream = await new Upstream(id).start();
  upstreams.push(upstream);
  registrations.push(await register({
    name: 'ratings', id, address: '127.0.0.1', port: upstream.port, ttl: '10s',
    tags: [`color=${color}`], meta: { color }, consul: { host: '127.0.0.1', port: consul.port }, logger: false,
  }));
  return upstream;
}

async function setActive(color: string | undefined): Promise<void> {
  const url = `${consul.url}/v1/kv/discovery/ratings/active`;
  const res = color === undefined ? await fetch(url, { method: 'DELETE' }) : await fetch(url, { method: 'PUT', body: color });
  expect(res.ok).toBe(true);
}

/** The instances answering `count` calls. */
async function served(client: ReturnType<DiscoveryClient['service']>, count: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < count; i += 1) seen.add((await client.get('/').json<{ from: string }>()).from);
  return seen;
}

beforeEach(async () => {
  consul = await startDevConsul({ port: 0, logLevel: 'error' });
});

afterEach(async () => {
  await discovery?.close();
  discovery = undefined;
  for (const registration of registrations.splice(0)) await registration.close();
  for (const upstream of upstreams.splice(0)) await upstream.close();
  await consul.close();
});

describe("color: 'active' (blue/green through Consul KV)", () => {
  it('announces the served list once per change: green instances joining while blue is active are no news', async () => {
    await setActive('blue');
    await instance('blue-1', 'blue');
    const lines: string[] = [];
    discovery = new DiscoveryClient({
      consul: { host: '127.0.0.1', port: consul.port },
      logger: { info: (_fields: object, line: string) => lines.push(line), warn: () => {}, error: () => {}, debug: () => {} },
      logPicks: false,
    });
    const ratings = discovery.service('ratings', { color: 'active' });
    const resolved: string[][] = [];
    discovery.on('resolved', (e) => resolved.push(e.instances.map((i) => i.id).sort()));
    expect(await served(ratings, 2)).toEqual(new Set(['blue-1']));
    await instance('green-1', 'green');
    await instance('green-2', 'green');
    await instance('blue-2', 'blue'); // the watch sees the green updates first
    await waitFor(() => resolved.some((ids) => ids.includes('blue-2')), { timeoutMs: 5000, what: 'blue-2 resolved' });
    expect(resolved).toEqual([['blue-1'], ['blue-1', 'blue-2']]);
    expect(lines.filter((l) => l.startsWith('resolved ratings'))).toHaveLength(2);
  });

  it('routes to every instance while no active color is set, then only to the color the KV key names', async () => {
    await instance('blue-1', 'blue');
    await instance('blue-2', 'blue');
    await instance('green-1', 'green');
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: false });
    const ratings = discovery.service('ratings', { color: 'active' });
    expect(await served(ratings, 6)).toEqual(new Set(['blue-1', 'blue-2', 'green-1']));

    await setActive('blue');
    const flippedAt = Date.now();
    for (;;) {
      const seen = await served(ratings, 4);
      if (!seen.has('green-1')) break;
      expect(Date.now() - flippedAt).toBeLessThan(2000);
    }
    expect(await served(ratings, 8)).toEqual(new Set(['blue-1', 'blue-2']));

    await setActive('green');
    await waitForOnly(ratings, 'green-1');
    expect(await served(ratings, 8)).toEqual(new Set(['green-1']));

    await setActive(undefined); // no key: everyone serves again
    await waitForAll(ratings, 3);
  });

  it('never routes to the inactive color, not even on the first call, when the key is set before the client starts', async () => {
    await instance('blue-1', 'blue');
    await instance('green-1', 'green');
    await setActive('green');
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: false });
    const ratings = discovery.service('ratings', { color: 'active' });
    expect(await served(ratings, 10)).toEqual(new Set(['green-1']));
  });

  it('a fixed color needs no KV key; other services of the client are not filtered', async () => {
    await instance('blue-1', 'blue');
    await instance('green-1', 'green');
    await setActive('green');
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: false });
    expect(await served(discovery.service('ratings', { color: 'blue' }), 6)).toEqual(new Set(['blue-1']));
    expect(await served(discovery.service('ratings'), 6)).toEqual(new Set(['blue-1', 'green-1']));
  });

  it('rejects a color that is not a non-empty string with a TypeError', () => {
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: false });
    expect(() => discovery!.service('ratings', { color: '' })).toThrow(TypeError);
    expect(() => discovery!.service('ratings', { color: 7 as unknown as string })).toThrow(/Expected `color`/);
  });
});

async function waitForOnly(client: ReturnType<DiscoveryClient['service']>, id: string): Promise<void> {
  await waitFor(async () => [...(await served(client, 4))].every((seen) => seen === id), { timeoutMs: 2000, what: `only ${id} to serve` });
}

async function waitForAll(client: ReturnType<DiscoveryClient['service']>, count: number): Promise<void> {
  await waitFor(async () => (await served(client, 6)).size >= count, { timeoutMs: 2000, what: `all ${count} instances to serve again` });
}

/** A human logger whose warnings land in `warnings` and info lines in `lines`. */
function capture(): { lines: string[]; warnings: string[]; logger: ReturnType<typeof createHumanLogger> } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const sink = (into: string[]) => ({ write: (chunk: string) => into.push(...chunk.split('\n').filter(Boolean)) });
  return { lines, warnings, logger: createHumanLogger({ out: sink(lines), err: sink(warnings) }) };
}

const colorWarnings = (warnings: string[]): string[] => warnings.filter((line) => line.startsWith('active color '));

describe("color: 'active' naming a color no listed instance has", () => {
  it('logs one warning naming the key, the color and the instances\' colors, again only when the situation changes', async () => {
    await instance('blue-1', 'blue');
    await instance('blue-2', 'blue');
    await instance('blue-3', 'blue');
    await setActive('green'); // left over from an earlier cut-over
    const log = capture();
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: log.logger, logPicks: false });
    const events: UnmatchedActiveColor[] = [];
    discovery.on('activeColorUnmatched', (event) => events.push(event));
    const ratings = discovery.service('ratings', { color: 'active', retry: false });

    const error = await ratings.get('/').catch((e: unknown) => e);
    expect(isNoHealthyInstancesError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'all ratings instances are down: active color green of ratings (Consul KV discovery/ratings/active) matches none of its 3 instances (blue ×3)',
    );
    expect(colorWarnings(log.warnings)).toEqual([
      'active color green of ratings (Consul KV discovery/ratings/active) matches none of its 3 instances (blue ×3): ' +
        'no instance to call; set the key to a color that runs, or delete it',
    ]);
    expect(events).toEqual([
      { service: 'ratings', key: 'discovery/ratings/active', color: 'green', instances: 3, colors: { blue: 3 }, uncolored: 0 },
    ]);
    expect(discovery.snapshot().services[0]!.activeColor).toEqual({ key: 'discovery/ratings/active', color: 'green' });

    // more calls and a new list of the same colors: the same situation, no new line
    await ratings.get('/').catch(() => undefined);
    await instance('blue-4', 'blue');
    await waitFor(async () => /of its 4 instances/.test(String(await ratings.get('/').catch((e: unknown) => e))), { timeoutMs: 5000, what: 'the list with blue-4' });
    expect(colorWarnings(log.warnings)).toHaveLength(1);

    // another leftover color: a new situation, a new line
    await setActive('purple');
    await waitFor(() => colorWarnings(log.warnings).length === 2, { timeoutMs: 5000, what: 'the warning about purple' });
    expect(colorWarnings(log.warnings)[1]).toMatch(/^active color purple of ratings \(Consul KV discovery\/ratings\/active\) matches none of its 4 instances \(blue ×4\)/);

    // fixed: calls go through and nothing more is said
    await setActive('blue');
    await waitFor(async () => (await ratings.get('/').catch(() => undefined))?.statusCode === 200, { timeoutMs: 5000, what: 'calls to blue' });
    expect(discovery.snapshot().services[0]!.activeColor).toEqual({ key: 'discovery/ratings/active', color: 'blue' });
    expect(colorWarnings(log.warnings)).toHaveLength(2);
    expect(events).toHaveLength(2);
  });

  it('says nothing while the active color has instances, or while no active color is set', async () => {
    await instance('blue-1', 'blue');
    await instance('green-1', 'green');
    await setActive('blue');
    const log = capture();
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: log.logger, logPicks: false });
    const events: UnmatchedActiveColor[] = [];
    discovery.on('activeColorUnmatched', (event) => events.push(event));
    const ratings = discovery.service('ratings', { color: 'active' });
    expect(await served(ratings, 4)).toEqual(new Set(['blue-1']));
    await setActive(undefined);
    await waitForAll(ratings, 2);
    expect(discovery.snapshot().services[0]!.activeColor).toEqual({ key: 'discovery/ratings/active', color: null });
    expect(colorWarnings(log.warnings)).toEqual([]);
    expect(events).toEqual([]);
  });

  it('as a JSON line: level warn, with service, key, activeColor and the colors as fields', async () => {
    await instance('blue-1', 'blue');
    await setActive('green');
    const lines: Array<Record<string, unknown>> = [];
    const logger = createJsonLogger({ destination: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger, logPicks: false });
    await discovery.service('ratings', { color: 'active' }).get('/').catch(() => undefined);
    const warnings = lines.filter((line) => String(line.msg).startsWith('active color '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      msg: expect.stringContaining('active color green of ratings (Consul KV discovery/ratings/active) matches none of its 1 instance (blue ×1)'),
      service: 'ratings',
      key: 'discovery/ratings/active',
      activeColor: 'green',
      instances: 1,
      colors: { blue: 1 },
    });
  });
});

describe("color: 'active' with a static list", () => {
  it('never asks Consul for the active color: every listed instance serves', async () => {
    const blue = await new Upstream('blue-static').start();
    const green = await new Upstream('green-static').start();
    upstreams.push(blue, green);
    await setActive('green'); // Consul names green: a static list must not read it
    discovery = new DiscoveryClient({
      consul: { host: '127.0.0.1', port: consul.port },
      logger: false,
      static: { ratings: [{ url: blue.url, meta: { color: 'blue' } }, { url: green.url, meta: { color: 'green' } }] },
    });
    expect(await served(discovery.service('ratings', { color: 'active' }), 6)).toEqual(new Set(['blue-static', 'green-static']));
  });
});
