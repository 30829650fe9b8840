import { describe, expect, it } from '@jest/globals';
import { computeFigures } from '../src/figures.js';
import type { CpuReport } from '../src/cpu.js';
import type { Pause, RequestRecords } from '../src/records.js';
import { isSaturated, saturationLag } from '../src/run.js';
import { SCENARIOS } from '../src/scenarios.js';

/** 20 s at 100 requests/s, sent 1 ms late, and 50 ms late from 5 s to 15 s (the fault). */
function records(): RequestRecords {
  const intended = Array.from({ length: 2000 }, (_, i) => i * 10);
  return {
    intended,
    sent: intended.map((t) => t + (t >= 5000 && t < 15_000 ? 50 : 1)),
    latency: intended.map(() => 60),
    status: intended.map(() => 200),
    error: intended.map(() => ''),
    instance: intended.map(() => 8001),
    version: intended.map(() => ''),
  };
}

/**
 * 20 s at 100 requests/s, sent 1 ms late, but a 30 ms garbage collection every 300 ms from 1 s on: requests due
 * during one are sent when it ends, 1 ms after that.
 */
function collecting(): { requests: RequestRecords; gcPauses: Pause[] } {
  const gcPauses = Array.from({ length: 63 }, (_, k) => ({ fromMs: 1000 + k * 300 + 5, toMs: 1000 + k * 300 + 35 }));
  const intended = Array.from({ length: 2000 }, (_, i) => i * 10);
  const sent = intended.map((t) => {
    const pause = gcPauses.find((p) => t >= p.fromMs && t < p.toMs);
    return (pause ? pause.toMs : t) + 1;
  });
  const requests = { ...records(), intended, sent };
  return { requests, gcPauses };
}

const quiet = { machineBusyMean: 40 } as CpuReport;

describe('a run marked saturated', () => {
  const requests = records();
  const figures = computeFigures(requests, [], { faultyPort: 8002, ports: [8001, 8002, 8003], endMs: 20_000, faultAt: 5000, recoveredAt: 15_000 });

  it('is one whose generator sent late while the machine was not the fault', () => {
    expect(figures.sendLagP99).toBeCloseTo(50, 0);
    expect(isSaturated(quiet, { sendLagP99: saturationLag(SCENARIOS.pause, { requests }, 5000) })).toBe(true);
  });

  it('is not one whose generator sent late only during its own surge or freeze: the lag before it counts', () => {
    for (const scenario of [SCENARIOS.surge, SCENARIOS.freeze]) {
      expect(saturationLag(scenario, { requests }, 5000)).toBeCloseTo(1, 0);
      expect(isSaturated(quiet, { sendLagP99: saturationLag(scenario, { requests }, 5000) })).toBe(false);
    }
    expect(isSaturated({ machineBusyMean: 95 } as CpuReport, { sendLagP99: 1 })).toBe(true);
  });

  it('is not one whose generator sent late only in its first second (the warm-up the figures leave out too)', () => {
    const warming = { ...requests, sent: requests.intended.map((t) => t + (t < 1000 ? 40 : 1)) };
    expect(computeFigures(warming, [], { faultyPort: 8002, ports: [8001, 8002, 8003], endMs: 20_000 }).sendLagP99).toBeCloseTo(40, 0);
    expect(isSaturated(quiet, { sendLagP99: saturationLag(SCENARIOS.steady, { requests: warming }, undefined) })).toBe(false);
  });

  it('is not one whose generator sent late only by its own garbage collections (the contender\'s allocation)', () => {
    const { requests: late, gcPauses } = collecting();
    const lateFigures = computeFigures(late, [], { faultyPort: 8002, ports: [8001, 8002, 8003], endMs: 20_000, faultAt: 5000, recoveredAt: 15_000 });
    // 3 of every 30 requests fall in a pause: the raw p99 is most of a pause
    expect(lateFigures.sendLagP99).toBeGreaterThan(20);
    expect(saturationLag(SCENARIOS.pause, { requests: late, gcPauses }, 5000)).toBeCloseTo(1, 0);
    expect(isSaturated(quiet, { sendLagP99: saturationLag(SCENARIOS.pause, { requests: late, gcPauses }, 5000) })).toBe(false);
    // lateness outside the pauses still counts
    expect(saturationLag(SCENARIOS.pause, { requests, gcPauses }, 5000)).toBeCloseTo(50, 0);
  });
});
