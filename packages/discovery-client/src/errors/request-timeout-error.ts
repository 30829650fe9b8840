import type { InstanceRef } from '../instance.js';
import { DiscoveryError } from './discovery-error.js';

/**
 * An attempt took longer than its timeout (the HTTP request was aborted), or the overall deadline passed; or,
 * with `stalled`, outlier detection aborted it early because its instance stalled (no answer while other
 * instances answered later attempts) so that the call could go on elsewhere.
 * Message: `request to ratings at http://127.0.0.1:8002 timed out after 1000ms` (no instance: the deadline), or
 * `request to ratings at http://127.0.0.1:8002 stalled: no answer after 180ms while other instances answered`.
 */
export class RequestTimeoutError extends DiscoveryError {
  readonly code = 'ERR_REQUEST_TIMEOUT';
  readonly retryable = true;
  readonly service: string;
  readonly instance: InstanceRef | undefined;
  /** The limit that fired, in milliseconds; for a stall, the attempt's age when it was aborted. */
  readonly timeoutMs: number;
  /** Aborted by a stall rescue, not by a timer. @default false */
  readonly stalled: boolean;

  constructor(service: string, timeoutMs: number, instance?: InstanceRef, options?: { cause?: unknown; stalled?: boolean }) {
    const stalled = options?.stalled ?? false;
    const where = `${service}${instance ? ` at ${instance.url}` : ''}`;
    super(stalled ? `request to ${where} stalled: no answer after ${timeoutMs}ms while other instances answered` : `request to ${where} timed out after ${timeoutMs}ms`, options);
    this.service = service;
    this.timeoutMs = timeoutMs;
    this.instance = instance;
    this.stalled = stalled;
  }
}

export function isRequestTimeoutError(error: unknown): error is RequestTimeoutError {
  return error instanceof RequestTimeoutError;
}
