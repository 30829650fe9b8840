import { Router } from 'express';
import type { Express } from 'express';
import type { Database } from 'better-sqlite3';
import { createServiceApp } from '../shared/service-app.js';
import { NotFoundError } from '../shared/http-errors.js';
import type { Logger } from '../shared/logger.js';
import { COMMUNITY_PATTERN, DEFAULT_LIST_SIZE, LIST_SIZE, USERNAME_PATTERN, parseId, validateBody, validateQuery } from '../shared/validate.js';
import type { FieldSpecs } from '../shared/validate.js';
import { PostsStore } from './posts-store.js';
import type { NewPost, PostSummary } from './posts-store.js';
import type { PostScore, ScoreSource } from './score-source.js';

/** How many recent posts "hot" ranks by score before it keeps the best n. */
export const HOT_CANDIDATES = 100;

const COMMUNITY_HINT = 'must be 2 to 32 letters, digits or "_"';
const USERNAME_HINT = 'must be 3 to 32 letters, digits, "_" or "-"';

const NEW_POST: FieldSpecs = {
  title: { type: 'string', required: true, maxLength: 300 },
  text: { type: 'string', minLength: 0, maxLength: 40000 },
  community: { type: 'string', required: true, maxLength: 32, pattern: COMMUNITY_PATTERN, hint: COMMUNITY_HINT },
  url: { type: 'string', maxLength: 2048, format: 'url' },
  username: { type: 'string', required: true, maxLength: 32, pattern: USERNAME_PATTERN, hint: USERNAME_HINT },
};

const LIST_QUERY: FieldSpecs = {
  n: LIST_SIZE,
  community: { type: 'string', maxLength: 32, pattern: COMMUNITY_PATTERN, hint: COMMUNITY_HINT },
};

export interface PostsAppOptions {
  db: Database;
  instanceId: string;
  logger: Logger;
  /** Scores for `GET /posts/hot`; without it, hot answers the unsorted list. */
  scores?: ScoreSource;
  /** Turns a failure of `scores` into the `reason` of an unsorted answer. */
  describeScoreError?: (error: unknown) => string;
}

/** The posts service: create, get, delete, recent lists and "hot". */
export function createPostsApp(options: PostsAppOptions): Express {
  const store = new PostsStore(options.db);
  const router = Router();

  router.post('/posts', (req, res) => {
    const input = validateBody<NewPost>(req.body, NEW_POST);
    const post = store.create(input);
    res.status(201).location(`/posts/${post.id}`).json(post);
  });

  router.get('/posts', (req, res) => {
    const query = validateQuery<{ n?: number; community?: string }>(req.query, LIST_QUERY);
    res.json({ posts: store.recent(query.n ?? DEFAULT_LIST_SIZE, query.community) });
  });

  router.get('/posts/hot', async (req, res) => {
    const query = validateQuery<{ n?: number; community?: string }>(req.query, LIST_QUERY);
    const n = query.n ?? DEFAULT_LIST_SIZE;
    const candidates = store.recent(Math.max(HOT_CANDIDATES, n), query.community);
    const base = query.community === undefined ? {} : { community: query.community };
    if (candidates.length === 0) {
      res.json({ ...base, sorted: true, posts: [] });
      return;
    }
    let ranking: PostScore[];
    try {
      if (!options.scores) throw new Error('no votes service configured');
      ranking = await options.scores.rank(candidates.map((post) => post.id));
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

  router.get('/posts/:id', (req, res) => {
    const id = parseId(req.params.id, 'post id');
    const post = store.get(id);
    if (!post) throw new NotFoundError(`post ${id} not found`);
    res.json(post);
  });

  router.delete('/posts/:id', (req, res) => {
    const id = parseId(req.params.id, 'post id');
    if (!store.delete(id)) throw new NotFoundError(`post ${id} not found`);
    res.json({ id, deleted: true });
  });

  return createServiceApp({ service: 'posts', instanceId: options.instanceId, router, logger: options.logger });
}
