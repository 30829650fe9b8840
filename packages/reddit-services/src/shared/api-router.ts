import { Router } from 'express';
import type { Request, Response } from 'express';
import { BadRequestError, MethodNotAllowedError } from './http-errors.js';
import { OpenApiRequestValidator, RequestValidationError } from './openapi.js';
import type { ValidatedRequest } from './openapi.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A route's handler: gets the request as validated against openapi.yaml. */
export type ApiHandler = (input: ValidatedRequest, req: Request, res: Response) => Promise<void> | void;

let shared: OpenApiRequestValidator | undefined;

/** The process's validator over openapi.yaml, loaded once. */
export function openApiValidator(): OpenApiRequestValidator {
  shared ??= new OpenApiRequestValidator();
  return shared;
}

/**
 * An express Router whose routes are the operations of openapi.yaml: `route('put',
 * '/votes/{postId}/users/{username}', handler)` routes `/votes/:postId/users/:username` and runs the
 * handler only for requests the document accepts; others get a 400 listing every problem. The
 * document is the one schema: change it and the service changes with it.
 */
export class ApiRouter {
  readonly router = Router();
  private readonly methods = new Map<string, Set<string>>();

  constructor(private readonly validator: OpenApiRequestValidator = openApiValidator()) {}

  route(method: Method, template: string, handler: ApiHandler): this {
    const validate = this.validator.operation(method, template);
    const path = template.replace(/\{(\w+)\}/g, ':$1');
    let allowed = this.methods.get(path);
    if (!allowed) {
      allowed = new Set(['OPTIONS']);
      this.methods.set(path, allowed);
      const methods = allowed;
      // Express would answer OPTIONS itself in text/plain; every answer of the API is JSON.
      this.router.options(path, (_req: Request, res: Response) => {
        const allow = [...methods].sort();
        res.set('Allow', allow.join(', ')).json({ allow });
      });
      // A method the path does not have: 405 with Allow (RFC 9110 §15.5.6), not the catch-all 404. The set is
      // read at request time: methods routed after this line for the same path pass through to their routes.
      this.router.all(path, (req: Request, res: Response, next) => {
        if (methods.has(req.method)) {
          next();
          return;
        }
        const allow = [...methods].sort();
        res.set('Allow', allow.join(', '));
        throw new MethodNotAllowedError(req.method, req.path, allow);
      });
    }
    allowed.add(method.toUpperCase());
    if (method === 'get') allowed.add('HEAD');
    this.router[method](path, async (req: Request, res: Response) => {
      let input: ValidatedRequest;
      try {
        input = validate({ params: req.params as Record<string, string | undefined>, query: req.query, body: req.body });
      } catch (error) {
        if (error instanceof RequestValidationError) throw new BadRequestError(error.message, error.details);
        throw error;
      }
      await handler(input, req, res);
    });
    return this;
  }
}
