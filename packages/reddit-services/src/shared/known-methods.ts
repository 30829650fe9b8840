import type { RequestHandler } from 'express';
import type { ErrorBody } from './error-middleware.js';

/** The methods the API knows (a path answers 405 with `Allow` for those it does not have). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * A method no service implements (`PROPFIND`, `TRACE`...) gets a JSON 501 (RFC 9110 §15.6.2), the same from an
 * instance and from the gateway: it comes before the instance's own headers, so the two answers are one.
 */
export const refuseUnknownMethods: RequestHandler = (req, res, next) => {
  if (KNOWN_METHODS.has(req.method)) {
    next();
    return;
  }
  req.resume();
  res.status(501).json({ error: `method ${req.method.slice(0, 40)} not implemented` } satisfies ErrorBody);
};
