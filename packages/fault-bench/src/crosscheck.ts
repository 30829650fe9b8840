/**
 * The generator against autocannon: the same instance, the same rate and duration, first our open-model
 * generator (`direct`), then autocannon's fixed-rate mode (`overallRate`, coordinated-omission correction
 * on). Steady state only: both should agree there; they differ by design under a stall.
 */
import os from 'node:os';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { RATE } from './config.js';
import { Instance } from './instances.js';
import type { CrosscheckResult } from './report.js';
import { REQUEST_PATH, runOne } from './run.js';
import { SCENARIOS } from './scenarios.js';

const SECONDS = 10;
const AUTOCANNON_CONNECTIONS = 16;

export async function crosscheck(): Promise<CrosscheckResult> {
  const scenario = { ...SCENARIOS.steady, endMs: SECONDS * 1000 };
  const outcome = await runOne({ scenario, contender: 'direct', rep: 1 });
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  for (const latency of outcome.result.requests.latency) h.recordValue(Math.max(1, Math.round(latency * 1000)));
  const generator = { count: h.totalCount, p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, p999: h.getValueAtPercentile(99.9) / 1000, max: h.maxValue / 1000 };

  const instance = await Instance.start(1);
  try {
    const result = await autocannon({ url: `${instance.url}${REQUEST_PATH}`, connections: AUTOCANNON_CONNECTIONS, overallRate: RATE, duration: SECONDS });
    const latency = result.latency as unknown as Record<string, number>;
    return {
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      rate: RATE,
      seconds: SECONDS,
      generator,
      autocannon: {
        count: result.requests.total,
        p50: latency['p50'] ?? NaN,
        p99: latency['p99'] ?? NaN,
        p999: latency['p99_9'] ?? NaN,
        max: latency['max'] ?? NaN,
        connections: AUTOCANNON_CONNECTIONS,
      },
      loadAverage: os.loadavg()[0] ?? 0,
    };
  } finally {
    await instance.stop();
  }
}
