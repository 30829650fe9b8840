import type { BalancerStrategy, CompletePick, StrategyPicker } from './picker.js';

/** Round-robin over one snapshot, from a random start (so a fleet of clients does not hit instance 1 together). */
class RoundRobinPicker implements StrategyPicker {
  private next: number;

  constructor(
    private readonly picks: readonly CompletePick[],
    random: () => number,
  ) {
    this.next = Math.floor(random() * picks.length);
  }

  pick(avoid?: ReadonlySet<string>): CompletePick {
    const picks = this.picks;
    const n = picks.length;
    const start = this.next % n;
    for (let k = 0; k < n; k++) {
      const index = start + k < n ? start + k : start + k - n;
      const candidate = picks[index]!;
      // picker.ts's notAvoided, inline: this runs on every attempt of every call
      if (avoid === undefined || !avoid.has(candidate.endpoint.instance.key)) {
        this.next = index + 1;
        return candidate;
      }
    }
    // every one was tried by this call: the next in turn anyway
    this.next = start + 1;
    return picks[start]!;
  }
}

/**
 * Round-robin over the usable instances, starting at a random index (grpc-js's `round_robin`). O(1) per
 * pick: the snapshot holds only instances whose breaker admits calls.
 */
export class RoundRobinStrategy implements BalancerStrategy {
  readonly name = 'round-robin';

  constructor(private readonly random: () => number = Math.random) {}

  picker(picks: readonly CompletePick[]): StrategyPicker {
    return new RoundRobinPicker(picks, this.random);
  }
}
