import { NoHealthyInstancesError } from './no-healthy-instances-error.js';

/**
 * The registry knows no service of that name: its health answer is empty and so is its catalog's
 * (`GET /v1/catalog/service/:name` answers `[]`): a typo, or a service none of whose instances has registered
 * yet (Consul cannot tell them apart). Asked only when the list is empty, so calls with instances never pay for
 * it. A {@link NoHealthyInstancesError} (same `code`, so code that handles "all down" still does) whose message
 * says why: `all inventroy instances are down: service inventroy is not registered in consul at
 * http://127.0.0.1:8500`. Not `retryable`.
 */
export class UnknownServiceError extends NoHealthyInstancesError {
  /** Where it was looked up: the Consul base URL (with `?dc=` when a datacenter was named). */
  readonly registry: string;

  constructor(service: string, registry: string) {
    super(service);
    this.message = `${this.message}: service ${service} is not registered in consul at ${registry}`;
    this.registry = registry;
  }
}

export function isUnknownServiceError(error: unknown): error is UnknownServiceError {
  return error instanceof UnknownServiceError;
}
