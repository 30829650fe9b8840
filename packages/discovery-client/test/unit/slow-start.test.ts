import { afterEach, describe, expect, it } from '@jest/globals';
import { Attempt } from '../../src/attempt/attempt.js';
import { DEFAULT_BREAKER_PRESET } from '../../src/breaker/breaker-options.js';
import type { Endpoint } from '../../src/breaker/endpoint.js';
import { EndpointPool } from '../../src/breaker/endpoint-pool.js';
import { ConcurrencyLimit } from '../../src/overload/concurrency-limit.js';
import { resolveConcurrencyLimit, type ResolvedConcurrencyLimit } from '../../src/overload/concurrency-limit-options.js';

// The limiter on its own with a clock the test moves: how many attempts an endpoint admits at a given moment.

let pool: EndpointPool | undefined;
afterEach(() => pool?.close());

function setup(slowStartWindowMs?: number) {
  pool = new EndpointPool({
    service: 'ratings',
    settings: DEFAULT_BREAKER_PRESET,
    retainMs: 60_000,
    listener: { onOpen: () => undefined, onHalfOpen: () => undefined, onClose: () => undefined, onTrialStarted: () => undefined },
  });
  const endpoints = pool.sync([1, 2].map((n) => ({ service: 'ratings', id: `ratings-${n}`, key: `ratings-${n}`, address: '127.0.0.1', port: 8000 + n, url: `http://127.0.0.1:${8000 + n}`, tags: [], meta: {} })));
  const settings = resolveConcurrencyLimit({ minLimit: 20, maxLimit: 20, initialLimit: 20, ...(slowStartWindowMs === undefined ? {} : { slowStartWindowMs }) }, 'default') as ResolvedConcurrencyLimit;
  let now = 0;
  const limiter = new ConcurrencyLimit('ratings', settings, () => now);
  /** Attempts `e` admits now, stopping at its limit (never ended). */
  const admitted = (e: Endpoint): number => {
    const pick = limiter.wrap(e, e);
    let n = 0;
    while (n < 100 && pick.onCallStarted(new Attempt('ratings', e.ref, 1000, false)) === undefined) n++;
    return n;
  };
  return { endpoints, limiter, admitted, at: (ms: number) => (now = ms) };
}

describe('slow start', () => {
  it('an instance that comes into rotation while another serves starts with a tenth of its limit and ramps to all of it over the window', () => {
    const { endpoints: [a, b], limiter, admitted, at } = setup();
    limiter.snapshot([a!, b!], [a!]);
    at(0);
    limiter.snapshot([a!, b!], [a!, b!]); // b is re-admitted
    expect(admitted(b!)).toBe(2); // 10 % of 20
    at(500);
    expect(admitted(b!)).toBe(8); // half of 20 now, 2 in flight already
    at(1000);
    expect(admitted(b!)).toBe(10); // all of it
    expect(admitted(a!)).toBe(20); // the one that served all along: never ramped
  });

  it('not on the first list, and not when turned off', () => {
    const first = setup();
    first.limiter.snapshot(first.endpoints, first.endpoints);
    expect(first.admitted(first.endpoints[1]!)).toBe(20);
    pool!.close();
    const off = setup(0);
    off.limiter.snapshot([off.endpoints[0]!], [off.endpoints[0]!]);
    off.limiter.snapshot(off.endpoints, off.endpoints);
    expect(off.admitted(off.endpoints[1]!)).toBe(20);
  });
});
