import type { RequestHandler } from 'express';
import { MethodNotAllowedError } from './http-errors.js';
import { notFoundRoute } from './error-middleware.js';
import type { AllowedMethods } from './allowed-methods.js';

/** The methods the gateway relays (discovery-client's). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The gateway's answer to a method it cannot relay (`PROPFIND`, `TRACE`...): what a service gives, without asking
 * one. A path of openapi.yaml answers 405 with `Allow` (client input is never a 5xx, so not 501), any other path the
 * JSON 404 of every app.
 */
export function refuseUnknownMethods(allowed: AllowedMethods): RequestHandler {
  return (req, res, next) => {
    if (KNOWN_METHODS.has(req.method)) {
      next();
      return;
    }
    req.resume();
    const allow = allowed.of(req.path);
    if (!allow) {
      notFoundRoute(req, res, next);
      return;
    }
    res.set('Allow', allow.join(', '));
    throw new MethodNotAllowedError(req.method, req.path, allow);
  };
}
