import { deadlineGuard } from 'discovery-client';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Log } from './log.js';
import { ratingOf, votesOf } from './things.js';

/** Options of {@link createRatingsApp}. */
export interface RatingsAppOptions {
  /** This instance's number, returned in every rating so callers see who answered. */
  instance: number;
  /** This instance's version, returned in every rating. @default '1.0' */
  version?: string;
  /** Its blue/green color, returned in every answer when set. @default none */
  color?: string | undefined;
  /** Where the one line per request goes (`GET camera => 4`). @default silent */
  log?: Log;
}

/** The body of `GET /ratings/:thing`. */
export interface RatingBody {
  thing: string;
  rating: number;
  /** How many people rated it: from version 2.0 on, so callers can tell the versions apart by content. */
  votes?: number;
  instance: number;
  version: string;
  color?: string;
}

/** The body of every error answer. */
export interface ErrorBody {
  error: string;
  message: string;
}

export const DEFAULT_VERSION = '1.0';

const silent: Log = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * The ratings HTTP API as an express 5 app: `GET /ratings/:thing`, `GET /health`, JSON errors, and discovery-client's
 * deadline guard in front of the ratings (a call whose caller's time is up gets a 504, `x-request-timeout-ms`).
 *
 * @example
 * const app = createRatingsApp({ instance: 1 });
 * app.listen(8001);
 */
export function createRatingsApp(options: RatingsAppOptions): Express {
  const { instance } = options;
  const version = options.version ?? DEFAULT_VERSION;
  const log = options.log ?? silent;
  const withVotes = majorVersion(version) >= 2;
  const color = options.color ? { color: options.color } : {};
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', instance, version, ...color });
  });

  // deadline propagation: a rating whose caller's time is up (x-request-timeout-ms: 0) is refused with a JSON 504,
  // one whose caller has left with a 503, both with Retry-After; a malformed header with a 400 (errors as below)
  app.use(deadlineGuard());

  app.get('/ratings/:thing', (req, res) => {
    const thing = String(req.params.thing).toLowerCase();
    const rating = ratingOf(thing);
    if (rating === undefined) {
      log.info(`GET ${thing} => 404 unknown thing`);
      sendError(res, 404, 'unknown_thing', `no rating for "${thing}": ratings does not know this thing`);
      return;
    }
    log.info(`GET ${thing} => ${rating}`);
    const body: RatingBody = { thing, rating, ...(withVotes ? { votes: votesOf(thing) } : {}), instance, version, ...color };
    res.json(body);
  });

  app.use((req, res) => {
    sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`);
  });

  // Four arguments make this express's error handler: bad URLs, anything thrown. No stack traces out.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(error);
    if (status >= 500) log.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    sendError(res, status, status >= 500 ? 'internal' : 'bad_request',
      status >= 500 ? 'ratings failed to answer' : 'the request could not be understood');
  });

  return app;
}

/** `2.0` → 2; a version that does not start with a number counts as 1. */
function majorVersion(version: string): number {
  return Number(/^(\d+)/.exec(version)?.[1] ?? 1);
}

function sendError(res: Response, status: number, error: string, message: string): void {
  const body: ErrorBody = { error, message };
  res.status(status).json(body);
}

function httpStatusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null) {
    const status = (error as { status?: unknown; statusCode?: unknown }).status
      ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 600) return status;
  }
  return 500;
}
