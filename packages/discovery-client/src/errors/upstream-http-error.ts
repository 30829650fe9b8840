import type { InstanceRef } from '../instance.js';
import type { InstanceResponse, ServiceResponse } from '../response.js';
import { DiscoveryError } from './discovery-error.js';

/**
 * The instance answered with a non-2xx status. `retryable` comes from the attempt's outcome policy
 * (`attempt/outcome.ts`): true for a 5xx (the instance's failure), false for a 4xx (the caller's).
 */
export class UpstreamHttpError extends DiscoveryError {
  readonly code = 'ERR_UPSTREAM_HTTP';
  readonly retryable: boolean;
  readonly service: string;
  readonly statusCode: number;
  /** The response body, as text. */
  readonly body: string;
  readonly instance: InstanceRef;
  /** The whole response. */
  readonly response: ServiceResponse;

  constructor(service: string, response: InstanceResponse, options: { retryable: boolean }) {
    super(`${service} at ${response.instance.url} answered ${response.statusCode}`);
    this.service = service;
    this.statusCode = response.statusCode;
    this.body = response.body;
    this.instance = response.instance;
    this.response = response;
    this.retryable = options.retryable;
  }
}

export function isUpstreamHttpError(error: unknown): error is UpstreamHttpError {
  return error instanceof UpstreamHttpError;
}
