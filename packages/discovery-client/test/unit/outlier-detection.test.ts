import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { AttemptOutcome } from '../../src/attempt/outcome.js';
import { DEFAULT_BREAKER_PRESET } from '../../src/breaker/presets.js';
import type { Endpoint, InFlightAttempt } from '../../src/endpoint/endpoint.js';
import { EndpointPool } from '../../src/endpoint/endpoint-pool.js';
import { RequestTimeoutError } from '../../src/errors/request-timeout-error.js';
import { UpstreamConnectionError } from '../../src/errors/upstream-connection-error.js';
import { resolveOutlierDetection, type ResolvedOutlierDetection } from '../../src/options.js';
import { OutlierDetector } from '../../src/outlier/outlier-detector.js';
import { Prober } from '../../src/outlier/prober.js';
import type { Transport, TransportRequest, TransportResponse } from '../../src/transport/transport.js';
import { instance } from '../helpers/tracked.js';

// Fake clocks: the detector takes `now` explicitly, the prober runs on jest's fake timers.

let pool: EndpointPool;
let opened: string[];

function setup(count: number, overrides: Parameters<typeof resolveOutlierDetection>[0] = {}, probing = false) {
  opened = [];
  pool = new EndpointPool({
    service: 'ratings',
    settings: DEFAULT_BREAKER_PRESET,
    probing,
    retainMs: 60_000,
    listener: {
      onOpen: (e, reason) => opened.push(`${e.ref.id} ${reason}`),
      onHalfOpen: () => undefined,
      onClose: () => undefined,
    },
  });
  const endpoints = pool.sync(Array.from({ length: count }, (_, i) => instance(i + 1)));
  const options = resolveOutlierDetection(overrides, 'default') as ResolvedOutlierDetection;
  const detector = new OutlierDetector(options, () => endpoints);
  return { endpoints, detector, options };
}

