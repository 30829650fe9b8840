import { describe, expect, it } from '@jest/globals';
import { PROBE_GAP_REQUESTS } from '../src/config.js';
import { computeFigures, detection } from '../src/figures.js';
import type { Attempt, RequestRecords } from '../src/records.js';

/** `n` requests at `rate`/s, all answered by `instanceOf(i)` in `latencyOf(i)` ms. */
function records(n: number, rate: number, instanceOf: (i: number) => number, latencyOf: (i: number) => number, statusOf: (i: number) => number = () => 200): RequestRecords {
  const intended = Array.from({ length: n }, (_, i) => (i * 1000) / rate);
  return {
    intended,
    sent: [...intended],
    latency: intended.map((_, i) => latencyOf(i)),
    status: intended.map((_, i) => statusOf(i)),
    error: intended.map((_, i) => (statusOf(i) === 200 ? '' : 'Error')),
    instance: intended.map((_, i) => instanceOf(i)),
    version: intended.map(() => ''),
  };
}

describe('detection', () => {
  const rate = 500;
  const requests = records(5000, rate, (i) => 8001 + (i % 3), () => 1);
  const every3 = (from: number, to: number): Attempt[] => {
    const list: Attempt[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = (i * 1000) / rate;
      if (i % 3 === 1 && t >= from && t < to) list.push({ rid: i, t, port: 8002 });
    }
    return list;
  };

  it('is the last ordinary attempt; isolated attempts after it are probes', () => {
    const probes: Attempt[] = [
      { rid: 4000, t: 8000, port: 8002 },
      { rid: 4500, t: 9000, port: 8002 },
    ];
    const result = detection([...every3(0, 6000), ...probes], requests, 8002, 5000, 10_000);
    expect(result.detectionMs).toBeGreaterThan(990);
    expect(result.detectionMs).toBeLessThanOrEqual(1000);
    expect(result.probes).toBe(2);
  });

  it('is null when ordinary traffic goes on to the end of the window', () => {
    expect(detection(every3(0, 10_000), requests, 8002, 5000, 10_000).detectionMs).toBeNull();
  });

  it('is 0 when nothing is sent to the faulty instance after the fault', () => {
    expect(detection(every3(0, 5000), requests, 8002, 5000, 10_000)).toEqual({ detectionMs: 0, probes: 0, slowProbes: 0 });
  });

  it('does not take a stall of the generator for a gap: it counts requests of the schedule in between', () => {
    // the generator stalls 300 ms at 5.5 s: nothing is sent, then everything at once
    const stalled = records(5000, rate, (i) => 8001 + (i % 3), () => 1);
    for (let i = 0; i < 5000; i++) if (stalled.intended[i]! >= 5500 && stalled.intended[i]! < 5800) stalled.sent[i] = 5800;
    const attempts = every3(0, 10_000).map((a) => ({ ...a, t: stalled.sent[a.rid]! }));
    expect(detection(attempts, stalled, 8002, 5000, 10_000).detectionMs).toBeNull();
    expect(PROBE_GAP_REQUESTS * (1000 / rate)).toBeLessThan(300);
  });
});

describe('computeFigures', () => {
  it('counts failed and slow requests, per instance and per second, and re-admission after recovery', () => {
    const rate = 100;
    // 10 s; instance 8002 fails from 3 s to 6 s (status 503, 600 ms), answers again from 6 s
    const failing = (i: number): boolean => i % 3 === 1 && i >= 300 && i < 600;
    const requests = records(
      1000,
      rate,
      (i) => 8001 + (i % 3),
      (i) => (failing(i) ? 600 : 2),
      (i) => (failing(i) ? 503 : 200),
    );
    const f = computeFigures(requests, [], { faultyPort: 8002, ports: [8001, 8002, 8003], endMs: 10_000, faultAt: 3000, recoveredAt: 6000 });
    expect(f.total).toBe(1000);
    expect(f.failed).toBe(100);
    expect(f.slow).toBe(100);
    expect(f.answersPerInstance).toEqual([334, 233, 333]);
    expect(f.perSecond.failed).toEqual([0, 0, 0, 33, 34, 33, 0, 0, 0, 0]);
    expect(f.faultFailed).toBe(100);
    expect(f.steady.count).toBe(200);
    expect(f.steady.p99).toBeCloseTo(2, 1);
    expect(f.fault!.max).toBeCloseTo(600, 0);
    // the first request sent at or after 6 s to 8002 is i = 601, answered at 6010 + 2 ms
    expect(f.readmissionMs).toBeCloseTo(12, 5);
  });
});
