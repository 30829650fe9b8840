// Starts one throwaway PostgreSQL cluster for the whole run (initdb + pg_ctl in a temp directory, on a
// free port); each suite creates its own database in it (test/helpers/engines.ts). Test workers inherit
// REDDIT_TEST_POSTGRES_URL. REDDIT_TEST_ENGINES=sqlite skips PostgreSQL (and this setup) entirely.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPostgres } from '../../dist/shared/local-postgres.js';

export default async function setup() {
  const engines = (process.env.REDDIT_TEST_ENGINES ?? 'sqlite,postgres').split(',');
  if (!engines.includes('postgres')) return;
  const root = mkdtempSync(join(tmpdir(), 'reddit-postgres-'));
  // As root the server runs as the postgres user, which must reach its data directory.
  chmodSync(root, 0o755);
  try {
    const server = await startLocalPostgres({ dataDir: join(root, 'data'), throwaway: true });
    globalThis.__redditPostgres = { server, root };
    process.env.REDDIT_TEST_POSTGRES_URL = server.url;
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL for the reddit-services tests (REDDIT_TEST_ENGINES=sqlite runs without it): ${error.message}`, { cause: error });
  }
}
