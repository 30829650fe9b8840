import { afterEach, describe, expect, it } from '@jest/globals';
import { Attempt } from '../../src/attempt/attempt.js';
import { Balancer } from '../../src/balancer/balancer.js';
import { RandomStrategy } from '../../src/balancer/random.js';
import { LeastLoadedStrategy } from '../../src/balancer/least-loaded.js';
import { RoundRobinStrategy } from '../../src/balancer/round-robin.js';
import type { BalancerStrategy } from '../../src/balancer/picker.js';
import type { Endpoint } from '../../src/breaker/endpoint.js';
import type { EndpointPool } from '../../src/breaker/endpoint-pool.js';
import { connectionFailure, runAttempt, trackedList } from '../helpers/tracked.js';

let pools: EndpointPool[] = [];
function setup(count: number, strategy: BalancerStrategy = new RoundRobinStrategy(() => 0)) {
  const balancer = new Balancer(strategy);
  // the balancer does not watch breakers: as in the service state, every transition refreshes its picker
  const { pool, tracked } = trackedList(count, () => balancer.refresh());
  pools.push(pool);
  balancer.setInstances(tracked);
  return { balancer, tracked };
}

function pickId(balancer: Balancer, avoid?: Set<string>): string {
  const result = balancer.picker.pick(avoid);
  if (result.type !== 'complete') throw new Error(`expected a complete pick, got ${result.type}`);
  return result.endpoint.instance.id;
}

/** One connection failure through the endpoint's hooks: with the datawire preset, its breaker opens. */
async function openBreaker(balancer: Balancer, index: number): Promise<void> {
  const endpoint = balancer.current[index]!;
  await runAttempt(endpoint, () => connectionFailure(endpoint));
  expect(endpoint.state).toBe('OPEN');
}

/** An attempt admitted on `endpoint` and still in flight (never ended). */
function inFlight(endpoint: Endpoint): void {
  expect(endpoint.onCallStarted(new Attempt('ratings', endpoint.ref, 1000, false))).toBeUndefined();
}

afterEach(() => {
  for (const pool of pools) pool.close();
  pools = [];
});

describe('round-robin', () => {
  it('interleaves across every instance in order', () => {
    const { balancer } = setup(3);
    expect([1, 2, 3, 4, 5, 6].map(() => pickId(balancer))).toEqual([
      'ratings-1', 'ratings-2', 'ratings-3', 'ratings-1', 'ratings-2', 'ratings-3',
    ]);
  });

  it('starts at a random index', () => {
    const { balancer } = setup(4, new RoundRobinStrategy(() => 0.6));
    expect(pickId(balancer)).toBe('ratings-3');
  });

  it('skips an instance whose breaker is open', async () => {
    const { balancer } = setup(3);
    await openBreaker(balancer, 1);
    expect([1, 2, 3, 4].map(() => pickId(balancer))).toEqual(['ratings-1', 'ratings-3', 'ratings-1', 'ratings-3']);
  });

  it('skips excluded instances (already tried by this call)', () => {
    const { balancer } = setup(3);
    expect(pickId(balancer, new Set(['node/ratings-1', 'node/ratings-2']))).toBe('ratings-3');
  });

  it('reports a transient failure, never null, when every breaker is open', async () => {
    const { balancer } = setup(2);
    await openBreaker(balancer, 0);
    await openBreaker(balancer, 1);
    expect(balancer.picker.pick()).toEqual({ type: 'transientFailure', reason: 'all-unavailable' });
  });

  it('queues before the first list and fails with no instances on an empty one', () => {
    const balancer = new Balancer(new RoundRobinStrategy());
    expect(balancer.picker.pick().type).toBe('queue');
    balancer.setInstances([]);
    expect(balancer.picker.pick()).toEqual({ type: 'transientFailure', reason: 'no-instances' });
  });

  it('keeps serving the list after a failure unless the list is dropped', () => {
    const { balancer } = setup(2);
    balancer.setFailure(new Error('consul down'), false);
    expect(balancer.picker.pick().type).toBe('complete');
    balancer.setFailure(new Error('consul down'), true);
    const result = balancer.picker.pick();
    expect(result.type === 'transientFailure' && result.reason).toBe('registry-unavailable');
  });
});

describe('random', () => {
  it('only picks admissible instances', async () => {
    let i = 0;
    const values = [0.1, 0.5, 0.9, 0.3];
    const { balancer } = setup(3, new RandomStrategy(() => values[i++ % values.length]!));
    await openBreaker(balancer, 0);
    for (let k = 0; k < 20; k++) expect(pickId(balancer)).not.toBe('ratings-1');
  });

  it('spreads picks over all instances', () => {
    const { balancer } = setup(3, new RandomStrategy());
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) seen.add(pickId(balancer));
    expect(seen.size).toBe(3);
  });
});

describe('least-loaded (power of two choices)', () => {
  it('of two candidates takes the one with fewer attempts in flight, then the lower latency', () => {
    // draws: first candidate at index 0, second one step further
    const { balancer, tracked } = setup(3, new LeastLoadedStrategy(() => 0));
    inFlight(tracked[0]!);
    expect(pickId(balancer)).toBe('ratings-2');
    inFlight(tracked[1]!);
    tracked[0]!.latencyMs = 50;
    tracked[1]!.latencyMs = 5;
    expect(pickId(balancer)).toBe('ratings-2');
  });

  it('steers away from an instance whose attempts pile up, and never picks an open breaker', async () => {
    const { balancer, tracked } = setup(3, new LeastLoadedStrategy());
    for (let i = 0; i < 5; i++) inFlight(tracked[2]!);
    const picks = Array.from({ length: 300 }, () => pickId(balancer));
    // ratings-3 wins only when drawn twice, which two distinct draws never do
    expect(picks).not.toContain('ratings-3');
    await openBreaker(balancer, 0);
    expect(new Set(Array.from({ length: 50 }, () => pickId(balancer)))).toEqual(new Set(['ratings-2']));
  });
});
