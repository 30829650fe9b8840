/**
 * Where a test run or the system test keeps the services' data, on either engine: a temp directory of
 * SQLite files, or a fresh PostgreSQL database (each service in its own schema) in the cluster at
 * `REDDIT_TEST_POSTGRES_URL` (started by the jest global setup, or given by whoever runs the script).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type Engine = 'sqlite' | 'postgres';

/** The engines a run covers: `REDDIT_TEST_ENGINES` (comma-separated), default both. */
export function testEngines(env: NodeJS.ProcessEnv = process.env): Engine[] {
  return (env.REDDIT_TEST_ENGINES ?? 'sqlite,postgres').split(',').filter((engine): engine is Engine => engine === 'sqlite' || engine === 'postgres');
}

export interface Storage {
  engine: Engine;
  /** A temp directory: the SQLite files (`<service>.db`) on SQLite; unused but present on PostgreSQL. */
  dataDir: string;
  /** PostgreSQL: the database every service of this run uses (`postgres://…/reddit_…`). */
  databaseUrl: string | undefined;
  /** What a service process needs in its environment to use this storage. */
  env: Record<string, string>;
  /** Drops the database / removes the directory. */
  remove(): Promise<void>;
}

let created = 0;

export async function createStorage(engine: Engine, adminUrl = process.env.REDDIT_TEST_POSTGRES_URL): Promise<Storage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reddit-test-'));
  const removeDir = (): void => rmSync(dataDir, { recursive: true, force: true });
  if (engine === 'sqlite') {
    return { engine, dataDir, databaseUrl: undefined, env: { DATA_DIR: dataDir }, remove: async () => removeDir() };
  }
  if (!adminUrl) throw new Error('REDDIT_TEST_POSTGRES_URL is not set: the jest global setup starts PostgreSQL (or set REDDIT_TEST_ENGINES=sqlite)');
  created += 1;
  const name = `reddit_${process.pid}_${created}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    engine,
    dataDir,
    databaseUrl,
    env: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    remove: async () => {
      removeDir();
      const drop = new pg.Client({ connectionString: adminUrl });
      await drop.connect();
      try {
        await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    },
  };
}
