import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parseRequestTimeout, REQUEST_TIMEOUT_HEADER } from './request-timeout-header.js';

/** Why the guard refused a request, and with which status. */
export type DeadlineRefusalReason =
  /** The header said `0`, or its time ran out before the guard ran: 504. */
  | 'deadline_exceeded'
  /** The caller closed the connection or aborted the request before the work started: 503. */
  | 'caller_gone'
  /** The header was not 1 to 8 digits: 400. */
  | 'bad_request_timeout';

/** One refusal, as the guard answers it and as {@link DeadlineGuardOptions.respond} receives it. */
export interface DeadlineRefusal {
  /** 504, 503 or 400. */
  status: 504 | 503 | 400;
  reason: DeadlineRefusalReason;
  /** A sentence for people, naming the header. */
  message: string;
  /** The `Retry-After` value, seconds; none on a 400 (the same request would be refused again). */
  retryAfterSeconds: number | undefined;
}

/** Options of {@link deadlineGuard} and {@link withDeadline}. */
export interface DeadlineGuardOptions {
  /**
   * `Retry-After` on the 503 and 504 refusals, seconds.
   * @default 1
   */
  retryAfterSeconds?: number;
  /**
   * Writes the refusal. The default answers JSON `{ "error": reason, "message": message }` with the status and
   * `Retry-After`; an app with its own error body (a schema to keep) writes that instead. The guard has already
   * resumed the request, so its body is read and dropped rather than left to reset the connection.
   * @default JSON `{ error, message }`
   */
  respond?: (res: ServerResponse, refusal: DeadlineRefusal) => void;
}

/** `retryAfterSeconds` when none is given. */
export const DEFAULT_DEADLINE_RETRY_AFTER_SECONDS = 1;

/** Where the guard keeps a request's deadline (`performance.now()` time, ms). */
const DEADLINE_AT = Symbol('discovery-client.deadlineAt');

type GuardedRequest = IncomingMessage & { [DEADLINE_AT]?: number };

function writeJson(res: ServerResponse, refusal: DeadlineRefusal): void {
  res.statusCode = refusal.status;
  if (refusal.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: refusal.reason, message: refusal.message }));
}

/**
 * Whether the caller went away: its connection closed, or half-closed (node:http aborts the request then,
 * unless `httpAllowHalfOpen`), or the request was aborted before its body was complete. (`req.destroyed` alone
 * says nothing: a request is destroyed once its body has been read.)
 */
function callerGone(req: IncomingMessage, res: ServerResponse): boolean {
  const socket = req.socket as IncomingMessage['socket'] | null;
  return socket === null || socket.destroyed || !socket.readable || res.destroyed || (req.destroyed && !req.complete);
}

/**
 * The server side of deadline propagation, as an express-style middleware `(req, res, next)` (express,
 * connect or any framework with that signature; the library does not import one). Put it where the work
 * starts (after the body parser, before the routes): it reads `x-request-timeout-ms` and
 * - answers `504 { error: 'deadline_exceeded' }` with `Retry-After` when the header says `0` (the caller's
 *   time is up: gRPC's DEADLINE_EXCEEDED, without running the handler);
 * - answers `503 { error: 'caller_gone' }` with `Retry-After` when the caller has already gone away (the
 *   request aborted, its socket closed): nobody would read the answer, so the work is not started;
 * - answers `400 { error: 'bad_request_timeout' }` when the header is not 1 to 8 digits (a negative number,
 *   a fraction, a unit, the header twice): bad input gets a clear error, never a crash or a silent default;
 * - otherwise records the deadline, `now + header`, for {@link remainingTime}, and calls `next()`.
 * Without the header the request goes on with no deadline (`remainingTime(req)` is `undefined`).
 *
 * @example
 * app.use(express.json());
 * app.use(deadlineGuard());
 * app.get('/posts/:id', async (req, res) => {
 *   const user = await users.get(`/users/${name}`, { deadline: remainingTime(req) }).json();
 *   ...
 * });
 */
export function deadlineGuard(options: DeadlineGuardOptions = {}): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_DEADLINE_RETRY_AFTER_SECONDS;
  if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
    throw new TypeError(`Expected \`retryAfterSeconds\` to be an integer >= 0, got ${String(options.retryAfterSeconds)}`);
  }
  const respond = options.respond ?? writeJson;
  const refuse = (req: IncomingMessage, res: ServerResponse, refusal: DeadlineRefusal): void => {
    // read and drop the body, so a caller still sending it is not reset before it reads the answer
    req.resume();
    respond(res, refusal);
  };
  return (req, res, next) => {
    let ms: number | undefined;
    try {
      ms = parseRequestTimeout(req.headers[REQUEST_TIMEOUT_HEADER]);
    } catch (error) {
      refuse(req, res, { status: 400, reason: 'bad_request_timeout', message: (error as Error).message, retryAfterSeconds: undefined });
      return;
    }
    if (callerGone(req, res)) {
      refuse(req, res, { status: 503, reason: 'caller_gone', message: 'the caller went away before the work started', retryAfterSeconds });
      return;
    }
    if (ms === 0) {
      const message = `the caller's deadline had passed when the request arrived (${REQUEST_TIMEOUT_HEADER}: 0)`;
      refuse(req, res, { status: 504, reason: 'deadline_exceeded', message, retryAfterSeconds });
      return;
    }
    if (ms !== undefined) (req as GuardedRequest)[DEADLINE_AT] = performance.now() + ms;
    next();
  };
}

/**
 * {@link deadlineGuard} around a node:http request listener: `http.createServer(withDeadline(handler))`.
 * The handler runs only for requests the guard lets through.
 */
export function withDeadline(handler: RequestListener, options?: DeadlineGuardOptions): RequestListener {
  const guard = deadlineGuard(options);
  return (req, res) => {
    guard(req, res, () => handler(req, res));
  };
}

/**
 * How long the caller of this request still waits, ms (whole, rounded down, 0 once the time is up), from
 * the `x-request-timeout-ms` the guard read; `undefined` when the request came without it or never went
 * through the guard. Pass it down as the `deadline` of the calls the handler makes:
 * `ratings.get(path, { deadline: remainingTime(req) })` (`undefined` keeps the service's own deadline).
 */
export function remainingTime(req: IncomingMessage): number | undefined {
  const deadlineAt = (req as GuardedRequest)[DEADLINE_AT];
  if (deadlineAt === undefined) return undefined;
  const ms = Math.floor(deadlineAt - performance.now());
  return ms > 0 ? ms : 0;
}
