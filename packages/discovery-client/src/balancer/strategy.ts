import type { TrackedInstance } from '../breaker/breaker-pool.js';

/**
 * Which instance among the admissible ones. A strategy is one file: round-robin, random; least-outstanding
 * or power-of-two-choices plug in the same way (the optional call hooks give them in-flight counts).
 */
export interface BalancerStrategy {
  readonly name: string;
  /**
   * Returns a candidate for which {@link isPickable} holds, or undefined when there is none.
   * Must be synchronous and cheap: it runs on every attempt.
   */
  choose(candidates: readonly TrackedInstance[], exclude: ReadonlySet<string> | undefined): TrackedInstance | undefined;
  /** The list changed (reset positions, weights...). */
  onListChanged?(candidates: readonly TrackedInstance[]): void;
  onCallStarted?(tracked: TrackedInstance): void;
  onCallEnded?(tracked: TrackedInstance): void;
}

/** A candidate can take an attempt: its breaker admits a call and it was not tried already for this call. */
export function isPickable(candidate: TrackedInstance, exclude: ReadonlySet<string> | undefined): boolean {
  return candidate.breaker.isAvailable() && (exclude === undefined || !exclude.has(candidate.instance.key));
}

/** Strategy names accepted by the `balancer` option. */
export type BalancerName = 'round-robin' | 'random';
