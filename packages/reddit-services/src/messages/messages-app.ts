import { Router } from 'express';
import type { Express } from 'express';
import type { Database } from 'better-sqlite3';
import { createServiceApp } from '../shared/service-app.js';
import { NotFoundError } from '../shared/http-errors.js';
import type { Logger } from '../shared/logger.js';
import { DEFAULT_LIST_SIZE, LIST_SIZE, USERNAME_PATTERN, parseId, validateBody, validateQuery } from '../shared/validate.js';
import type { FieldSpecs } from '../shared/validate.js';
import { MessagesStore } from './messages-store.js';
import type { NewMessage } from './messages-store.js';

const USERNAME = { type: 'string', required: true, maxLength: 32, pattern: USERNAME_PATTERN, hint: 'must be 3 to 32 letters, digits, "_" or "-"' } as const;

const NEW_MESSAGE: FieldSpecs = {
  from: USERNAME,
  to: USERNAME,
  contents: { type: 'string', required: true, maxLength: 10000 },
  flag: { type: 'string', maxLength: 32 },
  timestamp: { type: 'string', maxLength: 40, format: 'date-time' },
};

const INBOX_QUERY: FieldSpecs = { to: USERNAME, n: LIST_SIZE };

export interface MessagesAppOptions {
  db: Database;
  instanceId: string;
  logger: Logger;
}

/** The messages service: send, read, list an inbox, delete, mark and unmark favorite. */
export function createMessagesApp(options: MessagesAppOptions): Express {
  const store = new MessagesStore(options.db);
  const router = Router();

  router.post('/messages', (req, res) => {
    const message = store.send(validateBody<NewMessage>(req.body, NEW_MESSAGE));
    res.status(201).location(`/messages/${message.id}`).json(message);
  });

  router.get('/messages', (req, res) => {
    const query = validateQuery<{ to: string; n?: number }>(req.query, INBOX_QUERY);
    res.json({ messages: store.inbox(query.to, query.n ?? DEFAULT_LIST_SIZE) });
  });

  router.get('/messages/:id', (req, res) => {
    const id = parseId(req.params.id, 'message id');
    const message = store.get(id);
    if (!message) throw new NotFoundError(`message ${id} not found`);
    res.json(message);
  });

  router.delete('/messages/:id', (req, res) => {
    const id = parseId(req.params.id, 'message id');
    if (!store.delete(id)) throw new NotFoundError(`message ${id} not found`);
    res.json({ id, deleted: true });
  });

  const favorite = (value: boolean) => (req: { params: Record<string, string | undefined> }, res: { json(body: unknown): void }) => {
    const id = parseId(req.params.id, 'message id');
    const message = store.setFavorite(id, value);
    if (!message) throw new NotFoundError(`message ${id} not found`);
    res.json(message);
  };
  router.put('/messages/:id/favorite', favorite(true));
  router.delete('/messages/:id/favorite', favorite(false));

  return createServiceApp({ service: 'messages', instanceId: options.instanceId, router, logger: options.logger });
}
