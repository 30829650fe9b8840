/**
 * PostgreSQL stops under a running service (runbooks/outages.md): calls answer a JSON 503 "database
 * unavailable" with Retry-After, never a 500, and the service serves again by itself once the server
 * is back. Its own server, so the shared test cluster is not disturbed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPostgres } from '../../src/shared/local-postgres.js';
import type { LocalPostgres } from '../../src/shared/local-postgres.js';
import { startApp } from '../helpers/apps.js';
import type { TestApp } from '../helpers/apps.js';
import { testEngines } from '../../scripts/lib/storage.js';

(testEngines().includes('postgres') ? describe : describe.skip)('PostgreSQL down under a running service', () => {
  const root = mkdtempSync(join(tmpdir(), 'reddit-pg-outage-'));
  let server: LocalPostgres;
  let votes: TestApp;

  beforeAll(async () => {
    chmodSync(root, 0o755);
    server = await startLocalPostgres({ dataDir: join(root, 'data'), throwaway: true });
    votes = await startApp('votes', { engine: 'postgres', dataDir: root, databaseUrl: server.url, env: {}, remove: async () => {} });
  }, 60_000);

  afterAll(async () => {
    await votes?.close();
    await server?.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 database unavailable while it is down, and 2xx again once it is back', async () => {
    const vote = () =>
      fetch(`${votes.url}/votes/1/users/alice`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ direction: 'up', community: 'general' }) });
    expect((await vote()).status).toBe(201);
    await server.stop();
    for (const response of [await vote(), await fetch(`${votes.url}/votes/top`)]) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toEqual({ error: 'database unavailable, retry later' });
    }
    server = await startLocalPostgres({ dataDir: server.dataDir, port: server.port, throwaway: true });
    const again = await vote();
    expect(again.status).toBe(200);
    expect(await (await fetch(`${votes.url}/votes/1`)).json()).toMatchObject({ up: 1 });
  }, 60_000);
});
