import type { Pool } from 'pg';
import { inTransaction } from '../shared/postgres.js';
import { byScore, communityConflict, deletedPostError, emptyTally, toTally, toVote } from './votes-store.js';
import type { CastResult, Direction, PostTally, TallyRow, Vote, VoteRow, VotesStore } from './votes-store.js';

const TALLY_COLUMNS = 'post_id, community, up, down, score';
const VOTE_COLUMNS = 'post_id, username, direction, voted_at';

/**
 * Votes and per-post counts in PostgreSQL (kept by a trigger; one vote per `(post_id, lower(username))`).
 * Concurrent casts on one post serialize on its `post_scores` row, which the trigger updates.
 */
export class PostgresVotesStore implements VotesStore {
  constructor(private readonly pool: Pool) {}

  async cast(postId: number, username: string, community: string, direction: Direction): Promise<CastResult> {
    return inTransaction(this.pool, async (client) => {
      // Casts on a post share a lock that forget() takes exclusively: a vote never lands after the post's tombstone.
      await client.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [`post:${postId}`]);
      if ((await client.query('SELECT 1 FROM deleted_posts WHERE post_id = $1', [postId])).rowCount) throw deletedPostError(postId);
      await client.query('INSERT INTO post_scores (post_id, community) VALUES ($1, $2) ON CONFLICT (post_id) DO NOTHING', [postId, community]);
      const before = (await client.query<{ community: string }>('SELECT community FROM post_scores WHERE post_id = $1', [postId])).rows[0];
      if (before && before.community !== community) throw communityConflict(postId, before.community);
      // `xmax = 0` only on a row this statement inserted; no row back: the same vote was there already.
      const upsert = await client.query<{ inserted: boolean }>(
        `INSERT INTO votes (post_id, username, direction, voted_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (post_id, lower(username)) DO UPDATE SET direction = excluded.direction, voted_at = excluded.voted_at
         WHERE votes.direction <> excluded.direction
         RETURNING (xmax = 0) AS inserted`,
        [postId, username, direction === 'up' ? 1 : -1, new Date().toISOString()],
      );
      const vote = (await client.query<VoteRow>(`SELECT ${VOTE_COLUMNS} FROM votes WHERE post_id = $1 AND lower(username) = lower($2)`, [postId, username])).rows[0];
      const tally = (await client.query<TallyRow>(`SELECT ${TALLY_COLUMNS} FROM post_scores WHERE post_id = $1`, [postId])).rows[0];
      return { vote: toVote(vote as VoteRow), created: upsert.rows[0]?.inserted === true, tally: toTally(tally as TallyRow) };
    });
  }

  async retract(postId: number, username: string): Promise<PostTally | undefined> {
    return inTransaction(this.pool, async (client) => {
      const deleted = await client.query('DELETE FROM votes WHERE post_id = $1 AND lower(username) = lower($2)', [postId, username]);
      if ((deleted.rowCount ?? 0) === 0) return undefined;
      const tally = (await client.query<TallyRow>(`SELECT ${TALLY_COLUMNS} FROM post_scores WHERE post_id = $1`, [postId])).rows[0];
      return toTally(tally as TallyRow);
    });
  }

  async vote(postId: number, username: string): Promise<Vote | undefined> {
    const { rows } = await this.pool.query<VoteRow>(`SELECT ${VOTE_COLUMNS} FROM votes WHERE post_id = $1 AND lower(username) = lower($2)`, [postId, username]);
    return rows[0] && toVote(rows[0]);
  }

  async tally(postId: number): Promise<PostTally> {
    const { rows } = await this.pool.query<TallyRow>(`SELECT ${TALLY_COLUMNS} FROM post_scores WHERE post_id = $1`, [postId]);
    return rows[0] ? toTally(rows[0]) : emptyTally(postId);
  }

  async top(limit: number, community?: string): Promise<PostTally[]> {
    const { rows } =
      community === undefined
        ? await this.pool.query<TallyRow>(`SELECT ${TALLY_COLUMNS} FROM post_scores ORDER BY score DESC, post_id DESC LIMIT $1`, [limit])
        : await this.pool.query<TallyRow>(`SELECT ${TALLY_COLUMNS} FROM post_scores WHERE community = $1 ORDER BY score DESC, post_id DESC LIMIT $2`, [
            community,
            limit,
          ]);
    return rows.map(toTally);
  }

  async sort(postIds: readonly number[]): Promise<PostTally[]> {
    const { rows } = await this.pool.query<TallyRow>(`SELECT ${TALLY_COLUMNS} FROM post_scores WHERE post_id = ANY($1::bigint[])`, [postIds]);
    const known = new Map(rows.map((row) => [row.post_id, toTally(row)]));
    return postIds.map((id) => known.get(id) ?? emptyTally(id)).sort(byScore);
  }

  async community(postId: number): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ community: string }>('SELECT community FROM post_scores WHERE post_id = $1', [postId]);
    return rows[0]?.community;
  }

  async forget(postId: number): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`post:${postId}`]);
      await client.query('DELETE FROM post_scores WHERE post_id = $1', [postId]);
      await client.query('INSERT INTO deleted_posts (post_id, deleted_at) VALUES ($1, $2) ON CONFLICT (post_id) DO NOTHING', [postId, new Date().toISOString()]);
    });
  }
}
