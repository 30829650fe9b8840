import type { InstanceRef } from '../instance.js';
import { DiscoveryError } from './discovery-error.js';

/**
 * An attempt took longer than its timeout (the HTTP request was aborted), or the overall deadline passed.
 * Message: `request to ratings at http://127.0.0.1:8002 timed out after 1000ms` (no instance: the deadline).
 */
export class RequestTimeoutError extends DiscoveryError {
  readonly code = 'ERR_REQUEST_TIMEOUT';
  readonly retryable = true;
  readonly service: string;
  readonly instance: InstanceRef | undefined;
  /** The limit that fired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(service: string, timeoutMs: number, instance?: InstanceRef, options?: { cause?: unknown }) {
    super(`request to ${service}${instance ? ` at ${instance.url}` : ''} timed out after ${timeoutMs}ms`, options);
    this.service = service;
    this.timeoutMs = timeoutMs;
    this.instance = instance;
  }
}

export function isRequestTimeoutError(error: unknown): error is RequestTimeoutError {
  return error instanceof RequestTimeoutError;
}
