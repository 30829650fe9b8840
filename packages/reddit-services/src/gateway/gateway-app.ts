import express from 'express';
import type { Express, Request, Response } from 'express';
import { errorMiddleware, notFoundRoute } from '../shared/error-middleware.js';
import type { ErrorBody } from '../shared/error-middleware.js';
import { DEFAULT_BODY_LIMIT } from '../shared/service-app.js';
import { remainingTime } from 'discovery-client';
import { loadShedding } from '../shared/load-shedding.js';
import { deadlineGuard } from '../shared/deadline.js';
import { normalizeRequestTarget } from '../shared/http-hygiene.js';
import { SERVICE_NAMES } from '../shared/config.js';
import type { ServiceName } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { DEFAULT_VERSION } from '../shared/config.js';
import { versionInAnswers } from '../shared/version-in-answers.js';
import { endToEndHeaders } from '../shared/hop-by-hop.js';
import { refuseUnknownMethods } from '../shared/known-methods.js';
import { AllowedMethods } from '../shared/allowed-methods.js';
import { openApiValidator } from '../shared/api-router.js';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Request headers passed on to the instance. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'x-request-id'] as const;

/** The part of a discovery-client `ServiceClient` the gateway needs. */
export interface GatewayServiceClient {
  request(options: {
    method: Method;
    path: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    /** The call's deadline, ms: what the gateway's own caller still waits (deadline propagation). */
    deadline?: number | undefined;
    throwHttpErrors: false;
  }): Promise<{
    statusCode: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
    instance: { id: string; url: string; number: number } | undefined;
  }>;
}

export interface GatewayAppOptions {
  clients: Record<ServiceName, GatewayServiceClient>;
  instanceId: string;
  logger: Logger;
  /**
   * The gateway's own version (`VERSION`), in the answers of its own routes, `GET /health` and `GET /gateway/status`.
   * Relayed answers carry the version of the instance that served them.
   * @default '1.0'
   */
  version?: string;
  /** What `GET /gateway/status` reports (the discovery client's snapshot: every instance with its meta `version` and `color`). */
  status?: () => unknown;
  /** @default '64kb' */
  bodyLimit?: string;
  /**
   * Requests relayed at once before the gateway answers 503 itself.
   * @default 256
   */
  maxInFlight?: number;
}

/** Requests the gateway relays at once before it sheds load with a 503. */
export const DEFAULT_GATEWAY_MAX_IN_FLIGHT = 256;

/**
 * How a failed call of the discovery client becomes an answer. The messages are the gateway's own:
 * the library's name instances' internal addresses, which callers outside have no use for (and must
 * not learn). Anything unexpected is a 502 with a generic message, logged for the operator.
 */
export function failureAnswer(service: string, error: unknown): { status: number; body: ErrorBody; expected: boolean } {
  const code = (error as { code?: unknown } | null)?.code;
  const details = { service, code: typeof code === 'string' ? code : 'ERR_UNEXPECTED' };
  switch (code) {
    case 'ERR_NO_HEALTHY_INSTANCES':
      return { status: 503, body: { error: `all ${service} instances are down`, details }, expected: true };
    case 'ERR_CIRCUIT_OPEN':
    case 'ERR_REGISTRY_UNAVAILABLE':
    case 'ERR_REGISTRY_ACCESS_DENIED':
    case 'ERR_CLIENT_CLOSED':
    case 'ERR_UPSTREAM_CONNECTION':
      return { status: 503, body: { error: `${service} is unavailable, retry later`, details }, expected: true };
    case 'ERR_OVERLOADED':
      return { status: 503, body: { error: `${service} is overloaded, retry later`, details }, expected: true };
    case 'ERR_REQUEST_TIMEOUT':
      return { status: 504, body: { error: `${service} did not answer in time`, details }, expected: true };
    default:
      return { status: 502, body: { error: `${service} could not be reached through the gateway`, details }, expected: false };
  }
}

/**
 * The gateway: one address for every service. `/posts…` goes to a posts instance, `/votes…` to a
 * votes instance, and so on, picked by the discovery client (round-robin over passing instances, a
 * breaker per instance, retries on another instance for idempotent methods). Answers are relayed as
 * they are (status, end-to-end headers, body; HEAD keeps GET's `Content-Length`), errors included, with
 * `X-Served-By: <instance id> <url>`: a client cannot tell the gateway from an instance
 * (test/functional/gateway-relay.test.ts). When a service has no healthy
 * instance the gateway answers a JSON 503 itself. A caller that sends `x-request-timeout-ms` bounds the call:
 * the instance is told no more than what the caller has left (and the same header went to the service as
 * the attempt's own timeout in any case).
 */
export function createGatewayApp(options: GatewayAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(normalizeRequestTarget);

  const ownVersion = versionInAnswers(options.version ?? DEFAULT_VERSION);
  app.get('/health', ownVersion, (_req, res) => {
    res.json({ status: 'ok', service: 'gateway', instance: options.instanceId });
  });
  app.get('/gateway/status', ownVersion, (_req, res) => {
    res.json(options.status?.() ?? {});
  });

  app.use(refuseUnknownMethods(new AllowedMethods(openApiValidator().document)));
  app.use(loadShedding(options.maxInFlight ?? DEFAULT_GATEWAY_MAX_IN_FLIGHT));
  app.use(deadlineGuard());
  const services = new Set<string>(SERVICE_NAMES);
  const rawBody = express.raw({ type: () => true, limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT });

  app.use((req, res, next) => {
    const service = req.path.split('/')[1] ?? '';
    if (!services.has(service)) {
      next();
      return;
    }
    rawBody(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      forward(service as ServiceName, req, res).catch(next);
    });
  });

  async function forward(service: ServiceName, req: Request, res: Response): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
    let response;
    try {
      response = await options.clients[service].request({ method: req.method as Method, path: req.originalUrl, body, headers, deadline: remainingTime(req), throwHttpErrors: false });
    } catch (error) {
      const answer = failureAnswer(service, error);
      if (!answer.expected) options.logger.error(`gateway: ${req.method} ${req.originalUrl.slice(0, 200)} to ${service} failed`, error);
      if (answer.status === 503) res.set('Retry-After', '1');
      res.status(answer.status).json(answer.body);
      return;
    }
    relay(req, res, response);
  }

  app.use(notFoundRoute);
  app.use(errorMiddleware((error) => options.logger.error('gateway: unexpected error', error)));
  return app;
}

/**
 * Writes an instance's answer as it came: its status, every end-to-end header (hop-by-hop ones describe the
 * instance's connection, not the caller's), its body, plus `X-Served-By`. A HEAD answer keeps the instance's
 * `Content-Length` (the length GET would send) and has no body; any other answer's length is that of the body
 * relayed.
 */
function relay(req: Request, res: Response, response: Awaited<ReturnType<GatewayServiceClient['request']>>): void {
  res.status(response.statusCode);
  for (const [name, value] of Object.entries(endToEndHeaders(response.headers))) res.setHeader(name, value);
  if (response.instance) res.setHeader('X-Served-By', `${response.instance.id} ${response.instance.url}`);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (response.headers['content-length'] !== undefined) res.setHeader('Content-Length', Buffer.byteLength(response.body));
  res.end(response.body);
}
