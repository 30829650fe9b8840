import { DiscoveryError } from '../errors/discovery-error.js';

/**
 * For callers (a `fallback`, a wrapper of their own): whether an error the client threw was a failure of
 * the instances (timeouts, connection errors, 5xx, open breakers) rather than the caller's (4xx) or the
 * registry's. It reads the error's own `retryable`, which the attempt's outcome policy set
 * (`attempt/outcome.ts`); anything that is not the library's error is not retryable.
 */
export function isRetryable(error: unknown): boolean {
  return error instanceof DiscoveryError && error.retryable;
}
