import type { Database as SqliteConnection } from 'better-sqlite3';
import type { Pool } from 'pg';
import { openDatabase } from './db.js';
import { openPostgres } from './postgres.js';
import type { Engine } from './migrate.js';

/**
 * A service's opened database, on one of the two engines: SQLite (embedded, the default: one file that
 * every instance on the host shares) or PostgreSQL (`DATABASE_URL`: instances on several hosts).
 * Each service's store is built from it (`create<Service>Store`).
 */
export type ServiceDatabase =
  | { engine: 'sqlite'; sqlite: SqliteConnection; description: string; close(): Promise<void> }
  | { engine: 'postgres'; pool: Pool; description: string; close(): Promise<void> };

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

export type { Engine };

export interface OpenServiceDatabaseOptions {
  service: string;
  /** `postgres://…`: PostgreSQL. Without it, SQLite at `path`. */
  url?: string;
  /** The SQLite file (used when there is no `url`). */
  path: string;
  /** PostgreSQL schema. @default the service name */
  schema?: string;
  /** SQLite busy timeout, PostgreSQL lock timeout, ms. @default 5000 */
  busyTimeoutMs?: number;
  /** PostgreSQL connections per instance. @default 10 */
  poolSize?: number;
}

/** Opens the service's database on the engine its configuration names and applies pending migrations. */
export async function openServiceDatabase(options: OpenServiceDatabaseOptions): Promise<ServiceDatabase> {
  if (options.url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(options.url)) throw new TypeError('DATABASE_URL must start with postgres:// (or postgresql://)');
    const pool = await openPostgres({
      service: options.service,
      url: options.url,
      schema: options.schema,
      poolSize: options.poolSize,
      lockTimeoutMs: options.busyTimeoutMs,
    });
    const description = `PostgreSQL ${redact(options.url)} schema ${options.schema ?? options.service}`;
    return { engine: 'postgres', pool, description, close: () => pool.end() };
  }
  const sqlite = openDatabase({ service: options.service, path: options.path, busyTimeoutMs: options.busyTimeoutMs });
  return {
    engine: 'sqlite',
    sqlite,
    description: `SQLite ${options.path}`,
    close: async () => {
      sqlite.close();
    },
  };
}
