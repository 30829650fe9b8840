import type { Express } from 'express';
import { createServiceApp } from '../shared/service-app.js';
import { ApiRouter } from '../shared/api-router.js';
import { NotFoundError } from '../shared/http-errors.js';
import type { Logger } from '../shared/logger.js';
import type { ServiceDatabase } from '../shared/database.js';
import { createUsersStore } from './create-users-store.js';

export interface UsersAppOptions {
  database: ServiceDatabase;
  instanceId: string;
  logger: Logger;
  /** This instance's version (`VERSION`), in every 2xx JSON answer of a GET. @default '1.0' */
  version?: string;
}

/** The users service: create, read, update email, karma up and down, deactivate and reactivate. */
export function createUsersApp(options: UsersAppOptions): Express {
  const store = createUsersStore(options.database);
  const api = new ApiRouter();

  api.route('post', '/users', async ({ body }, _req, res) => {
    const input = body as { username: string; email: string };
    const user = await store.create(input.username, input.email);
    res.status(201).location(`/users/${user.username}`).json(user);
  });

  api.route('get', '/users/{username}', async ({ params }, _req, res) => {
    const username = params.username as string;
    const user = await store.get(username);
    if (!user) throw new NotFoundError(`user ${username} not found`);
    res.json(user);
  });

  api.route('patch', '/users/{username}', async ({ params, body }, _req, res) => {
    res.json(await store.updateEmail(params.username as string, (body as { email: string }).email));
  });

  api.route('post', '/users/{username}/karma', async ({ params, body }, _req, res) => {
    res.json(await store.addKarma(params.username as string, (body as { delta: number }).delta));
  });

  api.route('post', '/users/{username}/deactivate', async ({ params }, _req, res) => {
    res.json(await store.setActive(params.username as string, false));
  });

  api.route('post', '/users/{username}/reactivate', async ({ params }, _req, res) => {
    res.json(await store.setActive(params.username as string, true));
  });

  return createServiceApp({ service: 'users', instanceId: options.instanceId, version: options.version, router: api.router, logger: options.logger });
}
