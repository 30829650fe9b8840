import type { RequestHandler } from 'express';

/**
 * Adds `"version": <version>` to every JSON object a GET (or HEAD) answers with a 2xx status, so a client
 * sees which version served it during a rolling update or a blue/green cut-over (openapi.yaml, `Version`).
 * Error bodies and the answers of other methods are left as they are; arrays and non-objects too.
 */
export function versionInAnswers(version: string): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const json = res.json.bind(res);
      res.json = (body?: unknown) =>
        json(res.statusCode >= 200 && res.statusCode < 300 && isPlainObject(body) ? { ...body, version } : body);
    }
    next();
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
