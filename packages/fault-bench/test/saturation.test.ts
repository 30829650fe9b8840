import { describe, expect, it } from '@jest/globals';
import { computeFigures } from '../src/figures.js';
import type { CpuReport } from '../src/cpu.js';
import type { RequestRecords } from '../src/records.js';
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

const quiet = { machineBusyMean: 40 } as CpuReport;

describe('a run marked saturated', () => {
  const requests = records();
  const figures = computeFigures(requests, [], { faultyPort: 8002, ports: [8001, 8002, 8003], endMs: 20_000, faultAt: 5000, recoveredAt: 15_000 });

  it('is one whose generator sent late while the machine was not the fault', () => {
    expect(figures.sendLagP99).toBeCloseTo(50, 0);
    expect(isSaturated(quiet, { sendLagP99: saturationLag(SCENARIOS.pause, requests, figures, 5000) })).toBe(true);
  });

  it('is not one whose generator sent late only during its own surge or freeze: the lag before it counts', () => {
    for (const scenario of [SCENARIOS.surge, SCENARIOS.freeze]) {
      expect(saturationLag(scenario, requests, figures, 5000)).toBeCloseTo(1, 0);
      expect(isSaturated(quiet, { sendLagP99: saturationLag(scenario, requests, figures, 5000) })).toBe(false);
    }
    expect(isSaturated({ machineBusyMean: 95 } as CpuReport, { sendLagP99: 1 })).toBe(true);
  });
});
