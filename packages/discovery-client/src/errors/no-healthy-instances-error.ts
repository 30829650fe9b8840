import { describeUnmatchedActiveColor, type UnmatchedActiveColor } from '../resolver/unmatched-active-color.js';
import { DiscoveryError } from './discovery-error.js';

/**
 * No instance of the service can take the call: none is registered and passing, or every breaker is open.
 * The message is the walkthrough's: `all ratings instances are down`; when the active color (`color: 'active'`)
 * matches none of the listed instances it says so: `all ratings instances are down: active color green of
 * ratings (Consul KV discovery/ratings/active) matches none of its 3 instances (blue ×3)`.
 */
export class NoHealthyInstancesError extends DiscoveryError {
  readonly code = 'ERR_NO_HEALTHY_INSTANCES';
  readonly retryable = false;
  /** Service name. */
  readonly service: string;
  /** Set when the list is empty because the active color matches none of the listed instances. */
  readonly unmatchedActiveColor: UnmatchedActiveColor | undefined;

  constructor(service: string, options?: { cause?: unknown; unmatchedActiveColor?: UnmatchedActiveColor | undefined }) {
    const unmatched = options?.unmatchedActiveColor;
    super(`all ${service} instances are down${unmatched ? `: ${describeUnmatchedActiveColor(unmatched)}` : ''}`, options);
    this.service = service;
    this.unmatchedActiveColor = unmatched;
  }
}

export function isNoHealthyInstancesError(error: unknown): error is NoHealthyInstancesError {
  return error instanceof NoHealthyInstancesError;
}
