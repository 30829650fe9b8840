import { CircuitOpenError } from '../errors/circuit-open-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import { UpstreamConnectionError } from '../errors/upstream-connection-error.js';
import { UpstreamHttpError } from '../errors/upstream-http-error.js';

/**
 * For callers (a `fallback`, a wrapper of their own): whether an error the client threw was a failure of
 * the instances (timeouts, connection errors, 5xx, open breakers) rather than the caller's (4xx). The client
 * itself decides once per attempt, from the attempt's outcome.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof UpstreamHttpError) return error.statusCode >= 500;
  return error instanceof RequestTimeoutError || error instanceof UpstreamConnectionError || error instanceof CircuitOpenError;
}
