import type { Endpoint } from '../endpoint/endpoint.js';

/**
 * Which instance among the admissible ones. A strategy is one file: round-robin, random, least-loaded.
 * An endpoint carries what a load-aware strategy reads: `outstanding.size` (attempts in flight) and
 * `latencyEwmaMs`.
 */
export interface BalancerStrategy {
  readonly name: string;
  /**
   * Returns a candidate for which {@link isPickable} holds, or undefined when there is none.
   * Must be synchronous and cheap: it runs on every attempt.
   */
  choose(candidates: readonly Endpoint[], exclude: ReadonlySet<string> | undefined): Endpoint | undefined;
  /** The list changed (reset positions, weights...). */
  onListChanged?(candidates: readonly Endpoint[]): void;
}

/** A candidate can take an attempt: its breaker admits a call and it was not tried already for this call. */
export function isPickable(candidate: Endpoint, exclude: ReadonlySet<string> | undefined): boolean {
  return candidate.isAvailable() && (exclude === undefined || !exclude.has(candidate.instance.key));
}

/** Strategy names accepted by the `balancer` option. */
export type BalancerName = 'round-robin' | 'random' | 'least-loaded';
