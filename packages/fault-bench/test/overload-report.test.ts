import { describe, expect, it } from '@jest/globals';
import { computeOverloadFigures } from '../src/overload-figures.js';
import { overloadTable } from '../src/overload-report.js';
import type { RequestRecords } from '../src/records.js';
import type { RunSummary } from '../src/run.js';

/** A dip run of 35 s at 500/s: every request good in 20 ms, but those due while paused (5–20 s) fail unless `goodWhilePaused`. */
function run(contender: string, goodWhilePaused: number): RunSummary {
  const intended = Array.from({ length: 17_500 }, (_, i) => i * 2);
  const good = (t: number, i: number): boolean => t < 5000 || t >= 20_000 || i % 500 < goodWhilePaused;
  const requests: RequestRecords = {
    intended,
    sent: [...intended],
    latency: intended.map(() => 20),
    status: intended.map((t, i) => (good(t, i) ? 200 : 503)),
    error: intended.map(() => ''),
    instance: intended.map(() => 8001),
    version: intended.map(() => ''),
  };
  const attempts = intended.map((t, rid) => ({ rid, t, port: 8001 }));
  const overload = computeOverloadFigures({ requests, attempts, endMs: 35_000, faultAt: 5000, recoveredAt: 20_000, timeline: [] });
  return { contender, overload, saturated: false } as unknown as RunSummary;
}

describe('the overload table', () => {
  it('states each target of issue 17 beside its figure, met or missed on the median', () => {
    const table = overloadTable('dip', [run('library', 400), run('nginx', 300)], ['library', 'nginx']);
    expect(table[0]).toContain('good while paused (≥ 90 % of the 400/s left: 360/s)');
    expect(table[0]).toContain('attempts per request, most of the three phases (≤ 1.1)');
    const [library, nginx] = [table[2]!, table[3]!];
    // 400 of every 500 requests/s good while paused: 400/s, met; 300/s missed
    expect(library).toMatch(/^\| library \| 400\/s met \| 0\.00 ms met \| 1\.00 met \|/);
    expect(nginx).toMatch(/^\| nginx \| 300\/s \*\*missed\*\* \|/);
  });
});
