import type { PostScore, ScoreSource } from './score-source.js';

/** The part of a discovery-client `ServiceClient` this needs. */
export interface VotesServiceClient {
  get(path: string, options?: { deadline?: number | undefined }): { json<T>(): Promise<T> };
}

/** Scores from the votes service through the discovery client: `GET /votes/sort?ids=...`. */
export class VotesScoreSource implements ScoreSource {
  constructor(private readonly votes: VotesServiceClient) {}

  async rank(postIds: readonly number[], deadline?: number): Promise<PostScore[]> {
    const body = await this.votes.get(`/votes/sort?ids=${postIds.join(',')}`, { deadline }).json<{ posts: PostScore[] }>();
    return body.posts;
  }
}

/**
 * Why votes could not rank, for the `reason` of an unsorted hot list: by the library's error code,
 * never its message (which names instances' internal addresses).
 */
export function describeVotesError(error: unknown): string {
  switch ((error as { code?: unknown } | null)?.code) {
    case 'ERR_NO_HEALTHY_INSTANCES':
      return 'all votes instances are down';
    case 'ERR_CIRCUIT_OPEN':
    case 'ERR_UPSTREAM_CONNECTION':
    case 'ERR_REGISTRY_UNAVAILABLE':
    case 'ERR_REGISTRY_ACCESS_DENIED':
    case 'ERR_CLIENT_CLOSED':
      return 'votes is unreachable';
    case 'ERR_REQUEST_TIMEOUT':
      return 'votes did not answer in time';
    case 'ERR_UPSTREAM_HTTP':
      return 'votes answered with an error';
    default:
      return 'votes failed';
  }
}
