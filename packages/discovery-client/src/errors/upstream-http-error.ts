import type { InstanceRef } from '../instance.js';
import type { ServiceResponse } from '../transport/transport.js';
import { DiscoveryError } from './discovery-error.js';

/** The instance answered with a non-2xx status. 5xx are retryable and count against its breaker; 4xx are neither. */
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

  constructor(service: string, response: ServiceResponse & { instance: InstanceRef }) {
    super(`${service} at ${response.instance.url} answered ${response.statusCode}`);
    this.service = service;
    this.statusCode = response.statusCode;
    this.body = response.body;
    this.instance = response.instance;
    this.response = response;
    this.retryable = response.statusCode >= 500;
  }
}

export function isUpstreamHttpError(error: unknown): error is UpstreamHttpError {
  return error instanceof UpstreamHttpError;
}
