import { DiscoveryError } from './discovery-error.js';

/**
 * The registry knows no service of that name: its health answer is empty and so is its catalog's
 * (`GET /v1/catalog/service/:name` answers `[]`), typically a typo. Asked only when the list is empty, so
 * calls with instances never pay for it. Message: `service inventroy is not registered in consul at
 * http://127.0.0.1:8500`. Not `retryable`.
 */
export class UnknownServiceError extends DiscoveryError {
  readonly code = 'ERR_UNKNOWN_SERVICE';
  readonly retryable = false;
  /** The name asked for. */
  readonly service: string;
  /** Where it was looked up: the Consul base URL (with `?dc=` when a datacenter was named). */
  readonly registry: string;

  constructor(service: string, registry: string) {
    super(`service ${service} is not registered in consul at ${registry}`);
    this.service = service;
    this.registry = registry;
  }
}

export function isUnknownServiceError(error: unknown): error is UnknownServiceError {
  return error instanceof UnknownServiceError;
}
