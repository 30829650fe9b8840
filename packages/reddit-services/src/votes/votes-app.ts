import { Router } from 'express';
import type { Express } from 'express';
import type { Database } from 'better-sqlite3';
import { createServiceApp } from '../shared/service-app.js';
import { BadRequestError, NotFoundError } from '../shared/http-errors.js';
import type { Logger } from '../shared/logger.js';
import { COMMUNITY_PATTERN, DEFAULT_LIST_SIZE, LIST_SIZE, parseId, parseUsername, validateBody, validateQuery } from '../shared/validate.js';
import type { FieldSpecs } from '../shared/validate.js';
import { VotesStore } from './votes-store.js';
import type { Direction } from './votes-store.js';

/** Most ids `GET /votes/sort` takes at once. */
export const MAX_SORT_IDS = 500;

const COMMUNITY_HINT = 'must be 2 to 32 letters, digits or "_"';

const CAST: FieldSpecs = {
  direction: { type: 'enum', required: true, values: ['up', 'down'] },
  community: { type: 'string', required: true, maxLength: 32, pattern: COMMUNITY_PATTERN, hint: COMMUNITY_HINT },
};

const TOP_QUERY: FieldSpecs = {
  n: LIST_SIZE,
  community: { type: 'string', maxLength: 32, pattern: COMMUNITY_PATTERN, hint: COMMUNITY_HINT },
};

const SORT_QUERY: FieldSpecs = { ids: { type: 'string', required: true, maxLength: MAX_SORT_IDS * 17 } };

export interface VotesAppOptions {
  db: Database;
  instanceId: string;
  logger: Logger;
}

function parseIdList(raw: string): number[] {
  const parts = raw.split(',');
  if (parts.length > MAX_SORT_IDS) throw new BadRequestError(`ids takes at most ${MAX_SORT_IDS} post ids`);
  const ids = parts.map((part) => parseId(part, 'ids'));
  return [...new Set(ids)];
}

/** The votes service: one vote per user per post, counts, top lists and sorting by score. */
export function createVotesApp(options: VotesAppOptions): Express {
  const store = new VotesStore(options.db);
  const router = Router();

  router.get('/votes/top', (req, res) => {
    const query = validateQuery<{ n?: number; community?: string }>(req.query, TOP_QUERY);
    res.json({ posts: store.top(query.n ?? DEFAULT_LIST_SIZE, query.community) });
  });

  router.get('/votes/sort', (req, res) => {
    const query = validateQuery<{ ids: string }>(req.query, SORT_QUERY);
    res.json({ posts: store.sort(parseIdList(query.ids)) });
  });

  router.get('/votes/:postId', (req, res) => {
    res.json(store.tally(parseId(req.params.postId, 'post id')));
  });

  router.put('/votes/:postId/users/:username', (req, res) => {
    const postId = parseId(req.params.postId, 'post id');
    const username = parseUsername(req.params.username);
    const input = validateBody<{ direction: Direction; community: string }>(req.body, CAST);
    const result = store.cast(postId, username, input.community, input.direction);
    if (result.created) res.status(201).location(`/votes/${postId}/users/${username}`);
    res.json({ ...result.vote, tally: result.tally });
  });

  router.get('/votes/:postId/users/:username', (req, res) => {
    const postId = parseId(req.params.postId, 'post id');
    const username = parseUsername(req.params.username);
    const vote = store.vote(postId, username);
    if (!vote) throw new NotFoundError(`${username} has not voted on post ${postId}`);
    res.json(vote);
  });

  router.delete('/votes/:postId/users/:username', (req, res) => {
    const postId = parseId(req.params.postId, 'post id');
    const username = parseUsername(req.params.username);
    const tally = store.retract(postId, username);
    if (!tally) throw new NotFoundError(`${username} has not voted on post ${postId}`);
    res.json({ postId, username, deleted: true, tally });
  });

  return createServiceApp({ service: 'votes', instanceId: options.instanceId, router, logger: options.logger });
}
