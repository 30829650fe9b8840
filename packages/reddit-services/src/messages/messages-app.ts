import { remainingTime } from 'discovery-client';
import type { Express } from 'express';
import { createServiceApp } from '../shared/service-app.js';
import { ApiRouter } from '../shared/api-router.js';
import type { ApiHandler } from '../shared/api-router.js';
import { NotFoundError } from '../shared/http-errors.js';
import type { Logger } from '../shared/logger.js';
import type { ServiceDatabase } from '../shared/database.js';
import type { UserDirectory } from '../shared/service-directory.js';
import { createMessagesStore } from './create-messages-store.js';
import type { NewMessage } from './messages-store.js';

export interface MessagesAppOptions {
  database: ServiceDatabase;
  instanceId: string;
  logger: Logger;
  /** This instance's version (`VERSION`), in every 2xx JSON answer of a GET. @default '1.0' */
  version?: string;
  /** Whether sender and recipient are active users: the users service. Without it, any well-formed names. */
  users?: UserDirectory;
}

/** The messages service: send, read, list an inbox, delete, mark and unmark favorite. */
export function createMessagesApp(options: MessagesAppOptions): Express {
  const store = createMessagesStore(options.database);
  const api = new ApiRouter();

  api.route('post', '/messages', async ({ body }, req, res) => {
    const input = body as NewMessage;
    await options.users?.requireActive(input.from, remainingTime(req));
    await options.users?.requireActive(input.to, remainingTime(req));
    const message = await store.send(input);
    res.status(201).location(`/messages/${message.id}`).json(message);
  });

  api.route('get', '/messages', async ({ query }, _req, res) => {
    res.json({ messages: await store.inbox(query.to as string, query.n as number) });
  });

  api.route('get', '/messages/{id}', async ({ params }, _req, res) => {
    const id = params.id as number;
    const message = await store.get(id);
    if (!message) throw new NotFoundError(`message ${id} not found`);
    res.json(message);
  });

  api.route('delete', '/messages/{id}', async ({ params }, _req, res) => {
    const id = params.id as number;
    if (!(await store.delete(id))) throw new NotFoundError(`message ${id} not found`);
    res.json({ id, deleted: true });
  });

  const favorite =
    (value: boolean): ApiHandler =>
    async ({ params }, _req, res) => {
      const id = params.id as number;
      const message = await store.setFavorite(id, value);
      if (!message) throw new NotFoundError(`message ${id} not found`);
      res.json(message);
    };
  api.route('put', '/messages/{id}/favorite', favorite(true));
  api.route('delete', '/messages/{id}/favorite', favorite(false));

  return createServiceApp({ service: 'messages', instanceId: options.instanceId, version: options.version, router: api.router, logger: options.logger });
}
