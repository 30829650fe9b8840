import { describe, expect, it } from '@jest/globals';
import { computeOverloadFigures } from '../src/overload-figures.js';
import type { Attempt, RequestRecords } from '../src/records.js';

/** 10 s at 100 requests/s; `outcome(i)` gives each request's status and latency. */
function records(outcome: (i: number) => [number, number]): RequestRecords {
  const intended = Array.from({ length: 1000 }, (_, i) => i * 10);
  return {
    intended,
    sent: [...intended],
    latency: intended.map((_, i) => outcome(i)[1]),
    status: intended.map((_, i) => outcome(i)[0]),
    error: intended.map((_, i) => (outcome(i)[0] === 200 ? '' : 'Error')),
    instance: intended.map(() => 8001),
    version: intended.map(() => ''),
  };
}

describe('computeOverloadFigures', () => {
  // fault from 3 s to 6 s: requests due then fail; in the 2 s after it, half are late (2xx after 1.5 s)
  const outcome = (i: number): [number, number] => {
    const t = i * 10;
    if (t >= 3000 && t < 6000) return [503, 1000];
    if (t >= 6000 && t < 8000 && i % 2 === 0) return [200, 1500];
    return [200, 10 + (i % 10)];
  };
  const requests = records(outcome);
  // one attempt per request, two for those of the fault
  const attempts: Attempt[] = requests.intended.flatMap((t, rid) => (t >= 3000 && t < 6000 ? [{ rid, t, port: 8001, failed: true }, { rid, t, port: 8002, failed: true }] : [{ rid, t, port: 8001 }]));
  const figures = computeOverloadFigures({
    requests,
    attempts,
    endMs: 10_000,
    faultAt: 3000,
    recoveredAt: 6000,
    timeline: [{ t: 3500, port: 8002, kind: 'open' }, { t: 4000, port: 8002, kind: 'half-open' }, { t: 6500, port: 8001, kind: 'open' }],
    instances: [{ arrivals: requests.intended.filter((t) => t >= 1000), served: 900, abandoned: 3, maxQueued: 7 }],
  });

  it('splits the run into phases: good, failed, p99 of the good ones, attempts, arrivals, ejections', () => {
    expect(figures.before).toEqual({
      from: 1000, to: 3000, requests: 200, good: 200, failed: 0, goodP50: expect.any(Number), goodP99: expect.any(Number), goodP999: expect.any(Number),
      attemptsPerRequest: 1, failedAttempts: 0, arrivalsPerRequest: 1, ejections: 0,
    });
    expect(figures.before.goodP50).toBeCloseTo(14, 0);
    expect(figures.before.goodP99).toBeCloseTo(19, 0);
    expect(figures.before.goodP999).toBeCloseTo(19, 0);
    expect(figures.during).toMatchObject({ requests: 300, good: 0, failed: 300, goodP99: null, attemptsPerRequest: 2, failedAttempts: 600, ejections: 1 });
    // late answers are neither good nor failed
    expect(figures.after).toMatchObject({ requests: 400, good: 300, failed: 0, attemptsPerRequest: 1, ejections: 1 });
    expect(figures.instances).toEqual([{ served: 900, abandoned: 3, maxQueued: 7 }]);
  });

  it('counts per second, and the time until every second after the fault is good again', () => {
    expect(figures.perSecond.good).toEqual([100, 100, 100, 0, 0, 0, 50, 50, 100, 100]);
    expect(figures.perSecond.failed).toEqual([0, 0, 0, 100, 100, 100, 0, 0, 0, 0]);
    expect(figures.perSecond.attemptsPerRequest).toEqual([1, 1, 1, 2, 2, 2, 1, 1, 1, 1]);
    expect(figures.perSecond.arrivals).toEqual([[0, 100, 100, 100, 100, 100, 100, 100, 100, 100]]);
    expect(figures.perSecond.ejections).toEqual([0, 0, 0, 1, 0, 0, 1, 0, 0, 0]);
    expect(figures.afterShares).toEqual([0.5, 0.5, 1, 1]);
    expect(figures.recoveryMs).toBe(2000);
  });

  it('says when the backlog of the fault drained, and counts the slow requests due after that', () => {
    // the last request due before 6 s (at 5.99 s) failed after 1 s: the backlog drained at 6.99 s; requests
    // due from then on that took 1.5 s (every other one until 8 s) are slow
    expect(figures.drain.atMs).toBeCloseTo(6990, 6);
    expect(figures.drain.slowAfter).toBe(50); // 7.00, 7.02, … 7.98 s
  });

  it('says when the run ends before recovery, and knows no ejections or arrivals without their records', () => {
    const bad = computeOverloadFigures({ requests: records((i) => (i * 10 >= 3000 ? [503, 5] : [200, 5])), attempts: [], endMs: 10_000, faultAt: 3000, recoveredAt: 6000 });
    expect(bad.recoveryMs).toBeNull();
    expect(bad.afterShares).toEqual([0, 0, 0, 0]);
    expect(bad.during).toMatchObject({ attemptsPerRequest: null, failedAttempts: null, arrivalsPerRequest: null, ejections: null });
    expect(bad.perSecond.arrivals).toBeNull();
    expect(bad.instances).toBeNull();
    const fine = computeOverloadFigures({ requests: records(() => [200, 5]), attempts: [], endMs: 10_000, faultAt: 3000, recoveredAt: 6000 });
    expect(fine.recoveryMs).toBe(0);
  });
});
