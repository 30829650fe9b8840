import { DiscoveryError } from './discovery-error.js';

/**
 * The `DiscoveryClient` was closed: a call made after `close()`, a call that was waiting (for a list, for a
 * slot at a concurrency limit, for a retry's backoff) when `close()` was called, or a call whose attempt was
 * still running when `close()`'s grace period ended (the attempt is aborted). It says nothing about the
 * service's instances (nothing is counted against them) and is not retryable on this client. `cause`: the
 * error of the attempt the call would have retried, when there was one.
 */
export class ClientClosedError extends DiscoveryError {
  readonly code = 'ERR_CLIENT_CLOSED';
  readonly retryable = false;
  /** The service called, when the call had one. */
  readonly service: string | undefined;

  constructor(service?: string, options?: { cause?: unknown }) {
    super(service === undefined ? 'the DiscoveryClient is closed' : `cannot call ${service}: the DiscoveryClient is closed`, options);
    this.service = service;
  }
}

export function isClientClosedError(error: unknown): error is ClientClosedError {
  return error instanceof ClientClosedError;
}
