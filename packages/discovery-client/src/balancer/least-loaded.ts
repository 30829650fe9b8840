import { notAvoided, type BalancerStrategy, type CompletePick, type StrategyPicker } from './picker.js';

/** Load of a pick's endpoint: attempts in flight (kept by its call hooks), then recent latency to break ties. */
function load(pick: CompletePick): number {
  return pick.endpoint.outstanding + (pick.endpoint.latencyMs ?? 0) / 1e6;
}

class LeastLoadedPicker implements StrategyPicker {
  constructor(
    private readonly picks: readonly CompletePick[],
    private readonly random: () => number,
  ) {}

  pick(avoid?: ReadonlySet<string>): CompletePick {
    const picks = this.picks;
    const n = picks.length;
    const start = Math.floor(this.random() * n);
    let first: CompletePick | undefined;
    let firstAt = -1;
    for (let k = 0; k < n; k++) {
      const candidate = picks[(start + k) % n]!;
      if (notAvoided(candidate, avoid)) {
        first = candidate;
        firstAt = k;
        break;
      }
    }
    if (!first) return picks[start]!;
    // the second choice: a random one among the rest that this call did not try
    const offset = 1 + Math.floor(this.random() * (n - 1));
    for (let k = 0; k < n - 1; k++) {
      const candidate = picks[(start + firstAt + offset + k) % n]!;
      if (candidate !== first && notAvoided(candidate, avoid)) return load(candidate) < load(first) ? candidate : first;
    }
    return first;
  }
}

/**
 * Power of two choices: two usable instances drawn at random, the less loaded one wins (fewer attempts in
 * flight, then the lower latency average). Finagle's and Linkerd's default balancer; it steers away from a
 * slow instance, whose attempts pile up, without the herd behaviour of always taking the least loaded.
 */
export class LeastLoadedStrategy implements BalancerStrategy {
  readonly name = 'least-loaded';

  constructor(private readonly random: () => number = Math.random) {}

  picker(picks: readonly CompletePick[]): StrategyPicker {
    return new LeastLoadedPicker(picks, this.random);
  }
}
