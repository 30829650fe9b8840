import { DiscoveryError } from './discovery-error.js';

/**
 * Why a call was shed: every usable instance was at its concurrency limit and the wait queue was full
 * (`queue-full`), or the call's deadline passed while it waited for a free slot (`queue-timeout`).
 */
export type ShedReason = 'queue-full' | 'queue-timeout';

/**
 * The client shed the call: every usable instance of the service was at its adaptive concurrency limit.
 * Nothing was sent for it. Not retryable: another instance is just as busy, and retrying adds load to an
 * overloaded fleet; back off, serve a fallback, or answer your own caller 503.
 */
export class OverloadedError extends DiscoveryError {
  readonly code = 'ERR_OVERLOADED';
  readonly retryable = false;
  readonly service: string;
  readonly reason: ShedReason;
  /** Calls waiting for a slot when this one was shed. */
  readonly queued: number;
  /** The sum of the usable instances' limits then: attempts that may be in flight on the service. */
  readonly limit: number;

  constructor(service: string, reason: ShedReason, queued: number, limit: number) {
    super(
      reason === 'queue-full'
        ? `${service} is overloaded: every instance is at its concurrency limit (${limit} in flight) and ${queued} calls wait already`
        : `${service} is overloaded: no instance had a free slot (${limit} in flight) before the call's deadline`,
    );
    this.service = service;
    this.reason = reason;
    this.queued = queued;
    this.limit = limit;
  }
}

export function isOverloadedError(error: unknown): error is OverloadedError {
  return error instanceof OverloadedError;
}
