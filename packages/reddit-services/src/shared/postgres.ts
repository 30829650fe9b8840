import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import { loadMigrations } from './migrate.js';
import type { Migration } from './migrate.js';

// int8 (ids, karma, COUNT) as numbers: every id and count the API exposes is below 2^53 (openapi.yaml).
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** Connections one instance keeps to PostgreSQL at most. */
export const DEFAULT_POOL_SIZE = 10;
/** How long a statement may wait for a row or table lock before failing (answered 503 + Retry-After), ms. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;
/** How long a caller waits for a free pooled connection before the request fails with 503, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export interface OpenPostgresOptions {
  /** The service whose migrations to apply (`migrations/postgres/<service>/`). */
  service: string;
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /**
   * The schema holding the service's tables, created when missing: one database can hold every
   * service, each in its own schema.
   * @default the service name
   */
  schema?: string;
  /** @default 10 */
  poolSize?: number;
  /** @default 5000 */
  lockTimeoutMs?: number;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a pool of connections for one instance of a service, every connection with its schema on the
 * `search_path`, and applies the pending migrations first (see `migratePostgres`).
 */
export async function openPostgres(options: OpenPostgresOptions): Promise<Pool> {
  const schema = options.schema ?? options.service;
  if (!SCHEMA_PATTERN.test(schema)) throw new TypeError(`schema must match ${SCHEMA_PATTERN.source}, got "${schema}"`);
  const lockTimeout = Math.trunc(options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
    options: `-c search_path=${schema} -c lock_timeout=${lockTimeout}`,
    application_name: `reddit-${options.service}`,
  });
  // An idle connection that dies (PostgreSQL restarted) is dropped from the pool; the next query reconnects.
  pool.on('error', () => {});
  try {
    await migratePostgres(pool, schema, loadMigrations(options.service, 'postgres'));
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}

/**
 * Applies the migrations the schema has not seen, all in one transaction under an advisory lock keyed
 * by the schema name: when several instances start at once, one applies and the others wait for it,
 * then find nothing left to do. A failing migration rolls everything back. Returns the versions applied.
 */
export async function migratePostgres(pool: Pool, schema: string, migrations: readonly Migration[]): Promise<number[]> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`reddit-migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>(`SELECT COALESCE(MAX(version), 0) AS version FROM ${schema}.schema_migrations`);
    const current = rows[0]?.version ?? 0;
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return applied;
  });
}

/** Runs `work` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
