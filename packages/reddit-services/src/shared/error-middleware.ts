import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from './http-errors.js';
import { classifyDatabaseError } from './database-errors.js';

/** What every error answer looks like. */
export interface ErrorBody {
  error: string;
  details?: unknown;
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
}

function isClientError(error: unknown): error is { status: number } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** The last route: a JSON 404 naming what was asked for. */
export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` } satisfies ErrorBody);
};

/**
 * Turns any error into a JSON answer: `HttpError` keeps its status, body-parser errors become 400
 * (malformed JSON), 413 (too large) or 415 (charset), database errors 503 (busy, unreachable) or 409
 * (a constraint refused the write) on either engine, the rest 500 with a generic message. Never a
 * stack trace.
 */
export function errorMiddleware(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let status = 500;
    let body: ErrorBody = { error: 'internal error' };
    if (error instanceof HttpError) {
      status = error.status;
      body = error.details === undefined ? { error: error.message } : { error: error.message, details: error.details };
    } else if (typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string') {
      const parserError = error as BodyParserError;
      switch (parserError.type) {
        case 'entity.parse.failed':
          status = 400;
          body = { error: 'malformed JSON in request body' };
          break;
        case 'entity.too.large':
          status = 413;
          body = { error: 'request body too large', details: { limitBytes: parserError.limit } };
          break;
        case 'request.aborted':
          status = 400;
          body = { error: 'request aborted' };
          break;
        default:
          status = parserError.status !== undefined && parserError.status >= 400 && parserError.status < 500 ? parserError.status : 400;
          body = { error: `unreadable request body (${parserError.type})` };
      }
    } else if (classifyDatabaseError(error) !== undefined) {
      switch (classifyDatabaseError(error)) {
        case 'busy':
          // Another instance held the lock longer than the timeout: shed, the caller may retry.
          status = 503;
          res.set('Retry-After', '1');
          body = { error: 'database busy, retry later' };
          break;
        case 'unavailable':
          status = 503;
          res.set('Retry-After', '1');
          body = { error: 'database unavailable, retry later' };
          onUnexpected(error);
          break;
        case 'conflict':
          status = 409;
          body = { error: 'the request conflicts with stored data' };
          break;
        default:
          status = 400;
          body = { error: 'a value cannot be stored (NUL or invalid characters)' };
      }
    } else if (isClientError(error)) {
      // e.g. a path that is not valid percent-encoding (`/posts/%ZZ`), flagged 400 by the router.
      status = error.status;
      body = { error: error instanceof URIError ? 'malformed percent-encoding in the URL' : 'bad request' };
    } else {
      onUnexpected(error);
    }
    res.status(status).json(body);
  };
}
