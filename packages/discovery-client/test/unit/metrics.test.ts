import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { waitFor } from 'process-supervisor';
import { DiscoveryClient, METRIC_NAMES } from '../../src/index.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

const t = useClientFixture();

describe('metrics', () => {
  it('counts calls by service, instance and outcome, and tracks breakers and instances', async () => {
    t.upstreams = await Promise.all([new Upstream('a').start(), new Upstream('b').start()]);
    const registry = new Registry();
    t.client = new DiscoveryClient({
      logger: false,
      metrics: registry,
      static: { ratings: [{ id: 'r1', url: t.upstreams[0]!.url }, { id: 'r2', url: t.upstreams[1]!.url }] },
    });
    const ratings = t.client.service('ratings', { breaker: { preset: 'datawire' }, timeout: 200 });
    t.upstreams[1]!.mode = '500';
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
    const snapshot = t.client.snapshot().services[0]!;
    expect(snapshot.instances.map((i) => [i.number, i.id, i.breaker, i.calls, i.failures])).toEqual([
      [1, 'r1', 'CLOSED', 4, 0],
      [2, 'r2', 'OPEN', 1, 1],
    ]);
  });

  it('counts calls shed by the concurrency limit by service and reason', async () => {
    t.upstreams = [await new Upstream('a').start()];
    const [u] = t.upstreams;
    u!.mode = 'hold';
    const registry = new Registry();
    t.client = new DiscoveryClient({ logger: false, metrics: registry, static: { ratings: [{ id: 'r1', url: u!.url }] } });
    const ratings = t.client.service('ratings', {
      timeout: 30_000,
      concurrencyLimit: { minLimit: 1, initialLimit: 1, maxLimit: 1, maxQueued: 0 },
    });
    const sent = ratings.get('/r');
    await waitFor(() => u!.holding === 1, { timeoutMs: 5000, what: 'the first call held' });
    for (let i = 0; i < 2; i++) await expect(ratings.get('/r')).rejects.toMatchObject({ code: 'ERR_OVERLOADED' });
    const shed = (await registry.getSingleMetric(METRIC_NAMES.callsShed)!.get()).values;
    expect(shed).toEqual([{ labels: { service: 'ratings', reason: 'queue-full' }, value: 2 }]);
    u!.release();
    await sent;
  });

  it('labels attempts with their status code, and a 4xx is a client_error, not a success', async () => {
    t.upstreams = [await new Upstream('a').start()];
    const [u] = t.upstreams;
    const registry = new Registry();
    t.client = new DiscoveryClient({ logger: false, metrics: registry, static: { ratings: [{ id: 'r1', url: u!.url }] } });
    const ratings = t.client.service('ratings', { retry: false, breaker: { preset: 'datawire' } });
    await ratings.get('/r');
    u!.mode = '404';
    await ratings.get('/r', { throwHttpErrors: false });
    await expect(ratings.get('/r')).rejects.toMatchObject({ statusCode: 404 });
    u!.mode = '500';
    await expect(ratings.get('/r')).rejects.toThrow();
    const calls = (await registry.getSingleMetric(METRIC_NAMES.calls)!.get()).values;
    expect(calls.map((v) => [v.labels.outcome, v.labels.http_response_status_code, v.value])).toEqual([
      ['success', '200', 1],
      ['client_error', '404', 2],
      ['failure', '500', 1],
    ]);
    const latency = (await registry.getSingleMetric(METRIC_NAMES.latency)!.get()).values;
    const observed = (outcome: string) => latency.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count') && v.labels.outcome === outcome)?.value;
    expect([observed('success'), observed('client_error'), observed('failure')]).toEqual([1, 2, 1]);
  });

  it('two clients can share one registry: both count into the same metrics', async () => {
    t.upstreams = [await new Upstream('a').start()];
    const registry = new Registry();
    const options = { logger: false as const, metrics: registry, static: { ratings: [{ id: 'r1', url: t.upstreams[0]!.url }] } };
    const a = new DiscoveryClient(options);
    const b = new DiscoveryClient(options);
    try {
      await a.service('ratings').get('/r');
      await b.service('ratings').get('/r');
      await b.service('ratings').get('/r');
      const calls = (await registry.getSingleMetric(METRIC_NAMES.calls)!.get()).values;
      expect(calls.find((v) => v.labels.instance === 'r1' && v.labels.outcome === 'success')?.value).toBe(3);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
