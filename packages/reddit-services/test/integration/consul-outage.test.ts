import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevConsul } from 'dev-consul';
import { tempDir } from '../helpers/apps.js';
import { startCluster, startProcess, waitForPassing } from '../../scripts/lib/cluster.js';
import type { Cluster, RunningProcess } from '../../scripts/lib/cluster.js';

describe('Consul outage (runbooks/outages.md)', () => {
  const temp = tempDir();
  let consul: Awaited<ReturnType<typeof startDevConsul>>;
  let cluster: Cluster;
  let late: RunningProcess | undefined;

  beforeAll(async () => {
    consul = await startDevConsul({ port: 0 });
    cluster = await startCluster({ consulUrl: consul.url, dataDir: temp.dir, counts: { votes: 2 } });
  }, 60_000);

  afterAll(async () => {
    await late?.stop();
    await cluster?.stop();
    await consul?.close();
    temp.remove();
  }, 30_000);

  it('keeps serving on the last known lists while Consul is down; everything registers again when a fresh Consul comes back', async () => {
    const gateway = cluster.gateway.url;
    expect((await fetch(`${gateway}/votes/top`)).status).toBe(200);
    const port = consul.port;
    await consul.close();

    // Consul is gone: the gateway still routes, posts still ranks hot through votes.
    const created = await fetch(`${gateway}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'during_outage', email: 'o@example.com' }),
    });
    expect(created.status).toBe(201);
    const hot = (await (await fetch(`${gateway}/posts/hot`)).json()) as { sorted: boolean };
    expect(hot.sorted).toBe(true);
    const served = new Set<string>();
    for (let i = 0; i < 4; i += 1) served.add((await fetch(`${gateway}/votes/top`)).headers.get('x-served-by')?.split(' ')[0] ?? '');
    expect([...served].sort()).toEqual(['votes-1', 'votes-2']);

    // An instance started during the outage serves and waits to register.
    late = await startProcess({ name: 'messages', id: 'messages-late', consulUrl: `http://127.0.0.1:${port}`, dataDir: temp.dir });
    expect((await fetch(`${late.url}/health`)).status).toBe(200);

    // A fresh Consul (no state) on the same address: heartbeats get 404 and every instance registers again.
    consul = await startDevConsul({ port });
    await waitForPassing(consul.url, 'votes', 2, 20_000);
    await waitForPassing(consul.url, 'posts', 1, 20_000);
    await waitForPassing(consul.url, 'users', 1, 20_000);
    await waitForPassing(consul.url, 'messages', 2, 20_000);
    expect((await fetch(`${gateway}/users/during_outage`)).status).toBe(200);
  }, 60_000);
});
