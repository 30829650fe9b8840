import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { callerStalls } from '../../src/attempt/caller-stall.js';
import { Attempt } from '../../src/attempt/attempt.js';
import { VERDICTS, type AttemptOutcome } from '../../src/attempt/outcome.js';
import type { CompletePick } from '../../src/balancer/picker.js';
import { DEFAULT_BREAKER_PRESET } from '../../src/breaker/breaker-options.js';
import type { Endpoint } from '../../src/breaker/endpoint.js';
import { EndpointPool } from '../../src/breaker/endpoint-pool.js';
import { RequestTimeoutError } from '../../src/errors/request-timeout-error.js';
import { UpstreamConnectionError } from '../../src/errors/upstream-connection-error.js';
import { OutlierDetection } from '../../src/outlier/outlier-detection.js';
import { resolveOutlierDetection, type ResolvedOutlierDetection } from '../../src/outlier/outlier-options.js';
import { Prober } from '../../src/outlier/prober.js';
import type { Transport, TransportRequest, TransportResponse } from '../../src/transport/transport.js';
import { instance } from '../helpers/tracked.js';

// Fake clocks: the detection reads `clock` (and `checkStalls` takes `now` explicitly), the prober runs on
// jest's fake timers.

let pool: EndpointPool;
let detections: OutlierDetection[] = [];
let opened: string[];
let clock: number;

function setup(count: number, overrides: Parameters<typeof resolveOutlierDetection>[0] = {}, probing = false) {
  opened = [];
  clock = 0;
  const options = resolveOutlierDetection(overrides, 'default') as ResolvedOutlierDetection;
  pool = new EndpointPool({
    service: 'ratings',
    // opossum's own error-percentage rule never trips (no error rate exceeds 100 %): only the detection ejects
    settings: { ...DEFAULT_BREAKER_PRESET, errorThresholdPercentage: 100 },
    probing,
    retainMs: 60_000,
    maxEjectionPercent: options.maxEjectionPercent,
    listener: {
      onOpen: (e, reason) => opened.push(`${e.ref.id} ${reason}`),
      onHalfOpen: () => undefined,
      onClose: () => undefined,
      onTrialStarted: () => undefined,
    },
  });
  const endpoints = pool.sync(Array.from({ length: count }, (_, i) => instance(i + 1)));
  const detection = new OutlierDetection(options, () => clock);
  detections.push(detection);
  detection.snapshot(endpoints, endpoints);
  // the picks as the balancer builds them: the endpoint's own hooks (its breaker) innermost, wrapped by the detection
  const base = new Map<Endpoint, CompletePick>(endpoints.map((e) => [e, e])); // an endpoint is its own innermost pick
  const pick = (e: Endpoint): CompletePick => detection.wrap(e, base.get(e)!);
  /** One attempt on `e` through its pick, ended with `outcome`. */
  const attempt = (e: Endpoint, outcome: AttemptOutcome): void => {
    const sent = new Attempt('ratings', e.ref, 1000, false);
    const p = pick(e);
    expect(p.onCallStarted(sent)).toBeUndefined();
    sent.ended = true;
    p.onCallEnded(sent, outcome);
  };
  return { endpoints, detection, options, attempt };
}

