import { ConflictError, NotFoundError } from '../shared/http-errors.js';

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

/** A row of `post_scores` on either engine. */
export interface TallyRow {
  post_id: number;
  community: string;
  up: number;
  down: number;
  score: number;
}

/** A row of `votes` on either engine. */
export interface VoteRow {
  post_id: number;
  username: string;
  direction: number;
  voted_at: string | Date;
}

export function toTally(row: TallyRow): PostTally {
  return { postId: row.post_id, community: row.community, up: row.up, down: row.down, score: row.score };
}

export function toVote(row: VoteRow): Vote {
  return { postId: row.post_id, username: row.username, direction: row.direction === 1 ? 'up' : 'down', votedAt: new Date(row.voted_at).toISOString() };
}

/** The counts of a post nobody voted on. */
export function emptyTally(postId: number): PostTally {
  return { postId, community: null, up: 0, down: 0, score: 0 };
}

/** Best first, newer first on ties. */
export function byScore(a: PostTally, b: PostTally): number {
  return b.score - a.score || b.postId - a.postId;
}

export function communityConflict(postId: number, community: string): ConflictError {
  return new ConflictError(`post ${postId} belongs to community "${community}"`, { postId, community });
}

export function deletedPostError(postId: number): NotFoundError {
  return new NotFoundError(`post ${postId} was deleted`, { postId });
}

/**
 * Votes and per-post counts, the same on both engines: one vote per user per post, the user named
 * regardless of case; counts kept in the same transaction as the vote rows.
 */
export interface VotesStore {
  /**
   * Records a vote, replacing an earlier one of the same user; the same vote twice changes nothing.
   * @throws ConflictError (the post is known under another community), NotFoundError (the post was deleted)
   */
  cast(postId: number, username: string, community: string, direction: Direction): Promise<CastResult>;
  /** Removes a vote; `undefined` when there was none. */
  retract(postId: number, username: string): Promise<PostTally | undefined>;
  vote(postId: number, username: string): Promise<Vote | undefined>;
  /** Counts of a post; zeros (community null) when nobody voted on it. */
  tally(postId: number): Promise<PostTally>;
  /** The best-scoring posts, overall or in one community. */
  top(limit: number, community?: string): Promise<PostTally[]>;
  /** The given posts sorted by score (best first, newer first on ties); unknown ids score 0. */
  sort(postIds: readonly number[]): Promise<PostTally[]>;
  /** The community recorded for a post, `undefined` when nobody voted on it yet. */
  community(postId: number): Promise<string | undefined>;
  /** A post was deleted: its votes and counts go, and later votes on it are refused. Idempotent. */
  forget(postId: number): Promise<void>;
}
