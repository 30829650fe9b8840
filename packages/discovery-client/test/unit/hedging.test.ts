import { describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { DiscoveryClient, RequestTimeoutError, type DiscoveryEvents, type ServiceOptions } from '../../src/index.js';
import { HEDGE_DELAY_MIN_SAMPLES, HEDGE_DELAY_WINDOW, HedgeDelay } from '../../src/retry/hedge-delay.js';
import { useClientFixture } from '../helpers/client-fixture.js';
import { Upstream } from '../helpers/upstream.js';

describe('HedgeDelay', () => {
  it('is undefined before the minimum sample count, then the nearest-rank percentile', () => {
    const delay = new HedgeDelay(95, 0);
    for (let ms = 1; ms < HEDGE_DELAY_MIN_SAMPLES; ms++) delay.record(ms);
    expect(delay.delayMs).toBeUndefined();
    delay.record(HEDGE_DELAY_MIN_SAMPLES);
    expect(delay.delayMs).toBe(19); // 20 samples 1..20: the 19th
    for (let ms = HEDGE_DELAY_MIN_SAMPLES + 1; ms <= 100; ms++) delay.record(ms);
    expect(delay.delayMs).toBe(95); // recomputed every 16 answers: 96 samples 1..96 at the last
  });

  it('keeps only the most recent window of answers, and never goes below minDelayMs', () => {
    const delay = new HedgeDelay(95, 5);
    for (let i = 0; i < HEDGE_DELAY_WINDOW; i++) delay.record(1000);
    expect(delay.delayMs).toBe(1000);
    for (let i = 0; i < HEDGE_DELAY_WINDOW; i++) delay.record(1);
    expect(delay.samplesKept).toBe(HEDGE_DELAY_WINDOW);
    expect(delay.delayMs).toBe(5);
  });
});

describe('hedging', () => {
  const fixture = useClientFixture();

  /**
   * Two instances, a client of `ratings` over them, `warmUp` answers recorded; then `u1` hangs. Outlier detection's
   * stall rule is off: it would rescue the hanging attempt (after 50 ms) in a race with the hedge.
   */
  async function setup(options: ServiceOptions, warmUp: number, transport: 'undici' | 'got' = 'undici') {
    const upstreams = await Promise.all(['u1', 'u2'].map((name) => new Upstream(name).start()));
    fixture.upstreams = upstreams;
    const client = new DiscoveryClient({ logger: false, static: { ratings: upstreams.map((u) => ({ id: u.name, url: u.url })) } });
    fixture.client = client;
    const hedged: Array<DiscoveryEvents['callHedged']> = [];
    client.on('callHedged', (event) => hedged.push(event));
    const service = client.service('ratings', { transport, outlierDetection: { stall: false }, ...options });
    const snapshot = () => client.snapshot().services[0]!;
    for (let i = 0; i < warmUp; i++) await service.get('/warm-up');
    // a warm-up answer slower than the hedge delay (a busy machine) may have been hedged: only what follows counts
    hedged.length = 0;
    const sentBefore = snapshot().hedges.sent;
    const hedgesSent = () => snapshot().hedges.sent - sentBefore;
    upstreams[0]!.mode = 'hang';
    return { service, upstreams, hedged, snapshot, hedgesSent };
  }

  /** Two calls at once: round-robin sends one to each instance, so one of them starts on the hanging `u1`. */
  const twoCalls = (service: { get(path: string): Promise<{ body: string }> }) =>
    Promise.allSettled([service.get('/ratings/camera'), service.get('/ratings/camera')]);
  const from = (result: PromiseSettledResult<{ body: string }>) => (result.status === 'fulfilled' ? (JSON.parse(result.value.body) as { from: string }).from : result.reason);

  it.each(['undici', 'got'] as const)('over %s, an attempt late past the hedge delay loses to a hedge on the other instance, aborted without counting against its instance', async (transport) => {
    const { service, upstreams, hedged, snapshot } = await setup(
      // no concurrency limit: on a busy machine it may hold u2 to one attempt in flight, and a hedge refused there is not sent
      // no extra-load cap: a warm-up answer hedged on a busy machine would spend the 5 % of 24 calls
      { hedging: { minDelayMs: 100, maxExtraLoad: 1 }, timeout: 10_000, concurrencyLimit: false },
      HEDGE_DELAY_MIN_SAMPLES + 4,
      transport,
    );
    const results = await twoCalls(service);
    expect(results.map(from)).toEqual(['u2', 'u2']);
    expect(hedged).toContainEqual(expect.objectContaining({ service: 'ratings', instance: expect.objectContaining({ id: 'u2' }), of: expect.objectContaining({ id: 'u1' }), hedge: 1 }));
    await waitFor(() => upstreams[0]!.aborted === 1, { timeoutMs: 5000, what: 'the losing attempt aborted' });
    const state = snapshot();
    expect(state.hedges.won).toBeGreaterThanOrEqual(1);
    const u1 = state.instances.find((i) => i.id === 'u1')!;
    await waitFor(() => snapshot().instances.find((i) => i.id === 'u1')!.outstanding === 0, { timeoutMs: 5000, what: 'the loser ended' });
    expect(u1.failures).toBe(0);
    expect(u1.breaker).toBe('CLOSED');
  });

  it('sends no hedge before the minimum count of answers: the late attempt times out and is retried', async () => {
    const { service, hedged, snapshot, hedgesSent } = await setup({ hedging: { minDelayMs: 100 }, timeout: 400 }, HEDGE_DELAY_MIN_SAMPLES - 4);
    const results = await twoCalls(service);
    expect(results.map(from)).toEqual(['u2', 'u2']);
    expect(hedged).toEqual([]);
    expect(hedgesSent()).toBe(0);
    expect(snapshot().instances.find((i) => i.id === 'u1')!.failures).toBe(1);
  });

  it('sends no hedge when the retry budget is spent', async () => {
    const options: ServiceOptions = { hedging: { minDelayMs: 100 }, timeout: 400, retry: { budget: { ratio: 0, minPerSecond: 0 } } };
    const { service, hedged, hedgesSent } = await setup(options, HEDGE_DELAY_MIN_SAMPLES + 4);
    const results = await twoCalls(service);
    expect(results.map(from)).toContainEqual(expect.any(RequestTimeoutError));
    expect(hedged).toEqual([]);
    expect(hedgesSent()).toBe(0);
  });

  it('sends no hedge past `maxExtraLoad` of the hedgeable calls (its own budget, beside the retry budget)', async () => {
    const options: ServiceOptions = { hedging: { minDelayMs: 100, maxExtraLoad: 0.001 }, timeout: 400 };
    const { service, hedged, hedgesSent, snapshot } = await setup(options, HEDGE_DELAY_MIN_SAMPLES + 4);
    // 26 calls × 0.001: no hedge; the late attempt times out and is retried on u2
    expect((await twoCalls(service)).map(from)).toEqual(['u2', 'u2']);
    expect(hedged).toEqual([]);
    expect(hedgesSent()).toBe(0);
    expect(snapshot().instances.find((i) => i.id === 'u1')!.failures).toBe(1);
  });

  it("keeps the first attempt's age, not the winning hedge's latency, as the race's sample: hedged calls raise the delay instead of lowering it", async () => {
    // `u1` hangs, so every call that starts there is hedged to `u2` and the hedge wins. Were the hedge's own
    // (short) latency recorded, the window would lose its slow answers and the delay could only stay or fall.
    const { service, hedged } = await setup({ hedging: { minDelayMs: 0, maxExtraLoad: 1 }, timeout: 10_000, concurrencyLimit: false }, HEDGE_DELAY_MIN_SAMPLES + 4);
    for (let i = 0; i < 64; i++) await service.get('/ratings/camera');
    expect(hedged.length).toBeGreaterThanOrEqual(16);
    expect(hedged.at(-1)!.delayMs).toBeGreaterThan(hedged[0]!.delayMs);
  });

  it('sends no hedge that the other instance refuses at its concurrency limit (a hedge never queues)', async () => {
    const options: ServiceOptions = { hedging: { minDelayMs: 100 }, timeout: 600, retry: { limit: 0 }, concurrencyLimit: { initialLimit: 1, minLimit: 1, maxLimit: 1 } };
    const { service, upstreams, hedged, hedgesSent } = await setup(options, HEDGE_DELAY_MIN_SAMPLES + 4);
    upstreams[1]!.mode = 'hang';
    const results = await twoCalls(service);
    expect(results.map(from)).toEqual([expect.any(RequestTimeoutError), expect.any(RequestTimeoutError)]);
    expect(hedged).toEqual([]);
    expect(hedgesSent()).toBe(0);
  });

  it('is off by default', async () => {
    const { service, hedged, snapshot, hedgesSent } = await setup({ timeout: 400 }, HEDGE_DELAY_MIN_SAMPLES + 4);
    expect((await twoCalls(service)).map(from)).toEqual(['u2', 'u2']);
    expect(hedged).toEqual([]);
    expect(hedgesSent()).toBe(0);
    expect(snapshot().instances.find((i) => i.id === 'u1')!.failures).toBe(1);
  });

  it('sends no hedge for a call that opts out with `hedging: false`', async () => {
    const { service, hedged, hedgesSent } = await setup({ hedging: { minDelayMs: 100 }, timeout: 400 }, HEDGE_DELAY_MIN_SAMPLES + 4);
    const optedOut = await Promise.allSettled([service.get('/x', { hedging: false }), service.get('/x', { hedging: false })]);
    expect(optedOut.map(from)).toEqual(['u2', 'u2']);
    expect(hedged).toEqual([]);
    expect(hedgesSent()).toBe(0);
  });

  it('sends no hedge for a method that is not safe (POST)', async () => {
    const { service, hedged, hedgesSent } = await setup({ hedging: { minDelayMs: 100 }, timeout: 400 }, HEDGE_DELAY_MIN_SAMPLES + 4);
    const results = await Promise.allSettled([service.post('/x'), service.post('/x')]);
    // round-robin sends one to each instance, in an order the warm-up decided
    expect(results.map(from)).toEqual(expect.arrayContaining([expect.any(RequestTimeoutError), 'u2']));
    expect(hedged).toEqual([]);
    expect(hedgesSent()).toBe(0);
  });

  it('rejects bad options with a TypeError naming the option', async () => {
    const client = new DiscoveryClient({ logger: false, static: { ratings: ['http://127.0.0.1:1'] } });
    fixture.client = client;
    expect(() => client.service('ratings', { hedging: { delayPercentile: 100 } })).toThrow(/`hedging.delayPercentile` to be a number from 1 to 99.9, got 100/);
    expect(() => client.service('ratings', { hedging: { minDelayMs: -1 } })).toThrow(/`hedging.minDelayMs`/);
    expect(() => client.service('ratings', { hedging: { maxHedges: 0 } })).toThrow(/`hedging.maxHedges`/);
    expect(() => client.service('ratings', { hedging: { maxHedges: 1.5 } })).toThrow(/`hedging.maxHedges` to be an integer/);
    expect(() => client.service('ratings', { hedging: { maxExtraLoad: 0 } })).toThrow(/`hedging.maxExtraLoad` to be a finite number >= 0.001, got 0/);
    expect(() => client.service('ratings', { hedging: { delay: 5 } as never })).toThrow(/Unknown option `hedging.delay`/);
    expect(() => client.service('ratings', { hedging: true as never })).toThrow(TypeError);
    await expect(client.service('ratings').get('/x', { hedging: true as never })).rejects.toThrow(/`hedging` to be false/);
  });
});
