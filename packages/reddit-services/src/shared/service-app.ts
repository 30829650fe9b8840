import express from 'express';
import type { Express, Router } from 'express';
import { errorMiddleware, notFoundRoute } from './error-middleware.js';
import { loadShedding, DEFAULT_MAX_IN_FLIGHT } from './load-shedding.js';
import type { Logger } from './logger.js';

/** Largest JSON body a service accepts; beyond it, 413. */
export const DEFAULT_BODY_LIMIT = '64kb';

export interface ServiceAppOptions {
  /** Service name, reported by `/health`. */
  service: string;
  /** This instance's id, sent in `X-Instance-Id` and reported by `/health`. */
  instanceId: string;
  /** The service's routes. */
  router: Router;
  logger: Logger;
  /** @default 200 */
  maxInFlight?: number;
  /** @default '64kb' */
  bodyLimit?: string;
}

/**
 * The frame every service shares: load shedding, a strict JSON body parser, `GET /health`,
 * the service's router, a JSON 404 and the JSON error middleware.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('X-Instance-Id', options.instanceId);
    next();
  });
  app.use(loadShedding(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
  app.use(express.json({ limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.service, instance: options.instanceId });
  });
  app.use(options.router);
  app.use(notFoundRoute);
  app.use(errorMiddleware((error) => options.logger.error(`${options.service}: unexpected error`, error)));
  return app;
}
