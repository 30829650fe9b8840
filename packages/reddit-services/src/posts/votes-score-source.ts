import type { PostScore, ScoreSource } from './score-source.js';

/** The part of a discovery-client `ServiceClient` this needs. */
export interface VotesServiceClient {
  get(path: string): { json<T>(): Promise<T> };
}

/** Scores from the votes service through the discovery client: `GET /votes/sort?ids=...`. */
export class VotesScoreSource implements ScoreSource {
  constructor(private readonly votes: VotesServiceClient) {}

  async rank(postIds: readonly number[]): Promise<PostScore[]> {
    const body = await this.votes.get(`/votes/sort?ids=${postIds.join(',')}`).json<{ posts: PostScore[] }>();
    return body.posts;
  }
}

/** The library's error messages are written for people ("all votes instances are down"). */
export function describeVotesError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