const failure = (e: Endpoint): AttemptOutcome => ({
  type: 'instanceFailure',
  verdict: VERDICTS.instanceFailure,
  durationMs: 1000,
  reason: 'timeout',
  error: new RequestTimeoutError('ratings', 1000, e.ref),
});
const answer = (e: Endpoint, durationMs = 1): AttemptOutcome => ({
  type: 'response',
  verdict: VERDICTS.response,
  durationMs,
  response: { statusCode: 200, headers: {}, body: '', instance: e.ref },
});
const refused = (e: Endpoint): AttemptOutcome => ({
  type: 'notSent',
  verdict: VERDICTS.refused,
  durationMs: 1,
  reason: 'refused',
  error: new UpstreamConnectionError('ratings', e.ref, Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
});

afterEach(() => {
  for (const detection of detections) detection.close();
  detections = [];
  pool.close();
});

describe('OutlierDetection', () => {
  it('ejects after 5 consecutive failures, and an answer in between starts the count again', () => {
    const { endpoints: [a], attempt } = setup(3, { failurePercentage: false });
    for (let i = 0; i < 4; i++) attempt(a!, failure(a!));
    attempt(a!, answer(a!));
    for (let i = 0; i < 4; i++) attempt(a!, failure(a!));
    expect(a!.state).toBe('CLOSED');
    attempt(a!, failure(a!));
    expect(a!.state).toBe('OPEN');
    expect(opened).toEqual(['ratings-1 consecutive-failures']);
  });

  it('ejects on the first refused connection', () => {
    const { endpoints: [, b], attempt } = setup(3);
    attempt(b!, refused(b!));
    expect(opened).toEqual(['ratings-2 refused']);
  });

  it('ejects an instance failing half of its attempts within the window (failure percentage), not one failing a few', () => {
    const { endpoints: [a, b], attempt } = setup(3, { consecutiveFailures: 0 });
    for (let i = 0; i < 20; i++) {
      clock = i;
      attempt(b!, i % 5 === 0 ? failure(b!) : answer(b!));
    }
    expect(b!.state).toBe('CLOSED');
    for (let i = 0; i < 11; i++) {
      clock = i;
      attempt(a!, i % 2 === 0 ? failure(a!) : answer(a!));
    }
    expect(opened).toEqual(['ratings-1 failure-percentage']);
  });

  it('never ejects more than half of the listed instances, and never a lone instance', () => {
    const { endpoints, attempt } = setup(4);
    for (const e of endpoints) attempt(e, refused(e));
    expect(opened).toEqual(['ratings-1 refused', 'ratings-2 refused']);
    pool.close();
    const lone = setup(1);
    lone.attempt(lone.endpoints[0]!, refused(lone.endpoints[0]!));
    expect(opened).toEqual([]);
  });

  it('overload is not an outlier: while most listed instances fail at once, none is ejected', () => {
    const { endpoints, attempt } = setup(3);
    for (let round = 0; round < 6; round++) for (const e of endpoints) attempt(e, failure(e));
    expect(opened).toEqual([]);
    expect(endpoints.map((e) => e.state)).toEqual(['CLOSED', 'CLOSED', 'CLOSED']);
  });

  it("the cap holds for the breaker's own error-percentage rule too", () => {
    const capped = new EndpointPool({
      service: 'ratings',
      settings: { ...DEFAULT_BREAKER_PRESET, volumeThreshold: 1 },
      retainMs: 60_000,
      maxEjectionPercent: 50,
      listener: { onOpen: (e, reason) => opened.push(`${e.ref.id} ${reason}`), onHalfOpen: () => undefined, onClose: () => undefined, onTrialStarted: () => undefined },
    });
    opened = [];
    const [a, b] = capped.sync([instance(1), instance(2)]);
    for (const e of [a!, b!, b!]) {
      const sent = new Attempt('ratings', e.ref, 1000, false);
      expect(e.onCallStarted(sent)).toBeUndefined();
      e.onCallEnded(sent, failure(e));
    }
    // both fail every call and the rule trips on each, but only one of two may be out at once
    expect(opened).toEqual(['ratings-1 error-percentage']);
    expect(b!.state).toBe('CLOSED');
    capped.close();
  });

  describe('stalls', () => {
    // Attempts with a chosen send time and an observable rescue, through the detection's own hooks only (the
    // endpoints' hooks are not called: these attempts never reach a breaker).
    const NO_HOOKS = { onCallStarted: () => undefined, onCallEnded: () => undefined };

    function sent(detection: OutlierDetection, e: Endpoint, startedAt: number, rescuable: boolean): { attempt: Attempt; pick: CompletePick; rescued: () => boolean } {
      let rescued = false;
      const attempt = {
        startedAt,
        stalledAtStart: callerStalls.stalledMs,
        rescuable,
        ended: false,
        rescue(): void {
          rescued = true;
        },
      } as Attempt;
      const pick = detection.wrap(e, { type: 'complete', endpoint: e, ...NO_HOOKS });
      expect(pick.onCallStarted(attempt)).toBeUndefined();
      return { attempt, pick, rescued: () => rescued };
    }

    function inFlight(detection: OutlierDetection, e: Endpoint, startedAt: number, rescuable = true): { rescued: () => boolean } {
      return sent(detection, e, startedAt, rescuable);
    }

    /** `e` answered an attempt sent at `startedAt`. */
    function answered(detection: OutlierDetection, e: Endpoint, startedAt: number, durationMs: number): void {
      const { attempt, pick } = sent(detection, e, startedAt, false);
      attempt.ended = true;
      pick.onCallEnded(attempt, answer(e, durationMs));
    }

    /** The endpoints' latency averages (what their own hooks keep from answered attempts). */
    function warm(endpoints: Endpoint[], latencyMs: number): void {
      for (const e of endpoints) e.latencyMs = latencyMs;
    }

    it('ejects an instance whose oldest attempt outlived max(50 ms, 5 × median latency) while others answered later ones, and rescues its attempts', () => {
      const { endpoints, detection } = setup(3);
      const [a, b] = endpoints;
      warm(endpoints, 2);
      const first = inFlight(detection, a!, 100);
      const second = inFlight(detection, a!, 120, true);
      const post = inFlight(detection, a!, 125, false);
      answered(detection, b!, 130, 2); // b answered an attempt sent after a's oldest
      detection.checkStalls(149);
      expect(a!.state).toBe('CLOSED');
      detection.checkStalls(151);
      expect(opened).toEqual(['ratings-1 stall']);
      expect([first.rescued(), second.rescued(), post.rescued()]).toEqual([true, true, false]);
    });

    it('ejects nothing when no other instance answered since (the caller itself stalled)', () => {
      const { endpoints, detection } = setup(3);
      warm(endpoints, 2);
      inFlight(detection, endpoints[0]!, 100);
      inFlight(detection, endpoints[1]!, 101);
      detection.checkStalls(500);
      expect(opened).toEqual([]);
    });

    it('scales the threshold with the service\'s typical latency: slow everywhere is not a stall', () => {
      const { endpoints, detection } = setup(3);
      warm(endpoints, 100); // threshold: 5 × 100 ms
      inFlight(detection, endpoints[0]!, 0);
      answered(detection, endpoints[1]!, 10, 100);
      detection.checkStalls(400);
      expect(opened).toEqual([]);
      detection.checkStalls(501);
      expect(opened).toEqual(['ratings-1 stall']);
    });

    /** `e`'s attempt sent at `startedAt` timed out at `clock`. */
    function timedOut(detection: OutlierDetection, e: Endpoint, startedAt: number): void {
      const { attempt, pick } = sent(detection, e, startedAt, true);
      attempt.ended = true;
      pick.onCallEnded(attempt, failure(e));
    }

    it('at low traffic, a timeout past the threshold is a stall, ejected once another instance answers a later attempt', () => {
      const { endpoints, detection } = setup(3);
      const [a, b] = endpoints;
      warm(endpoints, 2); // threshold 50 ms
      answered(detection, b!, 50, 2); // sent before a's attempt: no evidence
      clock = 600;
      timedOut(detection, a!, 100); // one call in flight: nothing else ran beside it
      expect(opened).toEqual([]);
      answered(detection, b!, 601, 2); // the call's retry, on b
      expect(opened).toEqual(['ratings-1 stall']);
    });

    it('a timeout below the threshold is no stall (slow everywhere)', () => {
      const { endpoints, detection } = setup(3);
      const [a, b] = endpoints;
      warm(endpoints, 200); // threshold 1 s: a 500 ms timeout is just slow
      clock = 600;
      timedOut(detection, a!, 100);
      answered(detection, b!, 601, 200);
      expect(opened).toEqual([]);
    });

    it('a timed-out instance that answers a later attempt itself is no stall any more', () => {
      const { endpoints, detection } = setup(3);
      const [a, b] = endpoints;
      warm(endpoints, 2);
      clock = 600;
      timedOut(detection, a!, 100);
      answered(detection, a!, 601, 2);
      answered(detection, b!, 602, 2);
      expect(opened).toEqual([]);
    });

    it('an instance slow against its peers stands out: the median ignores it', () => {
      const { endpoints, detection } = setup(3);
      endpoints[0]!.latencyMs = 200;
      endpoints[1]!.latencyMs = 2;
      endpoints[2]!.latencyMs = 2;
      expect(detection.stallThresholdMs(endpoints)).toBe(50);
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
