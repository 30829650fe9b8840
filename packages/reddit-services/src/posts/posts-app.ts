import { remainingTime } from 'discovery-client';
import type { Express } from 'express';
import { createServiceApp } from '../shared/service-app.js';
import { ApiRouter } from '../shared/api-router.js';
import { NotFoundError } from '../shared/http-errors.js';
import type { Logger } from '../shared/logger.js';
import type { ServiceDatabase } from '../shared/database.js';
import type { UserDirectory, VotesRemoval } from '../shared/service-directory.js';
import { createPostsStore } from './create-posts-store.js';
import type { NewPost, PostSummary } from './posts-store.js';
import type { PostScore, ScoreSource } from './score-source.js';

/** How many recent posts "hot" ranks by score before it keeps the best n. */
export const HOT_CANDIDATES = 100;

export interface PostsAppOptions {
  database: ServiceDatabase;
  instanceId: string;
  logger: Logger;
  /** This instance's version (`VERSION`), in every 2xx JSON answer of a GET. @default '1.0' */
  version?: string;
  /** Scores for `GET /posts/hot`; without it, hot answers the unsorted list. */
  scores?: ScoreSource;
  /** Turns a failure of `scores` into the `reason` of an unsorted answer. */
  describeScoreError?: (error: unknown) => string;
  /** Whether the author is an active user: the users service. Without it, any well-formed name may post. */
  users?: UserDirectory;
  /** Told first when a post is deleted, so its votes and counts go too: the votes service. */
  votes?: VotesRemoval;
}

/** The posts service: create, get, delete, recent lists and "hot". */
export function createPostsApp(options: PostsAppOptions): Express {
  const store = createPostsStore(options.database);
  const api = new ApiRouter();

  api.route('post', '/posts', async ({ body }, req, res) => {
    await options.users?.requireActive((body as NewPost).username, remainingTime(req));
    const post = await store.create(body as NewPost);
    res.status(201).location(`/posts/${post.id}`).json(post);
  });

  api.route('get', '/posts', async ({ query }, _req, res) => {
    res.json({ posts: await store.recent(query.n as number, query.community as string | undefined) });
  });

  api.route('get', '/posts/hot', async ({ query }, req, res) => {
    const n = query.n as number;
    const community = query.community as string | undefined;
    const candidates = await store.recent(Math.max(HOT_CANDIDATES, n), community);
    const base = community === undefined ? {} : { community };
    if (candidates.length === 0) {
      res.json({ ...base, sorted: true, posts: [] });
      return;
    }
    let ranking: PostScore[];
    try {
      if (!options.scores) throw new Error('no votes service configured');
      ranking = await options.scores.rank(candidates.map((post) => post.id), remainingTime(req));
    } catch (error) {
      const reason = options.describeScoreError?.(error) ?? (error instanceof Error ? error.message : String(error));
      res.json({ ...base, sorted: false, reason: `votes unavailable: ${reason}`, posts: candidates.slice(0, n) });
      return;
    }
    const byId = new Map<number, PostSummary>(candidates.map((post) => [post.id, post]));
    const hot: Array<PostSummary & { score: number }> = [];
    for (const entry of ranking) {
      const post = byId.get(entry.postId);
      if (post === undefined) continue;
      hot.push({ ...post, score: entry.score });
      byId.delete(entry.postId);
      if (hot.length === n) break;
    }
    // Posts the ranking left out (it should not) keep recency order after the ranked ones, score 0.
    for (const post of byId.values()) {
      if (hot.length === n) break;
      hot.push({ ...post, score: 0 });
    }
    res.json({ ...base, sorted: true, posts: hot });
  });

  api.route('get', '/posts/{id}', async ({ params }, _req, res) => {
    const id = params.id as number;
    const post = await store.get(id);
    if (!post) throw new NotFoundError(`post ${id} not found`);
    res.json(post);
  });

  api.route('delete', '/posts/{id}', async ({ params }, req, res) => {
    const id = params.id as number;
    if (!(await store.get(id))) throw new NotFoundError(`post ${id} not found`);
    // Votes first: if it cannot be told, the post stays and the client retries (DELETE is idempotent).
    await options.votes?.forget(id, remainingTime(req));
    if (!(await store.delete(id))) throw new NotFoundError(`post ${id} not found`);
    res.json({ id, deleted: true });
  });

  return createServiceApp({ service: 'posts', instanceId: options.instanceId, version: options.version, router: api.router, logger: options.logger });
}
