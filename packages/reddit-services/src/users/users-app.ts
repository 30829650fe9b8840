import { Router } from 'express';
import type { Express } from 'express';
import type { Database } from 'better-sqlite3';
import { createServiceApp } from '../shared/service-app.js';
import { NotFoundError } from '../shared/http-errors.js';
import type { Logger } from '../shared/logger.js';
import { USERNAME_PATTERN, parseUsername, validateBody } from '../shared/validate.js';
import type { FieldSpecs } from '../shared/validate.js';
import { UsersStore } from './users-store.js';

/** Largest karma change one request may make. */
export const MAX_KARMA_DELTA = 1000;

const EMAIL = { type: 'string', required: true, maxLength: 254, format: 'email' } as const;

const NEW_USER: FieldSpecs = {
  username: { type: 'string', required: true, maxLength: 32, pattern: USERNAME_PATTERN, hint: 'must be 3 to 32 letters, digits, "_" or "-"' },
  email: EMAIL,
};
const UPDATE_USER: FieldSpecs = { email: EMAIL };
const KARMA: FieldSpecs = { delta: { type: 'integer', required: true, minimum: -MAX_KARMA_DELTA, maximum: MAX_KARMA_DELTA } };

export interface UsersAppOptions {
  db: Database;
  instanceId: string;
  logger: Logger;
}

/** The users service: create, read, update email, karma up and down, deactivate. */
export function createUsersApp(options: UsersAppOptions): Express {
  const store = new UsersStore(options.db);
  const router = Router();

  router.post('/users', (req, res) => {
    const input = validateBody<{ username: string; email: string }>(req.body, NEW_USER);
    const user = store.create(input.username, input.email);
    res.status(201).location(`/users/${user.username}`).json(user);
  });

  router.get('/users/:username', (req, res) => {
    const username = parseUsername(req.params.username);
    const user = store.get(username);
    if (!user) throw new NotFoundError(`user ${username} not found`);
    res.json(user);
  });

  router.patch('/users/:username', (req, res) => {
    const username = parseUsername(req.params.username);
    const input = validateBody<{ email: string }>(req.body, UPDATE_USER);
    res.json(store.updateEmail(username, input.email));
  });

  router.post('/users/:username/karma', (req, res) => {
    const username = parseUsername(req.params.username);
    const input = validateBody<{ delta: number }>(req.body, KARMA);
    res.json(store.addKarma(username, input.delta));
  });

  router.post('/users/:username/deactivate', (req, res) => {
    res.json(store.deactivate(parseUsername(req.params.username)));
  });

  return createServiceApp({ service: 'users', instanceId: options.instanceId, router, logger: options.logger });
}
