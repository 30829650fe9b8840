import express from 'express';
import type { Express, RequestHandler, Router } from 'express';
import { parse as parseContentType } from 'content-type';
import { errorMiddleware, notFoundRoute } from './error-middleware.js';
import { loadShedding, DEFAULT_MAX_IN_FLIGHT } from './load-shedding.js';
import { deadlineGuard } from './deadline.js';
import { normalizeRequestTarget } from './http-hygiene.js';
import type { Logger } from './logger.js';
import { DEFAULT_VERSION } from './config.js';
import { versionInAnswers } from './version-in-answers.js';

/** Largest JSON body a service accepts; beyond it, 413. */
export const DEFAULT_BODY_LIMIT = '64kb';

export interface ServiceAppOptions {
  /** Service name, reported by `/health`. */
  service: string;
  /** This instance's id, sent in `X-Instance-Id` and reported by `/health`. */
  instanceId: string;
  /** This instance's version (`VERSION`), in every 2xx JSON answer of a GET, `/health` included. @default '1.0' */
  version?: string;
  /** The service's routes. */
  router: Router;
  logger: Logger;
  /** @default 200 */
  maxInFlight?: number;
  /** @default '64kb' */
  bodyLimit?: string;
}

/**
 * Refuses a body whose declared charset is not UTF-8 with a JSON 415, as openapi.yaml says (the JSON
 * parser alone would decode UTF-16 and UTF-32 too). A missing charset means UTF-8 (RFC 8259).
 */
export const requireUtf8: RequestHandler = (req, res, next) => {
  const header = req.headers['content-type'];
  if (header === undefined) {
    next();
    return;
  }
  let charset: string | undefined;
  try {
    charset = parseContentType(header).parameters.charset;
  } catch {
    charset = undefined; // an unparsable Content-Type is not JSON: the route answers it
  }
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    req.resume();
    res.status(415).json({ error: `unsupported charset "${charset.slice(0, 40)}": send UTF-8` });
    return;
  }
  next();
};

/**
 * The frame every service shares: load shedding, UTF-8 only, a strict JSON body parser, `version` in GET
 * answers, `GET /health`, the deadline guard (`x-request-timeout-ms`), the service's router, a JSON 404 and the JSON error middleware.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(normalizeRequestTarget);
  app.use((_req, res, next) => {
    res.set('X-Instance-Id', options.instanceId);
    next();
  });
  app.use(loadShedding(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
  app.use(requireUtf8);
  app.use(express.json({ limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(versionInAnswers(options.version ?? DEFAULT_VERSION));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.service, instance: options.instanceId });
  });
  app.use(deadlineGuard());
  app.use(options.router);
  app.use(notFoundRoute);
  app.use(errorMiddleware((error) => options.logger.error(`${options.service}: unexpected error`, error)));
  return app;
}
