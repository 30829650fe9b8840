import type { Endpoint } from '../endpoint/endpoint.js';
import { isPickable, type BalancerStrategy } from './strategy.js';

/**
 * Round-robin over admissible instances, starting at a random index (so a fleet of clients does not hit
 * instance 1 together). Skips instances whose breaker refuses calls; O(1) while most instances are up.
 */
export class RoundRobinStrategy implements BalancerStrategy {
  readonly name = 'round-robin';
  private next: number;

  constructor(private readonly random: () => number = Math.random) {
    this.next = Math.floor(this.random() * 1_000_000);
  }

  onListChanged(candidates: readonly Endpoint[]): void {
    this.next = candidates.length === 0 ? 0 : Math.floor(this.random() * candidates.length);
  }

  choose(candidates: readonly Endpoint[], exclude: ReadonlySet<string> | undefined): Endpoint | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const start = this.next % n;
    for (let k = 0; k < n; k++) {
      const index = start + k < n ? start + k : start + k - n;
      const candidate = candidates[index]!;
      if (isPickable(candidate, exclude)) {
        this.next = index + 1;
        return candidate;
      }
    }
    return undefined;
  }
}
