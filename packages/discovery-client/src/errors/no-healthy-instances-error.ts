import { DiscoveryError } from './discovery-error.js';

/**
 * The active color in force matches none of the listed instances while some (of other colors) are listed:
 * nothing can be called, typically a key left over from an earlier cut-over.
 */
export interface UnmatchedActiveColor {
  readonly service: string;
  /** The Consul KV key naming the color: `discovery/<service>/active`. */
  readonly key: string;
  /** The active color in force. */
  readonly color: string;
  /** How many instances are listed (each of another color, or of none). */
  readonly instances: number;
  /** Listed instances per color, e.g. `{ blue: 3 }`. */
  readonly colors: Readonly<Record<string, number>>;
  /** Listed instances with no color. */
  readonly uncolored: number;
}

/**
 * `active color green of ratings (Consul KV discovery/ratings/active) matches none of its 3 instances (blue ×3)`.
 */
export function describeUnmatchedActiveColor(u: UnmatchedActiveColor): string {
  const counts = Object.entries(u.colors)
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([color, count]) => `${color} ×${count}`);
  if (u.uncolored > 0) counts.push(`no color ×${u.uncolored}`);
  return (
    `active color ${u.color} of ${u.service} (Consul KV ${u.key}) matches none of its ` +
    `${u.instances} instance${u.instances === 1 ? '' : 's'} (${counts.join(', ')})`
  );
}

/**
 * No instance of the service can take the call: none is registered and passing, or every breaker is open.
 * The message is the walkthrough's: `all ratings instances are down`; when the active color (`color: 'active'`)
 * matches none of the listed instances it says so: `all ratings instances are down: active color green of
 * ratings (Consul KV discovery/ratings/active) matches none of its 3 instances (blue ×3)`.
 */
export class NoHealthyInstancesError extends DiscoveryError {
  /** `ERR_NO_HEALTHY_INSTANCES`, also for its subclasses that say why the list is empty (`UnknownServiceError`, `NoMatchingInstancesError`). */
  readonly code: string = 'ERR_NO_HEALTHY_INSTANCES';
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
