import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { migratePostgres } from '../../src/shared/postgres.js';
import { createStorage, testEngines } from '../../scripts/lib/storage.js';
import type { Storage } from '../../scripts/lib/storage.js';
import { loadMigrations, migrate } from '../../src/shared/migrate.js';
import { openDatabase } from '../../src/shared/db.js';
import { tempDir } from '../helpers/apps.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('migrations on SQLite', () => {
  const temps: Array<{ remove(): void }> = [];
  afterEach(() => temps.splice(0).forEach((temp) => temp.remove()));

  it('opens with WAL, foreign keys, a busy timeout and every migration recorded once', () => {
    const temp = tempDir();
    temps.push(temp);
    const db = openDatabase({ service: 'votes', path: join(temp.dir, 'nested', 'votes.db') });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      const versions = db.prepare('SELECT version FROM schema_migrations').all();
      expect(versions).toEqual(loadMigrations('votes').map((migration) => ({ version: migration.version })));
      expect(migrate(db, loadMigrations('votes'))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('enforces the foreign key from votes to post_scores', () => {
    const temp = tempDir();
    temps.push(temp);
    const db = openDatabase({ service: 'votes', path: join(temp.dir, 'votes.db') });
    try {
      expect(() => db.prepare("INSERT INTO votes VALUES (1, 'alice', 1, 'now')").run()).toThrow(/FOREIGN KEY/);
    } finally {
      db.close();
    }
  });

  it('upgrading a votes file: votes that differ only in the case of the name become one (the latest), counts recomputed', () => {
    const temp = tempDir();
    temps.push(temp);
    const path = join(temp.dir, 'votes.db');
    const old = new Sqlite(path);
    try {
      migrate(old, loadMigrations('votes').slice(0, 1));
      old.exec(`INSERT INTO post_scores (post_id, community) VALUES (1, 'general');
        INSERT INTO votes VALUES (1, 'Alice_x', 1, '2026-01-01T00:00:00.000Z'), (1, 'alice_x', -1, '2026-01-02T00:00:00.000Z'), (1, 'bob', 1, '2026-01-01T00:00:00.000Z');`);
      expect(old.prepare('SELECT up, down FROM post_scores').get()).toEqual({ up: 2, down: 1 });
    } finally {
      old.close();
    }
    const db = openDatabase({ service: 'votes', path });
    try {
      expect(db.prepare('SELECT username, direction FROM votes ORDER BY username').all()).toEqual([
        { username: 'alice_x', direction: -1 },
        { username: 'bob', direction: 1 },
      ]);
      expect(db.prepare('SELECT up, down FROM post_scores').get()).toEqual({ up: 1, down: 1 });
      // The identity rule holds from now on, and the triggers still keep the counts.
      db.prepare("INSERT INTO votes VALUES (1, 'CAROL', 1, 'now')").run();
      expect(() => db.prepare("INSERT INTO votes VALUES (1, 'carol', 1, 'now')").run()).toThrow(/UNIQUE/);
      expect(db.prepare('SELECT up, down FROM post_scores').get()).toEqual({ up: 2, down: 1 });
    } finally {
      db.close();
    }
  });

  it('rolls back a failing migration entirely', () => {
    const temp = tempDir();
    temps.push(temp);
    const db = new Sqlite(join(temp.dir, 'x.db'));
    try {
      expect(() =>
        migrate(db, [
          { version: 1, name: 'good', sql: 'CREATE TABLE a (x INTEGER)' },
          { version: 2, name: 'bad', sql: 'CREATE TABLE b (x INTEGER); SELECT * FROM nowhere' },
        ]),
      ).toThrow(/no such table/);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b', 'schema_migrations')").all()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('is safe when several processes start at once on the same file', async () => {
    const temp = tempDir();
    temps.push(temp);
    const path = join(temp.dir, 'posts.db');
    // Each child opens the database the way an instance does, at the same moment.
    const script = `
      import { openDatabase } from './dist/shared/db.js';
      const db = openDatabase({ service: 'posts', path: ${JSON.stringify(path)} });
      db.prepare("INSERT INTO posts (title, community, username, created_at) VALUES ('t', 'general', 'alice', 'now')").run();
      db.close();
    `;
    const runs = Array.from({ length: 6 }, () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('exit', resolve);
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0, 0, 0]);
    const db = new Sqlite(path, { readonly: true });
    try {
      expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM posts').get()).toEqual({ n: 6 });
    } finally {
      db.close();
    }
  });
});

(testEngines().includes('postgres') ? describe : describe.skip)('migrations on PostgreSQL', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await createStorage('postgres');
  });
  afterAll(async () => {
    await storage.remove();
  });

  it('rolls back a failing migration entirely, schema included', async () => {
    const pool = new pg.Pool({ connectionString: storage.databaseUrl, max: 1 });
    try {
      await expect(
        migratePostgres(pool, 'rollback_check', [
          { version: 1, name: 'good', sql: 'CREATE TABLE rollback_check.a (x integer)' },
          { version: 2, name: 'bad', sql: 'CREATE TABLE rollback_check.b (x integer); SELECT * FROM nowhere' },
        ]),
      ).rejects.toThrow(/nowhere/);
      const { rows } = await pool.query("SELECT nspname FROM pg_namespace WHERE nspname = 'rollback_check'");
      expect(rows).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('is safe when several processes start at once on the same schema: each migration applied once', async () => {
    const script = `
      import { openServiceDatabase } from './dist/shared/database.js';
      const database = await openServiceDatabase({ service: 'votes', url: ${JSON.stringify(storage.databaseUrl)}, path: 'unused' });
      await database.pool.query("INSERT INTO post_scores (post_id, community) VALUES ($1, 'general')", [process.pid]);
      await database.close();
    `;
    const runs = Array.from({ length: 6 }, () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('exit', resolve);
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0, 0, 0]);
    const client = new pg.Client({ connectionString: storage.databaseUrl });
    await client.connect();
    try {
      const versions = (await client.query('SELECT version FROM votes.schema_migrations ORDER BY version')).rows;
      expect(versions).toEqual(loadMigrations('votes', 'postgres').map((migration) => ({ version: migration.version })));
      expect((await client.query('SELECT COUNT(*)::int AS n FROM votes.post_scores')).rows).toEqual([{ n: 6 }]);
    } finally {
      await client.end();
    }
  });
});
