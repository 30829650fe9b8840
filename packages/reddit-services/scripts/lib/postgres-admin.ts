/** For the scripts: a PostgreSQL to create run databases in, given (`REDDIT_TEST_POSTGRES_URL`) or started for the run. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPostgres } from '../../src/shared/local-postgres.js';
import type { Engine } from './storage.js';

/** Runs `work` with an admin URL: none for SQLite, `REDDIT_TEST_POSTGRES_URL` when set, else a throwaway cluster stopped afterwards. */
export async function withPostgresAdmin<T>(engine: Engine, work: (adminUrl: string | undefined) => Promise<T>): Promise<T> {
  if (engine === 'sqlite') return work(undefined);
  if (process.env.REDDIT_TEST_POSTGRES_URL) return work(process.env.REDDIT_TEST_POSTGRES_URL);
  const root = mkdtempSync(join(tmpdir(), 'reddit-postgres-'));
  chmodSync(root, 0o755);
  // Durable settings (fsync on), as in production: the scripts measure.
  const server = await startLocalPostgres({ dataDir: join(root, 'data') });
  process.stdout.write(`started a PostgreSQL for this run at ${server.url} (removed afterwards)\n`);
  try {
    return await work(server.url);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
