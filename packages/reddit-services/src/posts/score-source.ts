/** The score of one post, as the votes service reports it. */
export interface PostScore {
  postId: number;
  up: number;
  down: number;
  score: number;
}

/**
 * Where posts gets scores for "hot": the votes service, reached through the discovery client
 * in production (`votes-score-source.ts`). `rank` returns the ids sorted by score, best first.
 */
export interface ScoreSource {
  rank(postIds: readonly number[]): Promise<PostScore[]>;
}
