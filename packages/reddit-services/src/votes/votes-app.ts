import { remainingTime } from 'discovery-client';
import type { Express } from 'express';
import { createServiceApp } from '../shared/service-app.js';
import { ApiRouter, openApiValidator } from '../shared/api-router.js';
import { BadRequestError, NotFoundError } from '../shared/http-errors.js';
import type { PostDirectory, UserDirectory } from '../shared/service-directory.js';
import type { Logger } from '../shared/logger.js';
import type { ServiceDatabase } from '../shared/database.js';
import { communityConflict } from './votes-store.js';
import { createVotesStore } from './create-votes-store.js';
import type { Direction } from './votes-store.js';
import { maxSortIds } from './sort-limit.js';

/** Most ids `GET /votes/sort` takes at once: derived from openapi.yaml's pattern for `ids`, which requests are checked against. */
export const MAX_SORT_IDS = maxSortIds(openApiValidator().document);

export interface VotesAppOptions {
  database: ServiceDatabase;
  instanceId: string;
  logger: Logger;
  /** This instance's version (`VERSION`), in every 2xx JSON answer of a GET. @default '1.0' */
  version?: string;
  /**
   * Where a post's community comes from on its first vote (and whether it exists): the posts
   * service. Without it (tests of this service alone) the vote's `community` field is taken as given.
   */
  posts?: PostDirectory;
  /** Whether the voter is an active user: the users service. Without it, any well-formed name may vote. */
  users?: UserDirectory;
}

/** The votes service: one vote per user per post, counts, top lists and sorting by score. */
export function createVotesApp(options: VotesAppOptions): Express {
  const store = createVotesStore(options.database);
  const api = new ApiRouter();

  api.route('get', '/votes/top', async ({ query }, _req, res) => {
    res.json({ posts: await store.top(query.n as number, query.community as string | undefined) });
  });

  api.route('get', '/votes/sort', async ({ query }, _req, res) => {
    const ids = [...new Set((query.ids as string).split(',').map(Number))];
    res.json({ posts: await store.sort(ids) });
  });

  api.route('get', '/votes/{postId}', async ({ params }, _req, res) => {
    res.json(await store.tally(params.postId as number));
  });

  api.route('delete', '/votes/{postId}', async ({ params }, _req, res) => {
    const postId = params.postId as number;
    await store.forget(postId);
    res.json({ postId, deleted: true });
  });

  api.route('put', '/votes/{postId}/users/{username}', async ({ params, body }, req, res) => {
    const postId = params.postId as number;
    const username = params.username as string;
    const input = body as { direction: Direction; community?: string };
    await options.users?.requireActive(username, remainingTime(req));
    let community = await store.community(postId);
    if (community === undefined) {
      if (options.posts) {
        community = await options.posts.community(postId, remainingTime(req));
        if (community === undefined) throw new NotFoundError(`post ${postId} not found`, { postId });
      } else {
        community = input.community;
        if (community === undefined) throw new BadRequestError('invalid request body', [{ field: 'community', problem: 'is required' }]);
      }
    }
    if (input.community !== undefined && input.community !== community) throw communityConflict(postId, community);
    const result = await store.cast(postId, username, community, input.direction);
    if (result.created) res.status(201).location(`/votes/${postId}/users/${username}`);
    res.json({ ...result.vote, tally: result.tally });
  });

  api.route('get', '/votes/{postId}/users/{username}', async ({ params }, _req, res) => {
    const postId = params.postId as number;
    const username = params.username as string;
    const vote = await store.vote(postId, username);
    if (!vote) throw new NotFoundError(`${username} has not voted on post ${postId}`);
    res.json(vote);
  });

  api.route('delete', '/votes/{postId}/users/{username}', async ({ params }, _req, res) => {
    const postId = params.postId as number;
    const username = params.username as string;
    const tally = await store.retract(postId, username);
    if (!tally) throw new NotFoundError(`${username} has not voted on post ${postId}`);
    res.json({ postId, username, deleted: true, tally });
  });

  return createServiceApp({ service: 'votes', instanceId: options.instanceId, version: options.version, router: api.router, logger: options.logger });
}
