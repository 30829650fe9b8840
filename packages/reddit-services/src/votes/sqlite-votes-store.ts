import type { Database, Statement, Transaction } from 'better-sqlite3';
import { byScore, communityConflict, deletedPostError, emptyTally, toTally, toVote } from './votes-store.js';
import type { CastResult, Direction, PostTally, TallyRow, Vote, VoteRow, VotesStore } from './votes-store.js';

/** Votes and per-post counts in SQLite (kept by triggers; `username` is `COLLATE NOCASE`), through prepared statements only. */
export class SqliteVotesStore implements VotesStore {
  private readonly ensurePost: Statement;
  private readonly tallyStatement: Statement;
  private readonly voteStatement: Statement;
  private readonly upsertVote: Statement;
  private readonly deleteVote: Statement;
  private readonly topStatement: Statement;
  private readonly topInCommunityStatement: Statement;
  private readonly castTransaction: Transaction<(postId: number, username: string, community: string, direction: Direction) => CastResult>;
  private readonly retractTransaction: Transaction<(postId: number, username: string) => PostTally | undefined>;
  private readonly forgetTransaction: Transaction<(postId: number) => void>;
  private readonly deletedStatement: Statement;

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

    this.deletedStatement = db.prepare('SELECT 1 FROM deleted_posts WHERE post_id = ?');
    const forgetScores = db.prepare('DELETE FROM post_scores WHERE post_id = ?');
    const rememberDeleted = db.prepare('INSERT INTO deleted_posts (post_id, deleted_at) VALUES (?, ?) ON CONFLICT (post_id) DO NOTHING');
    this.forgetTransaction = db.transaction((postId: number) => {
      forgetScores.run(postId);
      rememberDeleted.run(postId, new Date().toISOString());
    });

    this.castTransaction = db.transaction((postId: number, username: string, community: string, direction: Direction) => {
      if (this.deletedStatement.get(postId) !== undefined) throw deletedPostError(postId);
      this.ensurePost.run(postId, community);
      const before = this.tallyStatement.get(postId) as TallyRow;
      if (before.community !== community) {
        throw communityConflict(postId, before.community);
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

  /** IMMEDIATE, so concurrent instances serialize on the write lock. */
  async cast(postId: number, username: string, community: string, direction: Direction): Promise<CastResult> {
    return this.castTransaction.immediate(postId, username, community, direction);
  }

  async retract(postId: number, username: string): Promise<PostTally | undefined> {
    return this.retractTransaction.immediate(postId, username);
  }

  async vote(postId: number, username: string): Promise<Vote | undefined> {
    const row = this.voteStatement.get(postId, username) as VoteRow | undefined;
    return row && toVote(row);
  }

  async tally(postId: number): Promise<PostTally> {
    return this.readTally(postId);
  }

  private readTally(postId: number): PostTally {
    const row = this.tallyStatement.get(postId) as TallyRow | undefined;
    return row ? toTally(row) : emptyTally(postId);
  }

  async top(limit: number, community?: string): Promise<PostTally[]> {
    const rows = (community === undefined ? this.topStatement.all(limit) : this.topInCommunityStatement.all(community, limit)) as TallyRow[];
    return rows.map(toTally);
  }

  async sort(postIds: readonly number[]): Promise<PostTally[]> {
    const read = this.db.transaction(() => postIds.map((id) => this.readTally(id)));
    return read.deferred().sort(byScore);
  }

  async community(postId: number): Promise<string | undefined> {
    return (this.tallyStatement.get(postId) as TallyRow | undefined)?.community;
  }

  async forget(postId: number): Promise<void> {
    this.forgetTransaction.immediate(postId);
  }
}
