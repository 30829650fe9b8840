import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import { UpstreamConnectionError } from '../errors/upstream-connection-error.js';
import { UpstreamHttpError } from '../errors/upstream-http-error.js';
import type { InstanceRef } from '../instance.js';
import type { ServiceResponse, TransportResponse } from '../transport/transport.js';

/** Why an attempt never reached the instance's application. */
export type NotSentReason = 'refused' | 'reset-reused-socket';

/** Why an attempt counts against its instance. */
export type InstanceFailureReason = 'timeout' | 'stall' | 'connection' | 'status';

/**
 * What one attempt came to, decided once by {@link classifyResponse} / {@link classifyError} and read by
 * everything after it (breaker, outlier detection, retries, events):
 *
 * - `response`: the instance answered (1xx–3xx);
 * - `callerError`: it answered 4xx: the caller's fault, the instance is fine;
 * - `instanceFailure`: a timeout, a stall, a refused-after-send or reset connection, or a 5xx: retried on another
 *   instance (idempotent calls) and counted against the instance;
 * - `notSent`: refused before any byte was written, or reset on a reused keep-alive socket before any response
 *   byte (Node's documented idle-socket race): requeued at once for any method, never counted;
 * - `rejected`: the breaker refused the attempt (open, or half-open with its trial in flight).
 */
export type AttemptOutcome =
  | { readonly type: 'response'; readonly response: ServiceResponse }
  | { readonly type: 'callerError'; readonly response: ServiceResponse }
  | {
      readonly type: 'instanceFailure';
      readonly reason: InstanceFailureReason;
      readonly error: RequestTimeoutError | UpstreamConnectionError | UpstreamHttpError;
    }
  | { readonly type: 'notSent'; readonly reason: NotSentReason; readonly error: UpstreamConnectionError }
  | { readonly type: 'rejected'; readonly error: Error };

/** Set by a transport on an error of a request that went out on a reused keep-alive socket and got no response byte. */
export const REUSED_SOCKET = Symbol.for('discovery-client.reusedSocket');

const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** An answer: 5xx is the instance's failure, 4xx the caller's, the rest a response. */
export function classifyResponse(service: string, response: TransportResponse, instance: InstanceRef): AttemptOutcome {
  const result: ServiceResponse = { statusCode: response.statusCode, headers: response.headers, body: response.body, instance };
  const status = response.statusCode;
  if (status >= 500) {
    return { type: 'instanceFailure', reason: 'status', error: new UpstreamHttpError(service, result as ServiceResponse & { instance: InstanceRef }) };
  }
  if (status >= 400) return { type: 'callerError', response: result };
  return { type: 'response', response: result };
}

/**
 * A transport rejection. `abortedBy` says why the library aborted the request itself (its timeout, or a
 * stall ejection rescuing the attempt), `elapsedMs` how long the attempt ran.
 */
export function classifyError(
  service: string,
  error: unknown,
  instance: InstanceRef,
  abortedBy: 'timeout' | 'stall' | undefined,
  timeoutMs: number,
): AttemptOutcome {
  if (abortedBy !== undefined) {
    return { type: 'instanceFailure', reason: abortedBy, error: new RequestTimeoutError(service, timeoutMs, instance, { cause: error }) };
  }
  const code = (error as { code?: unknown } | null)?.code;
  const wrapped = new UpstreamConnectionError(service, instance, error);
  if (typeof code === 'string') {
    if (REFUSED_CODES.has(code)) return { type: 'notSent', reason: 'refused', error: wrapped };
    if (RESET_CODES.has(code) && (error as { [REUSED_SOCKET]?: boolean })[REUSED_SOCKET] === true) {
      return { type: 'notSent', reason: 'reset-reused-socket', error: wrapped };
    }
  }
  return { type: 'instanceFailure', reason: 'connection', error: wrapped };
}
