import { ConflictError, NotFoundError, ServiceUnavailableError } from './http-errors.js';

/** The part of a discovery-client `ServiceClient` the directories use. */
export interface DirectoryClient {
  request(options: { method: 'GET' | 'DELETE'; path: string; deadline?: number | undefined; throwHttpErrors: false }): Promise<{ statusCode: number; body: string }>;
}

/** What the users service says about a username. */
export type UserState = 'active' | 'deactivated' | 'missing';

/** How long a user found active is taken as active without asking again, ms. */
export const DEFAULT_ACTIVE_USER_TTL_MS = 2000;
/** Most usernames remembered at once; beyond it the memory starts over. */
const MAX_REMEMBERED_USERS = 10_000;

/**
 * Asks the users service (through the discovery client) whether a user exists and is active: posts,
 * votes and messages accept writes only from active users (openapi.yaml, "users"). A user found active
 * is remembered for `activeTtlMs` (one call per user per 2 s instead of one per write), so a
 * deactivation takes effect within that time; missing and deactivated users are asked about every time
 * (a new sign-up or a reactivation counts at once).
 */
export class UserDirectory {
  private readonly active = new Map<string, number>();

  constructor(
    private readonly users: DirectoryClient,
    private readonly activeTtlMs = DEFAULT_ACTIVE_USER_TTL_MS,
  ) {}

  /** `deadline`: what the request being served has left, ms (`remainingTime(req)`); undefined: the client's own. */
  async state(username: string, deadline?: number): Promise<UserState> {
    const key = username.toLowerCase();
    const until = this.active.get(key);
    if (until !== undefined && until > Date.now()) return 'active';
    const state = await this.ask(username, deadline);
    if (state === 'active' && this.activeTtlMs > 0) {
      if (this.active.size >= MAX_REMEMBERED_USERS) this.active.clear();
      this.active.set(key, Date.now() + this.activeTtlMs);
    } else {
      this.active.delete(key);
    }
    return state;
  }

  private async ask(username: string, deadline: number | undefined): Promise<UserState> {
    let response;
    try {
      response = await this.users.request({ method: 'GET', path: `/users/${encodeURIComponent(username)}`, deadline, throwHttpErrors: false });
    } catch (error) {
      throw new ServiceUnavailableError('users is unavailable, retry later', { service: 'users', code: (error as { code?: unknown }).code });
    }
    if (response.statusCode === 404) return 'missing';
    if (response.statusCode !== 200) throw new ServiceUnavailableError('users is unavailable, retry later', { service: 'users', status: response.statusCode });
    return (JSON.parse(response.body) as { active?: unknown }).active === true ? 'active' : 'deactivated';
  }

  /** @throws NotFoundError (no such user), ConflictError (deactivated), ServiceUnavailableError (users unreachable) */
  async requireActive(username: string, deadline?: number): Promise<void> {
    const state = await this.state(username, deadline);
    if (state === 'missing') throw new NotFoundError(`user ${username} not found`, { username });
    if (state === 'deactivated') throw new ConflictError(`user ${username} is deactivated`, { username });
  }
}

/** The posts service as votes sees it: whether a post exists and in which community. */
export class PostDirectory {
  constructor(private readonly posts: DirectoryClient) {}

  /**
   * The post's community; `undefined` when there is no such post. `deadline`: what the request being served has
   * left, ms. @throws ServiceUnavailableError
   */
  async community(postId: number, deadline?: number): Promise<string | undefined> {
    let response;
    try {
      response = await this.posts.request({ method: 'GET', path: `/posts/${postId}`, deadline, throwHttpErrors: false });
    } catch (error) {
      throw new ServiceUnavailableError('posts is unavailable, retry later', { service: 'posts', code: (error as { code?: unknown }).code });
    }
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200) throw new ServiceUnavailableError('posts is unavailable, retry later', { service: 'posts', status: response.statusCode });
    return (JSON.parse(response.body) as { community: string }).community;
  }
}

/** The votes service as posts sees it when a post is deleted: its votes and counts go too. */
export class VotesRemoval {
  constructor(private readonly votes: DirectoryClient) {}

  /** `DELETE /votes/{postId}` (idempotent). `deadline`: what the request being served has left, ms. @throws ServiceUnavailableError */
  async forget(postId: number, deadline?: number): Promise<void> {
    let response;
    try {
      response = await this.votes.request({ method: 'DELETE', path: `/votes/${postId}`, deadline, throwHttpErrors: false });
    } catch (error) {
      throw new ServiceUnavailableError('votes is unavailable, the post was not deleted; retry later', { service: 'votes', code: (error as { code?: unknown }).code });
    }
    if (response.statusCode !== 200) {
      throw new ServiceUnavailableError('votes is unavailable, the post was not deleted; retry later', { service: 'votes', status: response.statusCode });
    }
  }
}
