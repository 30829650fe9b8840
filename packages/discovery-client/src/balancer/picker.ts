import type { Attempt } from '../attempt/attempt.js';
import type { AttemptOutcome } from '../attempt/outcome.js';
import type { EndpointView } from '../breaker/endpoint.js';
import type { UnmatchedActiveColor } from '../errors/no-healthy-instances-error.js';

/**
 * What happens around one attempt on a picked endpoint (grpc-js's `onCallStarted` / `onCallEnded`). The
 * innermost hooks are the endpoint's breaker; each policy (outlier detection, ...) wraps them.
 */
export interface CallHooks {
  /**
   * The attempt is about to be sent. Undefined: go ahead; a `rejected` outcome: the breaker refused it
   * (its state changed since the snapshot), nothing is sent and `onCallEnded` is not called.
   */
  onCallStarted(attempt: Attempt): AttemptOutcome | undefined;
  /**
   * The attempt ended with `outcome` (classified once, in `attempt/attempt.ts`). A promise: the caller waits
   * for it before its next decision (the breaker counts a failure asynchronously, inside opossum).
   */
  onCallEnded(attempt: Attempt, outcome: AttemptOutcome): Promise<void> | undefined;
}

/** Call this endpoint, with these hooks around the attempt. */
export interface CompletePick extends CallHooks {
  readonly type: 'complete';
  readonly endpoint: EndpointView;
}

/** Why nothing can take a call now. */
export type TransientFailureReason = 'no-instances' | 'all-unavailable' | 'registry-unavailable';

/** Outcome of {@link Picker.pick}: never null, always one of these. */
export type PickResult =
  /** Call this instance. */
  | CompletePick
  /** No list yet (first resolution in flight): wait for the next picker. */
  | { readonly type: 'queue' }
  /** Nothing can take the call now. */
  | {
      readonly type: 'transientFailure';
      readonly reason: TransientFailureReason;
      /** The registry's failure, for `registry-unavailable`; for `no-instances`, why the list is empty, when the resolver knows. */
      readonly error?: Error | undefined;
      /** For `no-instances` while the active color matches none of the listed instances. */
      readonly unmatchedActiveColor?: UnmatchedActiveColor | undefined;
    };

/**
 * One immutable snapshot of a service's usable endpoints. `pick` is synchronous and cheap: it runs on every
 * attempt. `avoid` (instance keys this call already tried) is a preference: when every usable endpoint is in
 * it, one of them is picked anyway.
 */
export interface Picker {
  pick(avoid?: ReadonlySet<string>): PickResult;
}

/** The picker a strategy builds over a non-empty snapshot: it always completes. */
export interface StrategyPicker extends Picker {
  pick(avoid?: ReadonlySet<string>): CompletePick;
}

/**
 * Which instance among the usable ones: round-robin, random, least-loaded, or your own. The balancer calls
 * `picker()` whenever the usable set changes (the list, or a breaker's state) with that set's picks, never
 * an empty one.
 */
export interface BalancerStrategy {
  readonly name: string;
  picker(picks: readonly CompletePick[]): StrategyPicker;
}

/** Strategy names accepted by the `balancer` option. */
export type BalancerName = 'round-robin' | 'random' | 'least-loaded';

/**
 * Whether `pick` may be taken for a call that already tried the instance keys in `avoid`. (The default
 * round-robin picker states the same test inline: it runs on every attempt of every call.)
 */
export function notAvoided(pick: CompletePick, avoid: ReadonlySet<string> | undefined): boolean {
  return avoid === undefined || !avoid.has(pick.endpoint.instance.key);
}

/** A picker that always answers the same (queue, or a transient failure). */
export class FixedPicker implements Picker {
  constructor(readonly result: PickResult) {}

  pick(): PickResult {
    return this.result;
  }
}

export const QUEUE_PICKER = new FixedPicker(Object.freeze({ type: 'queue' }));
