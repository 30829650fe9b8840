/** Reads the services' stored data directly (SQLite files or PostgreSQL schemas) to check that nothing acknowledged was lost. */
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { Storage } from './storage.js';

export interface VoteCheck {
  acknowledged: number;
  /** Acknowledged votes with no row. */
  missing: string[];
  /** Acknowledged votes whose row has another direction. */
  wrongDirection: string[];
  /** Posts whose counts do not match their vote rows. */
  tallyMismatches: number[];
  /** SQLite: `PRAGMA integrity_check`; PostgreSQL: amcheck's `bt_index_check` on every index of the schema. `ok` when intact. */
  integrity: string;
}

/** A minimal read-only view of one service's tables: the same questions asked of either engine. */
interface Reader {
  /** Runs a query with `?` placeholders. */
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  integrity(): Promise<string>;
  close(): Promise<void>;
}

async function openReader(storage: Storage, service: 'votes' | 'posts' | 'messages'): Promise<Reader> {
  if (storage.engine === 'sqlite') {
    const db = new Sqlite(join(storage.dataDir, `${service}.db`), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return {
      all: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[],
      integrity: async () => db.pragma('integrity_check', { simple: true }) as string,
      close: async () => {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: storage.databaseUrl, options: `-c search_path=${service}` });
  await client.connect();
  return {
    all: async <T>(sql: string, params: unknown[] = []) => {
      let index = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${(index += 1)}`), params)).rows as T[];
    },
    integrity: async () => {
      try {
        await client.query('CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA public');
        await client.query(
          `SELECT public.bt_index_check(c.oid, true) FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_am a ON a.oid = c.relam WHERE n.nspname = $1 AND a.amname = 'btree'`,
          [service],
        );
        return 'ok';
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
    close: () => client.end(),
  };
}

/** Every acknowledged vote is stored with its direction, counts match the rows, the data is intact. */
export async function verifyVotes(storage: Storage, acknowledged: ReadonlyMap<string, 'up' | 'down'>): Promise<VoteCheck> {
  const reader = await openReader(storage, 'votes');
  try {
    const rows = await reader.all<{ post_id: number; username: string; direction: number }>('SELECT post_id, username, direction FROM votes');
    const stored = new Map(rows.map((row) => [`${row.post_id}/${row.username.toLowerCase()}`, Number(row.direction)]));
    const missing: string[] = [];
    const wrongDirection: string[] = [];
    for (const [key, direction] of acknowledged) {
      const [postId, username] = key.split('/');
      const row = stored.get(`${postId}/${(username ?? '').toLowerCase()}`);
      if (row === undefined) missing.push(key);
      else if (row !== (direction === 'up' ? 1 : -1)) wrongDirection.push(key);
    }
    const mismatches = await reader.all<{ postId: number }>(
      `SELECT s.post_id AS "postId" FROM post_scores s
       LEFT JOIN (SELECT post_id, SUM(CASE WHEN direction = 1 THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN direction = -1 THEN 1 ELSE 0 END) AS down
                  FROM votes GROUP BY post_id) v ON v.post_id = s.post_id
       WHERE s.up <> COALESCE(v.up, 0) OR s.down <> COALESCE(v.down, 0)`,
    );
    return { acknowledged: acknowledged.size, missing, wrongDirection, tallyMismatches: mismatches.map((row) => Number(row.postId)), integrity: await reader.integrity() };
  } finally {
    await reader.close();
  }
}

/** Ids from `ids` that have no row in the service's table. */
export async function missingIds(storage: Storage, table: 'posts' | 'messages', ids: readonly number[]): Promise<number[]> {
  const reader = await openReader(storage, table);
  try {
    const rows = await reader.all<{ id: number }>(`SELECT id FROM ${table === 'posts' ? 'posts' : 'messages'}`);
    const stored = new Set(rows.map((row) => Number(row.id)));
    return ids.filter((id) => !stored.has(id));
  } finally {
    await reader.close();
  }
}
