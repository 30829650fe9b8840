import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { loadMigrations, migrate } from './migrate.js';

/** How long a statement waits for another connection's write lock before failing. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenDatabaseOptions {
  /** The service whose migrations to apply (`migrations/<service>/`). */
  service: string;
  /** Path of the SQLite file; created with its directory when missing. */
  path: string;
  /**
   * Milliseconds a statement waits on a lock held by another instance.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

/**
 * Opens a service's database for one instance: WAL (readers never block the writer, several
 * processes share the file), `synchronous = NORMAL` (a committed transaction survives a killed
 * process), foreign keys enforced, a busy timeout, then the pending migrations.
 */
export function openDatabase(options: OpenDatabaseOptions): Database {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Sqlite(options.path);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations(options.service));
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
