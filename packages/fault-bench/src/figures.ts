/**
 * The figures of one run, from its request and attempt records (times in ms from the start of the
 * schedule). Percentiles come from HdrHistogram (microsecond resolution, 3 significant digits).
 */
import * as hdr from 'hdr-histogram-js';
import { PROBE_GAP_REQUESTS, SLOW_MS, WARMUP_MS } from './config.js';
import type { Attempt, Pause, RequestRecords } from './records.js';

export interface LatencyFigures {
  readonly count: number;
  /** ms */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface RunFigures {
  readonly total: number;
  /** No 2xx answer: an error status, a connection error, a timeout, or still unanswered at the end. */
  readonly failed: number;
  /** Slower than SLOW_MS from the intended send time, failed or not. */
  readonly slow: number;
  /** From WARMUP_MS to the fault (or to the end in the steady state). */
  readonly steady: LatencyFigures;
  /** From the fault to its end (SIGCONT, the restarted instance listening) or to the end of the run. */
  readonly fault?: LatencyFigures;
  /** Failed and slow requests inside the fault window. */
  readonly faultFailed?: number;
  readonly faultSlow?: number;
  /**
   * From the fault to the last ordinary attempt sent to the faulty instance, ms; null when ordinary
   * traffic went on until the end of the fault window (never detected).
   */
  readonly detectionMs?: number | null;
  /** User requests that had an attempt on the faulty instance after detection, within the fault window. */
  readonly probes?: number;
  /** Of those, how many were slower than SLOW_MS. */
  readonly slowProbes?: number;
  /**
   * From the recovery (SIGCONT, the restarted instance listening) to the first 2xx answer from the
   * recovered instance to a request sent after it, ms; null when none came before the end.
   */
  readonly readmissionMs?: number | null;
  /** 2xx answers by instance number (1-based). */
  readonly answersPerInstance: number[];
  /** Share of the requests of the fault window that the faulty instance answered, %. */
  readonly faultyShare?: number;
  /** The generator's own lateness in sending (sent - intended), ms. */
  readonly sendLagP99: number;
  readonly sendLagMax: number;
  /** Per second of the schedule: p99 latency (ms), failed and slow requests. */
  readonly perSecond: { readonly p99: number[]; readonly failed: number[]; readonly slow: number[] };
}

export interface FaultTimes {
  /** The faulty instance's port. */
  readonly faultyPort: number;
  /** Ports of the instances in order (instance number = index + 1). */
  readonly ports: readonly number[];
  readonly endMs: number;
  /** When the fault was injected, ms from the start; undefined in the steady state. */
  readonly faultAt?: number;
  /** When it ended (SIGCONT sent, restarted instance listening). */
  readonly recoveredAt?: number;
}

export function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export function latencyFigures(h: hdr.Histogram): LatencyFigures {
  // a percentile is reported as the top of its bucket, which can exceed the largest value recorded
  const at = (p: number): number => Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000;
  return { count: h.totalCount, p50: at(50), p99: at(99), p999: at(99.9), max: h.maxValue / 1000 };
}

export const isOk = (status: number): boolean => status >= 200 && status < 300;

export function computeFigures(requests: RequestRecords, attempts: readonly Attempt[], times: FaultTimes): RunFigures {
  const total = requests.intended.length;
  const { faultAt, recoveredAt, endMs, faultyPort, ports } = times;
  const windowEnd = recoveredAt ?? endMs;
  const steadyEnd = faultAt ?? endMs;
  const steadyH = histogram();
  const faultH = histogram();
  const lagH = histogram();
  const seconds = Math.ceil(endMs / 1000);
  const perSecondH = Array.from({ length: seconds }, () => histogram());
  const perSecond = { p99: new Array<number>(seconds).fill(0), failed: new Array<number>(seconds).fill(0), slow: new Array<number>(seconds).fill(0) };
  const answersPerInstance = ports.map(() => 0);
  let failed = 0;
  let slow = 0;
  let faultFailed = 0;
  let faultSlow = 0;
  let faultyAnswers = 0;
  let windowCount = 0;
  for (let i = 0; i < total; i++) {
    const t = requests.intended[i]!;
    const latency = requests.latency[i]!;
    const us = Math.max(1, Math.round(latency * 1000));
    const ok = isOk(requests.status[i]!);
    const isSlow = latency > SLOW_MS;
    if (!ok) failed++;
    if (isSlow) slow++;
    lagH.recordValue(Math.max(1, Math.round((requests.sent[i]! - t) * 1000)));
    const second = Math.min(seconds - 1, Math.floor(t / 1000));
    perSecondH[second]!.recordValue(us);
    if (!ok) perSecond.failed[second]!++;
    if (isSlow) perSecond.slow[second]!++;
    if (ok) {
      const index = ports.indexOf(requests.instance[i]!);
      if (index >= 0) answersPerInstance[index]!++;
    }
    if (t >= WARMUP_MS && t < steadyEnd) steadyH.recordValue(us);
    if (faultAt !== undefined && t >= faultAt && t < windowEnd) {
      faultH.recordValue(us);
      windowCount++;
      if (!ok) faultFailed++;
      if (isSlow) faultSlow++;
      if (requests.instance[i] === faultyPort) faultyAnswers++;
    }
  }
  perSecondH.forEach((h, s) => (perSecond.p99[s] = h.totalCount ? Math.min(h.getValueAtPercentile(99), h.maxValue) / 1000 : 0));
  const base = {
    total,
    failed,
    slow,
    steady: latencyFigures(steadyH),
    answersPerInstance,
    sendLagP99: lagH.getValueAtPercentile(99) / 1000,
    sendLagMax: lagH.maxValue / 1000,
    perSecond,
  };
  if (faultAt === undefined) return base;

  const { detectionMs, probes, slowProbes } = detection(attempts, requests, faultyPort, faultAt, windowEnd);
  let readmissionMs: number | null | undefined;
  if (recoveredAt !== undefined) {
    readmissionMs = null;
    let first = Infinity;
    for (let i = 0; i < total; i++) {
      if (requests.sent[i]! < recoveredAt || requests.instance[i] !== faultyPort || !isOk(requests.status[i]!)) continue;
      first = Math.min(first, requests.intended[i]! + requests.latency[i]!);
    }
    if (first !== Infinity) readmissionMs = first - recoveredAt;
  }
  return {
    ...base,
    fault: latencyFigures(faultH),
    faultFailed,
    faultSlow,
    detectionMs,
    probes,
    slowProbes,
    readmissionMs,
    faultyShare: windowCount ? (100 * faultyAnswers) / windowCount : 0,
  };
}

/**
 * The generator's own lateness (sent - intended, p99, ms) over the requests due in [from, to), less the part of
 * each request's lateness spent in `excluded` pauses (sorted by start, not overlapping: its garbage collections).
 */
export function sendLagP99(requests: RequestRecords, from: number, to: number, excluded: readonly Pause[] = []): number {
  const h = histogram();
  let first = 0;
  requests.intended.forEach((t, i) => {
    if (t < from || t >= to) return;
    const sent = requests.sent[i]!;
    let lag = sent - t;
    // intended times ascend: pauses that ended before this one was due end before every later one's too
    while (first < excluded.length && excluded[first]!.toMs <= t) first++;
    for (let k = first; k < excluded.length && excluded[k]!.fromMs < sent; k++) {
      lag -= Math.min(sent, excluded[k]!.toMs) - Math.max(t, excluded[k]!.fromMs);
    }
    h.recordValue(Math.max(1, Math.round(lag * 1000)));
  });
  return h.totalCount ? h.getValueAtPercentile(99) / 1000 : 0;
}

/** How many of the (ascending) `sorted` values are < `t`. */
function countBelow(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Attempts on the faulty instance after the fault, in time order: those whose requests follow each other
 * in the schedule with fewer than PROBE_GAP_REQUESTS requests in between are ordinary traffic; the last of
 * them is the detection point. Every attempt after the first longer gap (and before the fault ends) is a
 * probe, and costs its user request. Gaps are counted in requests (ids follow the schedule), so a stall of
 * the generator, which delays every request alike, is not taken for one.
 */
export function detection(
  attempts: readonly Attempt[],
  requests: RequestRecords,
  faultyPort: number,
  faultAt: number,
  windowEnd: number,
): { detectionMs: number | null; probes: number; slowProbes: number } {
  // request ids are in schedule order: the first one due at or after a time
  const ridAt = (t: number): number => countBelow(requests.intended, t);
  const onFaulty = attempts.filter((a) => a.port === faultyPort && a.t >= faultAt && a.t < windowEnd).sort((a, b) => a.t - b.t);
  let last = faultAt;
  let lastRid = ridAt(faultAt);
  let i = 0;
  while (i < onFaulty.length && onFaulty[i]!.rid - lastRid < PROBE_GAP_REQUESTS) {
    lastRid = Math.max(lastRid, onFaulty[i]!.rid);
    last = onFaulty[i++]!.t;
  }
  if (i === onFaulty.length && ridAt(windowEnd) - lastRid < PROBE_GAP_REQUESTS) return { detectionMs: null, probes: 0, slowProbes: 0 };
  const probeRequests = new Set(onFaulty.slice(i).map((a) => a.rid));
  let slowProbes = 0;
  for (const rid of probeRequests) if ((requests.latency[rid] ?? 0) > SLOW_MS) slowProbes++;
  return { detectionMs: last - faultAt, probes: probeRequests.size, slowProbes };
}
