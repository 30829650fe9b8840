import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';

/** `migrations/` at the package root, next to `src/` and `dist/`. */
export const MIGRATIONS_ROOT = fileURLToPath(new URL('../../migrations/', import.meta.url));

const FILE_PATTERN = /^(\d{3})-([a-z0-9-]+)\.sql$/;

/** One SQL file `NNN-name.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The database engines a service runs on; each has its own SQL under `migrations/<engine>/`. */
export type Engine = 'sqlite' | 'postgres';

/** The migrations of one service on one engine (`migrations/<engine>/<service>/`), in version order. */
export function loadMigrations(service: string, engine: Engine = 'sqlite', root = MIGRATIONS_ROOT): Migration[] {
  const dir = join(root, engine, service);
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2] ?? file, sql: readFileSync(join(dir, file), 'utf8') });
  }
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migrations/${engine}/${service}: expected version ${index + 1}, found ${migration.version}-${migration.name}`);
    }
  });
  return migrations;
}

/**
 * Applies the SQLite migrations the database has not seen, all in one IMMEDIATE transaction: the write
 * lock is taken before the version is read, so when several instances start at once on the same
 * file, one applies and the others wait (busy timeout) and then find nothing left to do.
 * Returns the versions this call applied.
 */
export function migrate(db: Database, migrations: readonly Migration[]): number[] {
  const apply = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').get() as { version: number };
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= row.version) continue;
      db.exec(migration.sql);
      insert.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    }
    return applied;
  });
  return apply.immediate();
}
