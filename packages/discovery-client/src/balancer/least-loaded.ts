import type { Endpoint } from '../endpoint/endpoint.js';
import { isPickable, type BalancerStrategy } from './strategy.js';

/** Load of an endpoint: attempts in flight, then recent latency to break ties. */
function load(endpoint: Endpoint): number {
  return endpoint.outstanding.size + (endpoint.latencyEwmaMs ?? 0) / 1e6;
}

/**
 * Power of two choices: two admissible instances drawn at random, the less loaded one wins (fewer attempts
 * in flight, then the lower latency average). Finagle's and Linkerd's default balancer; it steers away from
 * a slow instance, whose attempts pile up, without the herd behaviour of always taking the least loaded.
 */
export class LeastLoadedStrategy implements BalancerStrategy {
  readonly name = 'least-loaded';

  constructor(private readonly random: () => number = Math.random) {}

  choose(candidates: readonly Endpoint[], exclude: ReadonlySet<string> | undefined): Endpoint | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const start = Math.floor(this.random() * n);
    let first: Endpoint | undefined;
    let firstAt = -1;
    for (let k = 0; k < n; k++) {
      const candidate = candidates[(start + k) % n]!;
      if (isPickable(candidate, exclude)) {
        first = candidate;
        firstAt = k;
        break;
      }
    }
    if (!first) return undefined;
    // the second choice: a random admissible one among the rest
    const offset = 1 + Math.floor(this.random() * (n - 1));
    for (let k = 0; k < n - 1; k++) {
      const candidate = candidates[(start + firstAt + offset + k) % n]!;
      if (candidate !== first && isPickable(candidate, exclude)) return load(candidate) < load(first) ? candidate : first;
    }
    return first;
  }
}
