import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { startConsulCluster } from '../helpers/consul-cluster.js';
import type { ConsulCluster } from '../helpers/consul-cluster.js';
import type { Cluster } from '../../scripts/lib/cluster.js';
import { formatReport, runLoad } from '../../scripts/lib/load.js';
import { bogusRequests, sendBogus } from '../../scripts/lib/bogus.js';
import { missingIds, verifyVotes } from '../../scripts/lib/verify.js';
import { testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';

/** The short system test of CI; `npx tsx scripts/system-test.ts` runs the long one. */
describe.each(testEngines())('system test (short) on %s', (engine) => {
  let running: ConsulCluster | undefined;
  let cluster: Cluster;
  let storage: Storage;

  beforeAll(async () => {
    running = await startConsulCluster({ posts: 2, votes: 2, users: 1, messages: 1 }, engine);
    cluster = running.cluster;
    storage = running.storage;
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
  }, 30_000);

  it('100 concurrent users with a realistic mix: no 5xx, no lost writes', async () => {
    // A generous per-request timeout: on a busy CI machine slow is fine, lost or failed is not.
    const report = await runLoad({ gatewayUrl: cluster.gateway.url, users: 100, durationMs: 4000, prefix: 'sys_', thinkMs: 20, requestTimeoutMs: 30_000 });
    process.stdout.write(`${formatReport(`system test (short) on ${engine}: 100 users, 4 s, 2 posts + 2 votes instances`, report)}\n`);
    // Behaviour, not speed: enough traffic to mean something even on a busy 2-core CI machine.
    expect(report.requests).toBeGreaterThan(150);
    expect(report.serverErrors).toBe(0);
    expect(report.networkErrors).toBe(0);
    expect(report.acknowledgedVotes.size).toBeGreaterThan(10);
    const votes = await verifyVotes(storage, report.acknowledgedVotes);
    expect(votes).toMatchObject({ missing: [], wrongDirection: [], tallyMismatches: [], integrity: 'ok' });
    expect(await missingIds(storage, 'posts', report.createdPosts)).toEqual([]);
    expect(await missingIds(storage, 'messages', report.sentMessages)).toEqual([]);
  }, 60_000);

  it('3000 malformed requests through the gateway: 0 5xx, no crash, services still answer', async () => {
    const report = await sendBogus(cluster.gateway.url, bogusRequests(3000, 42), 25);
    process.stdout.write(`bogus: ${report.sent} requests, statuses ${JSON.stringify(report.statuses)}\n`);
    expect(report.serverErrors).toEqual([]);
    expect(report.networkErrors).toBe(0);
    expect(report.sent).toBe(3000);
    for (const instance of [...cluster.instances, cluster.gateway]) {
      expect(instance.child.exitCode).toBeNull();
      expect((await fetch(`${instance.url}/health`)).status).toBe(200);
    }
    const direct = cluster.byService('users')[0];
    const directReport = await sendBogus(direct?.url ?? '', bogusRequests(500, 7), 10);
    expect(directReport.serverErrors).toEqual([]);
    const created = await fetch(`${cluster.gateway.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'after_bogus', email: 'after@example.com' }),
    });
    expect(created.status).toBe(201);
  }, 60_000);

  // Last: it kills an instance. A POST whose connection is refused never reached an instance, so the
  // gateway's discovery client sends it to another one (requeue) instead of answering 503.
  it('SIGKILL of a posts instance: the POSTs that follow are all created on the other one, none gets a 503', async () => {
    expect((await fetch(`${cluster.gateway.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'after_kill', email: 'after_kill@example.com' }),
    })).status).toBe(201);
    // The load above may have opened a breaker on a slow posts instance (timeouts on a busy machine):
    // start with none open (half-open lets the next call through), so the only instance out is the one killed.
    const breakers = async (): Promise<string[]> => {
      const status = (await (await fetch(`${cluster.gateway.url}/gateway/status`)).json()) as { services: Array<{ name: string; instances: Array<{ breaker: string }> }> };
      return status.services.find((service) => service.name === 'posts')?.instances.map((instance) => instance.breaker) ?? [];
    };
    await waitFor(async () => !(await breakers()).includes('OPEN'), { timeoutMs: 15_000, intervalMs: 100, what: 'every posts breaker closed' });
    expect(await breakers()).not.toContain('OPEN');
    const victim = cluster.byService('posts')[1];
    await victim?.kill();
    const failures: string[] = [];
    const servedBy = new Set<string>();
    const created: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const response = await fetch(`${cluster.gateway.url}/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `after kill ${i}`, community: 'general', username: 'after_kill' }),
      });
      servedBy.add(response.headers.get('x-served-by')?.split(' ')[0] ?? '');
      if (response.status === 201) created.push(((await response.json()) as { id: number }).id);
      else failures.push(`${response.status} ${await response.text()}`);
    }
    expect(failures).toEqual([]);
    expect([...servedBy]).toEqual(['posts-1']);
    expect(await missingIds(storage, 'posts', created)).toEqual([]);
  }, 60_000);
});
