import { DiscoveryError } from './discovery-error.js';

/**
 * Consul could not be reached or answered an error (and no usable cached list exists, when resolving).
 * Not `retryable`: another instance cannot help, and the watch already retries Consul with backoff.
 */
export class RegistryUnavailableError extends DiscoveryError {
  readonly code: string = 'ERR_REGISTRY_UNAVAILABLE';
  readonly retryable = false;
  /** HTTP status Consul answered with, if it answered. */
  readonly statusCode: number | undefined;

  constructor(message: string, options?: { cause?: unknown; statusCode?: number }) {
    super(message, options);
    this.statusCode = options?.statusCode;
  }
}

export function isRegistryUnavailableError(error: unknown): error is RegistryUnavailableError {
  return error instanceof RegistryUnavailableError;
}
