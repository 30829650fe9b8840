/**
 * The figures of one deploy run, from its request records (times in ms from the start of the schedule):
 * failures, latency, the versions that answered, the flicker window, and per bin the series the plot
 * draws.
 */
import { SLOW_MS, WARMUP_MS } from '../config.js';
import { histogram, isOk, latencyFigures, type LatencyFigures } from '../figures.js';
import type { RequestRecords } from '../records.js';

/** Width of the plot's bins, ms. */
export const BIN_MS = 250;
/** "During the deploy" runs from its start to this long after its last step (a retired instance's drain, a flip's propagation), ms. */
export const SETTLE_MS = 1000;

/** A step of a deploy, when it happened. */
export interface DeployMark {
  readonly atMs: number;
  /** started, passing, routed (a proxy sends it requests), unrouted, retiring (SIGTERM), deregistered, stopped, cutover */
  readonly what: string;
  /** The instance (`ratings-4`) or, for a cut-over, the new color. */
  readonly subject: string;
}

export interface DeployFigures {
  readonly total: number;
  /** No 2xx answer (an error status, a connection error, a timeout, unanswered at the end). */
  readonly failed: number;
  /** Error names or statuses of the failed requests, with counts. */
  readonly errors: Record<string, number>;
  /** Slower than SLOW_MS from the intended send time. */
  readonly slow: number;
  /** From WARMUP_MS to the end. */
  readonly latency: LatencyFigures;
  /** Requests sent from the deploy's start to SETTLE_MS after its last step. */
  readonly deploy: LatencyFigures;
  /** 2xx answers by the body's `version`. */
  readonly versions: Record<string, number>;
  /**
   * From the first answer of the newest version to the last answer of an older one, ms (answer times): how long
   * callers saw both. 0 when no old answer came after the first new one; null when one version answered.
   */
  readonly flickerMs: number | null;
  /**
   * Answers of an older version to requests sent after the deploy's last step (the cut-over written, the last
   * old instance stopped): traffic the deploy meant to move and did not.
   */
  readonly oldAfterDeploy: number;
  /** From the deploy's start to its last step, ms. */
  readonly deployMs: number;
  /** The generator's own lateness in sending (sent - intended), ms. */
  readonly sendLagP99: number;
  /** Per BIN_MS of the schedule, by intended send time: p99 and max latency (ms), failed requests, share of answers from the newest version (%). */
  readonly perBin: { readonly p99: number[]; readonly max: number[]; readonly failed: number[]; readonly newShare: number[] };
}

export function computeDeployFigures(requests: RequestRecords, marks: readonly DeployMark[], deployAtMs: number, endMs: number): DeployFigures {
  const n = requests.intended.length;
  const all = histogram();
  const during = histogram();
  const lag = histogram();
  const deployEnd = marks.length ? Math.max(...marks.map((m) => m.atMs)) : deployAtMs;
  const bins = Math.ceil(endMs / BIN_MS);
  const binHistograms = Array.from({ length: bins }, () => histogram());
  const failedPerBin = new Array<number>(bins).fill(0);
  const answersPerBin = new Array<number>(bins).fill(0);
  const versionsPerBin = Array.from({ length: bins }, () => new Map<string, number>());
  const errors: Record<string, number> = {};
  const versions = new Map<string, { count: number; first: number; last: number }>();
  let failed = 0;
  let slow = 0;
  for (let i = 0; i < n; i++) {
    const intended = requests.intended[i]!;
    const latency = requests.latency[i]!;
    const micros = Math.max(1, Math.round(latency * 1000));
    if (intended >= WARMUP_MS) all.recordValue(micros);
    if (intended >= deployAtMs && intended <= deployEnd + SETTLE_MS) during.recordValue(micros);
    lag.recordValue(Math.max(1, Math.round((requests.sent[i]! - intended) * 1000)));
    if (latency > SLOW_MS) slow++;
    const bin = Math.min(bins - 1, Math.floor(intended / BIN_MS));
    binHistograms[bin]!.recordValue(micros);
    const status = requests.status[i]!;
    if (!isOk(status) || requests.error[i]) {
      failed++;
      failedPerBin[bin]!++;
      const name = requests.error[i] || String(status);
      errors[name] = (errors[name] ?? 0) + 1;
      continue;
    }
    const version = requests.version[i] || 'none';
    const answeredAt = intended + latency;
    const seen = versions.get(version);
    if (seen) {
      seen.count++;
      seen.first = Math.min(seen.first, answeredAt);
      seen.last = Math.max(seen.last, answeredAt);
    } else {
      versions.set(version, { count: 1, first: answeredAt, last: answeredAt });
    }
    answersPerBin[bin]!++;
    versionsPerBin[bin]!.set(version, (versionsPerBin[bin]!.get(version) ?? 0) + 1);
  }
  const ordered = [...versions.entries()].sort((a, b) => a[1].first - b[1].first);
  const newest = ordered[ordered.length - 1];
  let flickerMs: number | null = null;
  if (ordered.length > 1 && newest) {
    const lastOld = Math.max(...ordered.slice(0, -1).map(([, v]) => v.last));
    flickerMs = Math.max(0, lastOld - newest[1].first);
  }
  let oldAfterDeploy = 0;
  if (newest && marks.length) {
    for (let i = 0; i < n; i++) {
      if (requests.intended[i]! > deployEnd && isOk(requests.status[i]!) && !requests.error[i] && requests.version[i] !== newest[0]) oldAfterDeploy++;
    }
  }
  const lagFigures = latencyFigures(lag);
  return {
    total: n,
    failed,
    errors,
    slow,
    latency: latencyFigures(all),
    deploy: latencyFigures(during),
    versions: Object.fromEntries(ordered.map(([v, s]) => [v, s.count])),
    flickerMs,
    oldAfterDeploy,
    deployMs: deployEnd - deployAtMs,
    sendLagP99: lagFigures.p99,
    perBin: {
      p99: binHistograms.map((h) => (h.totalCount ? latencyFigures(h).p99 : 0)),
      max: binHistograms.map((h) => (h.totalCount ? latencyFigures(h).max : 0)),
      failed: failedPerBin,
      newShare: versionsPerBin.map((m, b) => (answersPerBin[b] && newest ? (100 * (m.get(newest[0]) ?? 0)) / answersPerBin[b]! : 0)),
    },
  };
}
