import type { Database, Statement, Transaction } from 'better-sqlite3';
import { ConflictError } from '../shared/http-errors.js';

export type Direction = 'up' | 'down';

/** The counts of one post. */
export interface PostTally {
  postId: number;
  community: string | null;
  up: number;
  down: number;
  score: number;
}

/** One user's vote on one post. */
export interface Vote {
  postId: number;
  username: string;
  direction: Direction;
  votedAt: string;
}

/** What casting a vote did. */
export interface CastResult {
  vote: Vote;
  /** True when this user had not voted on this post before. */
  created: boolean;
  tally: PostTally;
}

interface TallyRow {
  post_id: number;
  community: string;
  up: number;
  down: number;
  score: number;
}

interface VoteRow {
  post_id: number;
  username: string;
  direction: number;
  voted_at: string;
}

function toTally(row: TallyRow): PostTally {
  return { postId: row.post_id, community: row.community, up: row.up, down: row.down, score: row.score };
}

function toVote(row: VoteRow): Vote {
  return { postId: row.post_id, username: row.username, direction: row.direction === 1 ? 'up' : 'down', votedAt: row.voted_at };
}

/** Votes and per-post counts (kept by triggers), through prepared statements only. */
export class VotesStore {
  private readonly ensurePost: Statement;
  private readonly tallyStatement: Statement;
  private readonly voteStatement: Statement;
  private readonly upsertVote: Statement;
  private readonly deleteVote: Statement;
  private readonly topStatement: Statement;
  private readonly topInCommunityStatement: Statement;
  private readonly castTransaction: Transaction<(postId: number, username: string, community: string, direction: Direction) => CastResult>;
  private readonly retractTransaction: Transaction<(postId: number, username: string) => PostTally | undefined>;

  constructor(private readonly db: Database) {
    this.ensurePost = db.prepare('INSERT INTO post_scores (post_id, community) VALUES (?, ?) ON CONFLICT (post_id) DO NOTHING');
    this.tallyStatement = db.prepare('SELECT post_id, community, up, down, score FROM post_scores WHERE post_id = ?');
    this.voteStatement = db.prepare('SELECT post_id, username, direction, voted_at FROM votes WHERE post_id = ? AND username = ?');
    this.upsertVote = db.prepare(
      `INSERT INTO votes (post_id, username, direction, voted_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (post_id, username) DO UPDATE SET direction = excluded.direction, voted_at = excluded.voted_at
       WHERE votes.direction <> excluded.direction`,
    );
    this.deleteVote = db.prepare('DELETE FROM votes WHERE post_id = ? AND username = ?');
    this.topStatement = db.prepare('SELECT post_id, community, up, down, score FROM post_scores ORDER BY score DESC, post_id DESC LIMIT ?');
    this.topInCommunityStatement = db.prepare(
      'SELECT post_id, community, up, down, score FROM post_scores WHERE community = ? ORDER BY score DESC, post_id DESC LIMIT ?',
    );

    this.castTransaction = db.transaction((postId: number, username: string, community: string, direction: Direction) => {
      this.ensurePost.run(postId, community);
      const before = this.tallyStatement.get(postId) as TallyRow;
      if (before.community !== community) {
        throw new ConflictError(`post ${postId} belongs to community "${before.community}"`, { postId, community: before.community });
      }
      const existing = this.voteStatement.get(postId, username) as VoteRow | undefined;
      this.upsertVote.run(postId, username, direction === 'up' ? 1 : -1, new Date().toISOString());
      const vote = toVote(this.voteStatement.get(postId, username) as VoteRow);
      return { vote, created: existing === undefined, tally: toTally(this.tallyStatement.get(postId) as TallyRow) };
    });

    this.retractTransaction = db.transaction((postId: number, username: string) => {
      if (this.deleteVote.run(postId, username).changes === 0) return undefined;
      return toTally(this.tallyStatement.get(postId) as TallyRow);
    });
  }

  /**
   * Records `username`'s vote on a post, replacing an earlier one: casting the same vote twice
   * changes nothing. IMMEDIATE, so concurrent instances serialize on the write lock.
   */
  cast(postId: number, username: string, community: string, direction: Direction): CastResult {
    return this.castTransaction.immediate(postId, username, community, direction);
  }

  /** Removes a vote; `undefined` when there was none. */
  retract(postId: number, username: string): PostTally | undefined {
    return this.retractTransaction.immediate(postId, username);
  }

  vote(postId: number, username: string): Vote | undefined {
    const row = this.voteStatement.get(postId, username) as VoteRow | undefined;
    return row && toVote(row);
  }

  /** Counts of a post; zeros (community null) when nobody voted on it. */
  tally(postId: number): PostTally {
    const row = this.tallyStatement.get(postId) as TallyRow | undefined;
    return row ? toTally(row) : { postId, community: null, up: 0, down: 0, score: 0 };
  }

  /** The best-scoring posts, overall or in one community. */
  top(limit: number, community?: string): PostTally[] {
    const rows = (community === undefined ? this.topStatement.all(limit) : this.topInCommunityStatement.all(community, limit)) as TallyRow[];
    return rows.map(toTally);
  }

  /** The given posts sorted by score (best first, newer first on ties); unknown ids score 0. */
  sort(postIds: readonly number[]): PostTally[] {
    const read = this.db.transaction(() => postIds.map((id) => this.tally(id)));
    return read.deferred().sort((a, b) => b.score - a.score || b.postId - a.postId);
  }
}
