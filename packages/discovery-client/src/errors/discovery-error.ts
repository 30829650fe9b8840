import type { InstanceRef } from '../instance.js';

/** Base class of every error this library throws: a stable `code`, the original error as `cause`. */
export abstract class DiscoveryError extends Error {
  /** Stable machine-readable code, e.g. `ERR_NO_HEALTHY_INSTANCES`. */
  abstract readonly code: string;
  /** Whether another attempt (on another instance) may succeed. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** Fields shared by errors that happened while calling one instance. */
export interface InstanceErrorFields {
  /** Service name. */
  service: string;
  /** The instance the attempt went to. */
  instance?: InstanceRef | undefined;
}
