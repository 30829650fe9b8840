/** Reads the services' SQLite files directly to check that nothing acknowledged was lost. */
import Sqlite from 'better-sqlite3';

export interface VoteCheck {
  acknowledged: number;
  /** Acknowledged votes with no row. */
  missing: string[];
  /** Acknowledged votes whose row has another direction. */
  wrongDirection: string[];
  /** Posts whose counts do not match their vote rows. */
  tallyMismatches: number[];
  integrity: string;
}

/** Every acknowledged vote is stored with its direction, counts match the rows, the file is intact. */
export function verifyVotes(dbPath: string, acknowledged: ReadonlyMap<string, 'up' | 'down'>): VoteCheck {
  const db = new Sqlite(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const read = db.prepare('SELECT direction FROM votes WHERE post_id = ? AND username = ?');
    const missing: string[] = [];
    const wrongDirection: string[] = [];
    for (const [key, direction] of acknowledged) {
      const [postId, username] = key.split('/');
      const row = read.get(Number(postId), username) as { direction: number } | undefined;
      if (!row) missing.push(key);
      else if (row.direction !== (direction === 'up' ? 1 : -1)) wrongDirection.push(key);
    }
    const mismatches = db
      .prepare(
        `SELECT s.post_id AS postId FROM post_scores s
         LEFT JOIN (SELECT post_id, SUM(direction = 1) AS up, SUM(direction = -1) AS down FROM votes GROUP BY post_id) v ON v.post_id = s.post_id
         WHERE s.up <> COALESCE(v.up, 0) OR s.down <> COALESCE(v.down, 0)`,
      )
      .all() as Array<{ postId: number }>;
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    return { acknowledged: acknowledged.size, missing, wrongDirection, tallyMismatches: mismatches.map((row) => row.postId), integrity };
  } finally {
    db.close();
  }
}

/** Ids from `ids` that have no row in `table` of the file. */
export function missingIds(dbPath: string, table: 'posts' | 'messages', ids: readonly number[]): number[] {
  const db = new Sqlite(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const read = db.prepare(`SELECT 1 FROM ${table === 'posts' ? 'posts' : 'messages'} WHERE id = ?`);
    return ids.filter((id) => read.get(id) === undefined);
  } finally {
    db.close();
  }
}