const failure = (e: Endpoint): AttemptOutcome => ({ type: 'instanceFailure', reason: 'timeout', error: new RequestTimeoutError('ratings', 1000, e.ref) });
const answer: AttemptOutcome = { type: 'response', response: { statusCode: 200, headers: {}, body: '', instance: undefined } };
const refused = (e: Endpoint): AttemptOutcome => ({
  type: 'notSent',
  reason: 'refused',
  error: new UpstreamConnectionError('ratings', e.ref, Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
});

afterEach(() => pool.close());

describe('OutlierDetector', () => {
  it('ejects after 5 consecutive failures, and an answer in between starts the count again', () => {
    const { endpoints: [a], detector } = setup(3, { failurePercentage: false });
    for (let i = 0; i < 4; i++) detector.attemptEnded(a!, failure(a!), 0);
    a!.recordAnswer(0, 1);
    detector.attemptEnded(a!, answer, 0);
    for (let i = 0; i < 4; i++) detector.attemptEnded(a!, failure(a!), 0);
    expect(a!.state).toBe('CLOSED');
    detector.attemptEnded(a!, failure(a!), 0);
    expect(a!.state).toBe('OPEN');
    expect(opened).toEqual(['ratings-1 consecutive-failures']);
  });

  it('ejects on the first refused connection', () => {
    const { endpoints: [, b], detector } = setup(3);
    detector.attemptEnded(b!, refused(b!), 0);
    expect(opened).toEqual(['ratings-2 refused']);
  });

  it('ejects an instance failing half of its attempts within the window (failure percentage), not one failing a few', () => {
    const { endpoints: [a, b], detector } = setup(3, { consecutiveFailures: 0 });
    for (let i = 0; i < 20; i++) detector.attemptEnded(b!, i % 5 === 0 ? failure(b!) : answer, i);
    expect(b!.state).toBe('CLOSED');
    for (let i = 0; i < 11; i++) detector.attemptEnded(a!, i % 2 === 0 ? failure(a!) : answer, i);
    expect(opened).toEqual(['ratings-1 failure-percentage']);
  });

  it('never ejects more than half of the listed instances, and never a lone instance', () => {
    const { endpoints, detector } = setup(4);
    for (const e of endpoints) detector.attemptEnded(e, refused(e), 0);
    expect(opened).toEqual(['ratings-1 refused', 'ratings-2 refused']);
    pool.close();
    const lone = setup(1);
    lone.detector.attemptEnded(lone.endpoints[0]!, refused(lone.endpoints[0]!), 0);
    expect(opened).toEqual([]);
  });

  describe('stalls', () => {
    function inFlight(detector: OutlierDetector, e: Endpoint, startedAt: number, rescuable = true): { attempt: InFlightAttempt; rescued: () => boolean } {
      let rescued = false;
      const attempt = { startedAt, rescuable, rescue: () => (rescued = true) };
      e.outstanding.add(attempt);
      detector.attemptStarted(e);
      return { attempt, rescued: () => rescued };
    }

    function warm(endpoints: Endpoint[], latencyMs: number): void {
      for (const e of endpoints) e.recordAnswer(0, latencyMs);
    }

    it('ejects an instance whose oldest attempt outlived max(50 ms, 5 × median latency) while others answered later ones, and rescues its attempts', () => {
      const { endpoints, detector } = setup(3);
      const [a, b] = endpoints;
      warm(endpoints, 2);
      const first = inFlight(detector, a!, 100);
      const second = inFlight(detector, a!, 120, true);
      const post = inFlight(detector, a!, 125, false);
      b!.recordAnswer(130, 2); // b answered an attempt sent after a's oldest
      detector.checkStalls(149);
      expect(a!.state).toBe('CLOSED');
      detector.checkStalls(151);
      expect(opened).toEqual(['ratings-1 stall']);
      expect([first.rescued(), second.rescued(), post.rescued()]).toEqual([true, true, false]);
    });

    it('ejects nothing when no other instance answered since (the caller itself stalled)', () => {
      const { endpoints, detector } = setup(3);
      warm(endpoints, 2);
      inFlight(detector, endpoints[0]!, 100);
      inFlight(detector, endpoints[1]!, 101);
      detector.checkStalls(500);
      expect(opened).toEqual([]);
    });

    it('scales the threshold with the service\'s typical latency: slow everywhere is not a stall', () => {
      const { endpoints, detector } = setup(3);
      warm(endpoints, 100); // threshold: 5 × 100 ms
      inFlight(detector, endpoints[0]!, 0);
      endpoints[1]!.recordAnswer(10, 100);
      detector.checkStalls(400);
      expect(opened).toEqual([]);
      detector.checkStalls(501);
      expect(opened).toEqual(['ratings-1 stall']);
    });

    it('an instance slow against its peers stands out: the median ignores it', () => {
      const { endpoints, detector } = setup(3);
      endpoints[0]!.recordAnswer(0, 200);
      endpoints[1]!.recordAnswer(0, 2);
      endpoints[2]!.recordAnswer(0, 2);
      expect(detector.stallThresholdMs(endpoints)).toBe(50);
    });
  });
});

describe('Prober', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  class ScriptedTransport implements Transport {
    readonly name = 'scripted';
    readonly sent: TransportRequest[] = [];
    constructor(public answer: () => Promise<TransportResponse>) {}
    request(request: TransportRequest): Promise<TransportResponse> {
      this.sent.push(request);
      return this.answer();
    }
    async close(): Promise<void> {}
  }

  it('probes an ejected instance with backoff and re-admits it on the first answer once its ejection time is over; no probe while closed', async () => {
    const { endpoints: [a] } = setup(3, {}, true);
    const transport = new ScriptedTransport(() => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })));
    const prober = new Prober({ path: '/health', intervalMs: 200, maxIntervalMs: 500, timeoutMs: 1000 }, { baseEjectionTimeMs: 1000, maxEjectionTimeMs: 30_000 }, transport);
    a!.eject('refused');
    prober.start(a!);
    await jest.advanceTimersByTimeAsync(200);
    expect(transport.sent.map((r) => `${r.method} ${r.origin}${r.path}`)).toEqual(['GET http://127.0.0.1:8001/health']);
    await jest.advanceTimersByTimeAsync(400); // second probe 400 ms after the first
    expect(transport.sent).toHaveLength(2);
    transport.answer = () => Promise.resolve({ statusCode: 404, headers: {}, body: '' });
    await jest.advanceTimersByTimeAsync(500); // third probe (the cap): answers, but only 1.1 s... ejection time 1 s is over
    expect(a!.state).toBe('CLOSED');
    const sent = transport.sent.length;
    await jest.advanceTimersByTimeAsync(5000);
    expect(transport.sent).toHaveLength(sent);
    prober.close();
  });

  it('keeps an instance out for its ejection time even if it answers at once, and longer after repeated ejections', async () => {
    const { endpoints: [a] } = setup(3, {}, true);
    const transport = new ScriptedTransport(() => Promise.resolve({ statusCode: 200, headers: {}, body: '' }));
    const prober = new Prober({ path: '/health', intervalMs: 100, maxIntervalMs: 500, timeoutMs: 1000 }, { baseEjectionTimeMs: 1000, maxEjectionTimeMs: 30_000 }, transport);
    a!.eject('stall');
    prober.start(a!);
    await jest.advanceTimersByTimeAsync(999);
    expect(a!.state).toBe('OPEN');
    await jest.advanceTimersByTimeAsync(2);
    expect(a!.state).toBe('CLOSED');
    a!.eject('stall'); // again at once: two ejections in a row, 2 s
    prober.start(a!);
    await jest.advanceTimersByTimeAsync(1500);
    expect(a!.state).toBe('OPEN');
    await jest.advanceTimersByTimeAsync(600);
    expect(a!.state).toBe('CLOSED');
    prober.close();
  });
});
