import { CircuitOpenError } from '../errors/circuit-open-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import { UpstreamConnectionError } from '../errors/upstream-connection-error.js';
import { UpstreamHttpError } from '../errors/upstream-http-error.js';

/**
 * The one predicate behind retries and breakers: timeouts, connection errors and 5xx answers are failures
 * of the instance (retry elsewhere, count against its breaker); 4xx answers are the caller's and are neither.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof UpstreamHttpError) return error.statusCode >= 500;
  return error instanceof RequestTimeoutError || error instanceof UpstreamConnectionError || error instanceof CircuitOpenError;
}

/** What counts against an instance's breaker: like {@link isRetryable}, minus the breaker's own rejections. */
export function isInstanceFailure(error: unknown): boolean {
  return !(error instanceof CircuitOpenError) && isRetryable(error);
}
