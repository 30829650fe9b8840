import { notAvoided, type BalancerStrategy, type CompletePick, type StrategyPicker } from './picker.js';

class RandomPicker implements StrategyPicker {
  constructor(
    private readonly picks: readonly CompletePick[],
    private readonly random: () => number,
  ) {}

  pick(avoid?: ReadonlySet<string>): CompletePick {
    const picks = this.picks;
    const n = picks.length;
    for (let draw = 0; draw < 3; draw++) {
      const candidate = picks[Math.floor(this.random() * n)]!;
      if (notAvoided(candidate, avoid)) return candidate;
    }
    const start = Math.floor(this.random() * n);
    for (let k = 0; k < n; k++) {
      const candidate = picks[(start + k) % n]!;
      if (notAvoided(candidate, avoid)) return candidate;
    }
    return picks[start]!;
  }
}

/** Uniform random choice among the usable instances: a few random draws, then a scan from a random start. */
export class RandomStrategy implements BalancerStrategy {
  readonly name = 'random';

  constructor(private readonly random: () => number = Math.random) {}

  picker(picks: readonly CompletePick[]): StrategyPicker {
    return new RandomPicker(picks, this.random);
  }
}
