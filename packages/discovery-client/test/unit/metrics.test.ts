import { afterEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { DiscoveryClient, METRIC_NAMES } from '../../src/index.js';
import { Upstream } from '../helpers/upstream.js';

let upstreams: Upstream[] = [];
let client: DiscoveryClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await Promise.all(upstreams.map((u) => u.close()));
  upstreams = [];
});

describe('metrics', () => {
  it('counts calls by service, instance and outcome, and tracks breakers and instances', async () => {
    upstreams = await Promise.all([new Upstream('a').start(), new Upstream('b').start()]);
    const registry = new Registry();
    client = new DiscoveryClient({
      logger: false,
      metrics: registry,
      static: { ratings: [{ id: 'r1', url: upstreams[0]!.url }, { id: 'r2', url: upstreams[1]!.url }] },
    });
    const ratings = client.service('ratings', { breaker: { preset: 'datawire' }, timeout: 200 });
    upstreams[1]!.mode = '500';
    for (let i = 0; i < 4; i++) await ratings.get('/r');
    const calls = (await registry.getSingleMetric(METRIC_NAMES.calls)!.get()).values;
    const count = (instance: string, outcome: string) =>
      calls.find((v) => v.labels.instance === instance && v.labels.outcome === outcome)?.value ?? 0;
    expect(count('r1', 'success')).toBe(4);
    expect(count('r2', 'failure')).toBe(1);
    const breaker = (await registry.getSingleMetric(METRIC_NAMES.breakerState)!.get()).values;
    expect(breaker.find((v) => v.labels.instance === 'r2')?.value).toBe(2);
    expect(breaker.find((v) => v.labels.instance === 'r1')?.value).toBe(0);
    const instances = (await registry.getSingleMetric(METRIC_NAMES.instances)!.get()).values;
    expect(instances[0]?.value).toBe(2);
    expect(await registry.metrics()).toContain(`${METRIC_NAMES.latency}_bucket`);
    const snapshot = client.snapshot().services[0]!;
    expect(snapshot.instances.map((i) => [i.number, i.id, i.breaker, i.calls, i.failures])).toEqual([
      [1, 'r1', 'CLOSED', 4, 0],
      [2, 'r2', 'OPEN', 1, 1],
    ]);
  });

  it('two clients can share one registry', () => {
    const registry = new Registry();
    const a = new DiscoveryClient({ logger: false, metrics: registry });
    const b = new DiscoveryClient({ logger: false, metrics: registry });
    void a.close();
    void b.close();
    expect(registry.getSingleMetric(METRIC_NAMES.calls)).toBeDefined();
  });
});
