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
  /** `deadline`: what the request being served has left, ms (deadline propagation); undefined: the source's own. */
  rank(postIds: readonly number[], deadline?: number): Promise<PostScore[]>;
}
