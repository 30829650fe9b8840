import { DiscoveryError } from './discovery-error.js';

/**
 * No instance of the service can take the call: none is registered and passing, or every breaker is open.
 * The message is the walkthrough's: `all ratings instances are down`.
 */
export class NoHealthyInstancesError extends DiscoveryError {
  readonly code = 'ERR_NO_HEALTHY_INSTANCES';
  readonly retryable = false;
  /** Service name. */
  readonly service: string;

  constructor(service: string, options?: { cause?: unknown }) {
    super(`all ${service} instances are down`, options);
    this.service = service;
  }
}

export function isNoHealthyInstancesError(error: unknown): error is NoHealthyInstancesError {
  return error instanceof NoHealthyInstancesError;
}
