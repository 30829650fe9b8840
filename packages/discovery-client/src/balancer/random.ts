import type { Endpoint } from '../endpoint/endpoint.js';
import { isPickable, type BalancerStrategy } from './strategy.js';

/** Uniform random choice among admissible instances: a few random draws, then a scan from a random start. */
export class RandomStrategy implements BalancerStrategy {
  readonly name = 'random';

  constructor(private readonly random: () => number = Math.random) {}

  choose(candidates: readonly Endpoint[], exclude: ReadonlySet<string> | undefined): Endpoint | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    for (let draw = 0; draw < 3; draw++) {
      const candidate = candidates[Math.floor(this.random() * n)]!;
      if (isPickable(candidate, exclude)) return candidate;
    }
    const start = Math.floor(this.random() * n);
    for (let k = 0; k < n; k++) {
      const candidate = candidates[(start + k) % n]!;
      if (isPickable(candidate, exclude)) return candidate;
    }
    return undefined;
  }
}
