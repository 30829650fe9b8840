import type { InstanceRef } from '../instance.js';
import { DiscoveryError } from './discovery-error.js';

/** The instance could not be reached or dropped the connection (ECONNREFUSED, ECONNRESET, ...). Retryable. */
export class UpstreamConnectionError extends DiscoveryError {
  readonly code = 'ERR_UPSTREAM_CONNECTION';
  readonly retryable = true;
  readonly service: string;
  readonly instance: InstanceRef;
  /** The system error code, e.g. `ECONNREFUSED`, when known. */
  readonly errno: string | undefined;

  constructor(service: string, instance: InstanceRef, cause: unknown) {
    const errno = (cause as { code?: unknown } | null)?.code;
    const code = typeof errno === 'string' ? errno : undefined;
    super(`cannot reach ${service} at ${instance.url}${code ? ` (${code})` : ''}`, { cause });
    this.service = service;
    this.instance = instance;
    this.errno = code;
  }
}

export function isUpstreamConnectionError(error: unknown): error is UpstreamConnectionError {
  return error instanceof UpstreamConnectionError;
}
