import type { InstanceRef } from '../instance.js';
import { DiscoveryError } from './discovery-error.js';

/** The instance's breaker refused the call (open, or half-open with its probe already in flight). */
export class CircuitOpenError extends DiscoveryError {
  readonly code = 'ERR_CIRCUIT_OPEN';
  readonly retryable = true;
  readonly service: string;
  readonly instance: InstanceRef;

  constructor(service: string, instance: InstanceRef, options?: { cause?: unknown }) {
    super(`breaker is open on [${service} at ${instance.url}]`, options);
    this.service = service;
    this.instance = instance;
  }
}

export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return error instanceof CircuitOpenError;
}
