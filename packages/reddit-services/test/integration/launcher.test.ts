import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDevConsul } from 'dev-consul';
import pg from 'pg';
import { testEngines } from '../../scripts/lib/storage.js';
import { freePort } from 'server-ports';
import { tempDir } from '../helpers/apps.js';

const LAUNCHER = fileURLToPath(new URL('../../dist/launcher.js', import.meta.url));
const SEED = fileURLToPath(new URL('../../dist/seed.js', import.meta.url));


function launch(env: Record<string, string>): { child: ChildProcess; output: string[]; gatewayUrl: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [LAUNCHER, '--count', '2'], { env: { ...process.env, PORT: '0', REGISTRATION_TTL: '2s', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const gatewayUrl = new Promise<string>((resolve) => {
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString());
      const match = /^gateway: (http:\/\/127\.0\.0\.1:\d+)/m.exec(output.join(''));
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, gatewayUrl, exited };
}

async function passing(consulUrl: string, service: string): Promise<number> {
  return ((await (await fetch(`${consulUrl}/v1/health/service/${service}?passing`)).json()) as unknown[]).length;
}

describe('launcher (make startReddit) and seed (make seedReddit)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 30_000);

  it('uses a running Consul, starts 2 instances of each service and a gateway, seeds, and ^C deregisters all', async () => {
    const temp = tempDir();
    cleanups.push(() => temp.remove());
    const consul = await startDevConsul({ port: 0 });
    cleanups.push(() => consul.close());
    const gatewayPort = String(await freePort());
    const run = launch({ CONSUL_HTTP_ADDR: consul.url, GATEWAY_PORT: gatewayPort, DATA_DIR: temp.dir });
    cleanups.push(() => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    });
    const gatewayUrl = await run.gatewayUrl;
    expect(run.output.join('')).toContain(`using Consul at ${consul.url}`);
    for (const service of ['posts', 'votes', 'users', 'messages']) {
      await waitFor(async () => (await passing(consul.url, service)) >= 2, { intervalMs: 100, what: `2 passing ${service} instances` });
      expect(await passing(consul.url, service)).toBe(2);
    }

    // The operator sets GATEWAY_PORT once for both `make startReddit` and `make seedReddit`.
    const { GATEWAY_URL: _ignored, ...env } = process.env;
    const seed = spawn(process.execPath, [SEED], { env: { ...env, GATEWAY_PORT: gatewayPort }, stdio: ['ignore', 'pipe', 'pipe'] });
    let seedOutput = '';
    seed.stdout.on('data', (chunk: Buffer) => (seedOutput += chunk.toString()));
    seed.stderr.on('data', (chunk: Buffer) => (seedOutput += chunk.toString()));
    expect(await new Promise((resolve) => seed.once('exit', resolve))).toBe(0);
    expect(seedOutput).toContain(`seeding through ${gatewayUrl}`);
    expect(seedOutput).toMatch(/6 users, 7 posts, \d+ votes, 3 messages/);
    const top = (await (await fetch(`${gatewayUrl}/votes/top?n=3`)).json()) as { posts: unknown[] };
    expect(top.posts).toHaveLength(3);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output.join('')).toContain('all stopped');
    for (const service of ['posts', 'votes', 'users', 'messages']) expect(await passing(consul.url, service)).toBe(0);
    const catalog = (await (await fetch(`${consul.url}/v1/agent/services`)).json()) as Record<string, unknown>;
    expect(Object.keys(catalog)).toEqual([]);
  }, 60_000);

  it('starts dev-consul itself when CONSUL_HTTP_ADDR does not answer, and stops it on SIGTERM', async () => {
    const temp = tempDir();
    cleanups.push(() => temp.remove());
    const consulPort = await freePort();
    const run = launch({ CONSUL_HTTP_ADDR: `127.0.0.1:${consulPort}`, GATEWAY_PORT: String(await freePort()), DATA_DIR: temp.dir });
    cleanups.push(() => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    });
    const gatewayUrl = await run.gatewayUrl;
    expect(run.output.join('')).toContain(`started dev-consul at http://127.0.0.1:${consulPort}`);
    const created = await fetch(`${gatewayUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'launched', email: 'l@example.com' }),
    });
    // The gateway may start before the users instances pass their first check; retry briefly.
    const status = created.status !== 503 ? created.status : await waitFor(async () => {
      const { status } = await fetch(`${gatewayUrl}/users/launched`);
      return status === 503 ? undefined : status;
    }, { timeoutMs: 3000, intervalMs: 100, what: 'the gateway to reach users' });
    expect([201, 200]).toContain(status);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${consulPort}/v1/status/leader`)).rejects.toThrow();
  }, 60_000);

  (testEngines().includes('postgres') ? it : it.skip)(
    'DATABASE=postgres without DATABASE_URL: starts a local PostgreSQL in DATA_DIR/postgres, serves the same API from it, stops it on ^C',
    async () => {
      const temp = tempDir();
      cleanups.push(() => temp.remove());
      // As root the server runs as the postgres user, which must reach DATA_DIR.
      chmodSync(temp.dir, 0o755);
      const postgresPort = await freePort();
      const run = launch({
        CONSUL_HTTP_ADDR: `127.0.0.1:${await freePort()}`,
        GATEWAY_PORT: String(await freePort()),
        DATA_DIR: temp.dir,
        DATABASE: 'postgres',
        DATABASE_URL: '',
        POSTGRES_PORT: String(postgresPort),
      });
      cleanups.push(() => {
        if (run.child.exitCode === null) run.child.kill('SIGKILL');
      });
      const gatewayUrl = await run.gatewayUrl;
      expect(run.output.join('')).toContain(`started PostgreSQL at postgres://postgres@127.0.0.1:${postgresPort}/postgres`);
      const status = await waitFor(async () => {
        const { status } = await fetch(`${gatewayUrl}/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'on_postgres', email: 'p@example.com' }),
        });
        return status === 503 ? undefined : status;
      }, { intervalMs: 100, what: 'the gateway to reach users' });
      expect(status).toBe(201);
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${postgresPort}/postgres` });
      await client.connect();
      try {
        expect((await client.query('SELECT username FROM users.users')).rows).toEqual([{ username: 'on_postgres' }]);
      } finally {
        await client.end();
      }
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      expect(run.output.join('')).toContain('all stopped');
      const after = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${postgresPort}/postgres`, connectionTimeoutMillis: 2000 });
      await expect(after.connect()).rejects.toThrow();
    },
    90_000,
  );
});
