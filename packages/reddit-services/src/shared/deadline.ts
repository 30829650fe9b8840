import { deadlineGuard as libraryDeadlineGuard } from 'discovery-client';
import type { DeadlineRefusal } from 'discovery-client';
import type { RequestHandler } from 'express';
import type { ServerResponse } from 'node:http';
import type { ErrorBody } from './error-middleware.js';

/** A refusal of the deadline guard as the `Error` body of openapi.yaml: the sentence in `error`, the reason in `details`. */
function respond(res: ServerResponse, refusal: DeadlineRefusal): void {
  res.statusCode = refusal.status;
  if (refusal.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: refusal.message, details: { reason: refusal.reason } } satisfies ErrorBody));
}

/**
 * Deadline propagation in every reddit process (the services and the gateway): discovery-client's guard, answering
 * in this API's `Error` shape. A request whose `x-request-timeout-ms` is `0` gets a 504, one whose caller left
 * before the work started a 503 (both with `Retry-After: 1`), a malformed header a 400; otherwise the handler reads
 * `remainingTime(req)` and passes it as the `deadline` of its calls to other services, so every hop is told no
 * more time than its caller has left.
 */
export function deadlineGuard(): RequestHandler {
  return libraryDeadlineGuard({ respond });
}

/**
 * The deadline of a call made while serving a request, ms: what the request has left (`remainingTime(req)`), but
 * never more than the call's own bound `ownMs` (a propagated deadline shortens a call, never lengthens it, as a
 * gRPC child call's deadline is the earlier of its own and its parent's); `ownMs` when the request brought none.
 */
export function withinDeadline(remainingMs: number | undefined, ownMs: number): number {
  return remainingMs === undefined ? ownMs : Math.min(remainingMs, ownMs);
}
