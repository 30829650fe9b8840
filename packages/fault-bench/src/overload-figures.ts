/**
 * The figures of an overload run (issue 17: `dip`, `surge`, `freeze`), per phase (before, during and after
 * the fault) and per second of the schedule. "Good" is a 2xx answer within GOOD_WITHIN_MS of the intended
 * send time; a request belongs to the phase and the second it was due in. Attempts come from the contender's
 * own records (the library's `instancePicked` events, opossum by hand, the proxies' access logs); the
 * instances' arrivals (`GET /stats`) count what actually reached them, by arrival time. Ejections are breaker
 * openings of the in-process contenders (the proxies report none: null).
 */
import { GOOD_SHARE, GOOD_WITHIN_MS, SLOW_MS, WARMUP_MS } from './config.js';
import { histogram, isOk } from './figures.js';
import type { Attempt, RequestRecords, TimelineEvent } from './records.js';

export interface PhaseFigures {
  /** ms from the start of the schedule, [from, to) */
  readonly from: number;
  readonly to: number;
  /** Requests due in the phase. */
  readonly requests: number;
  readonly good: number;
  /** No 2xx answer (an error status, a connection error, a timeout, unanswered). */
  readonly failed: number;
  /** p50, p99 and p99.9 of the good ones, ms; null when none was good. */
  readonly goodP50: number | null;
  readonly goodP99: number | null;
  readonly goodP999: number | null;
  /** Attempts the contender recorded for the phase's requests, per request; null when it records none. */
  readonly attemptsPerRequest: number | null;
  /** Of those attempts, how many the contender counted as failed (timeouts, errors, 5xx); null when it records none. */
  readonly failedAttempts: number | null;
  /** Requests that reached the instances during the phase (their own count), per request due in it. */
  readonly arrivalsPerRequest: number | null;
  /** Breaker openings (ejections) during the phase; null for the proxies. */
  readonly ejections: number | null;
}

export interface OverloadFigures {
  readonly before: PhaseFigures;
  readonly during: PhaseFigures;
  readonly after: PhaseFigures;
  /** Per second of the schedule (the second a request was due in; arrivals and ejections: when they happened). */
  readonly perSecond: {
    readonly requests: number[];
    readonly good: number[];
    readonly failed: number[];
    readonly goodP99: Array<number | null>;
    readonly attemptsPerRequest: Array<number | null>;
    /** Arrivals at each instance (instance number = index + 1), per second. */
    readonly arrivals: number[][] | null;
    readonly ejections: Array<number | null>;
  };
  /** Share of good requests in each whole second after the fault ends (from its end). */
  readonly afterShares: number[];
  /**
   * From the fault's end until every later second (of `afterShares`) is at least GOOD_SHARE good, ms (a
   * multiple of 1,000: 0 when the first second after it already is); null when the last one is not.
   */
  readonly recoveryMs: number | null;
  /**
   * The backlog: requests due before the fault's end. `atMs`: when the last of them settled (answered or failed),
   * ms from the start; `slowAfter`: requests due after that slower than SLOW_MS (issue 17's freeze: none).
   */
  readonly drain: { readonly atMs: number; readonly slowAfter: number };
  /** What each instance said it served: in all, and after its client had gone away; its longest queue. */
  readonly instances: ReadonlyArray<{ readonly served: number; readonly abandoned: number; readonly maxQueued: number }> | null;
}

export interface OverloadInput {
  readonly requests: RequestRecords;
  readonly attempts: readonly Attempt[];
  readonly endMs: number;
  /** The fault's start and end (SIGSTOP and SIGCONT, the surge's start and end, the freeze), ms from the start. */
  readonly faultAt: number;
  readonly recoveredAt: number;
  /** Breaker events of an in-process contender; undefined for a proxy (no ejections known). */
  readonly timeline?: readonly TimelineEvent[];
  /** Each instance's arrivals (ms from the start) and counts, when they could be asked. */
  readonly instances?: ReadonlyArray<{ readonly arrivals: readonly number[]; readonly served: number; readonly abandoned: number; readonly maxQueued: number }>;
}

export const isGood = (status: number, latency: number): boolean => isOk(status) && latency <= GOOD_WITHIN_MS;

/** A percentile of `h` in ms, null when it is empty (a percentile is the top of its bucket: capped at the largest value). */
const at = (h: ReturnType<typeof histogram>, percentile: number): number | null =>
  (h.totalCount ? Math.min(h.getValueAtPercentile(percentile), h.maxValue) / 1000 : null);
const p99 = (h: ReturnType<typeof histogram>): number | null => at(h, 99);

export function computeOverloadFigures(input: OverloadInput): OverloadFigures {
  const { requests, attempts, endMs, faultAt, recoveredAt, timeline, instances } = input;
  const total = requests.intended.length;
  const seconds = Math.ceil(endMs / 1000);
  const secondOf = (t: number): number => Math.max(0, Math.min(seconds - 1, Math.floor(t / 1000)));
  const attemptsOf = new Array<number>(total).fill(0);
  const failedAttemptsOf = new Array<number>(total).fill(0);
  for (const a of attempts) {
    if (a.rid < 0 || a.rid >= total) continue;
    attemptsOf[a.rid]!++;
    if (a.failed) failedAttemptsOf[a.rid]!++;
  }
  const opens = timeline?.filter((e) => e.kind === 'open');
  const arrivals = instances?.map((i) => i.arrivals);

  const phase = (from: number, to: number): PhaseFigures => {
    const h = histogram();
    let count = 0;
    let good = 0;
    let failed = 0;
    let tries = 0;
    let failedTries = 0;
    for (let i = 0; i < total; i++) {
      const t = requests.intended[i]!;
      if (t < from || t >= to) continue;
      count++;
      tries += attemptsOf[i]!;
      failedTries += failedAttemptsOf[i]!;
      const latency = requests.latency[i]!;
      if (!isOk(requests.status[i]!)) failed++;
      else if (isGood(requests.status[i]!, latency)) {
        good++;
        h.recordValue(Math.max(1, Math.round(latency * 1000)));
      }
    }
    // what reaches the instances after the schedule's end (the drain) belongs to the last phase
    const until = to >= endMs ? Infinity : to;
    const reached = arrivals ? arrivals.reduce((sum, list) => sum + list.filter((t) => t >= from && t < until).length, 0) : undefined;
    return {
      from,
      to,
      requests: count,
      good,
      failed,
      goodP50: at(h, 50),
      goodP99: p99(h),
      goodP999: at(h, 99.9),
      attemptsPerRequest: attempts.length && count ? tries / count : null,
      failedAttempts: attempts.length ? failedTries : null,
      arrivalsPerRequest: reached !== undefined && count ? reached / count : null,
      ejections: opens ? opens.filter((e) => e.t >= from && e.t < to).length : null,
    };
  };

  const perSecondH = Array.from({ length: seconds }, () => histogram());
  const perSecond = {
    requests: new Array<number>(seconds).fill(0),
    good: new Array<number>(seconds).fill(0),
    failed: new Array<number>(seconds).fill(0),
    goodP99: new Array<number | null>(seconds).fill(null),
    attemptsPerRequest: new Array<number | null>(seconds).fill(null),
    arrivals: arrivals ? arrivals.map((list) => {
      const counts = new Array<number>(seconds).fill(0);
      for (const t of list) if (t >= 0 && t < seconds * 1000) counts[secondOf(t)]!++;
      return counts;
    }) : null,
    ejections: new Array<number | null>(seconds).fill(opens ? 0 : null),
  };
  const tries = new Array<number>(seconds).fill(0);
  for (let i = 0; i < total; i++) {
    const s = secondOf(requests.intended[i]!);
    perSecond.requests[s]!++;
    tries[s]! += attemptsOf[i]!;
    if (!isOk(requests.status[i]!)) perSecond.failed[s]!++;
    else if (isGood(requests.status[i]!, requests.latency[i]!)) {
      perSecond.good[s]!++;
      perSecondH[s]!.recordValue(Math.max(1, Math.round(requests.latency[i]! * 1000)));
    }
  }
  for (let s = 0; s < seconds; s++) {
    perSecond.goodP99[s] = p99(perSecondH[s]!);
    if (attempts.length && perSecond.requests[s]) perSecond.attemptsPerRequest[s] = tries[s]! / perSecond.requests[s]!;
  }
  if (opens) for (const e of opens) if (e.t >= 0 && e.t < seconds * 1000) perSecond.ejections[secondOf(e.t)]! += 1;

  // whole seconds from the fault's end; a last partial second counts if requests were due in it
  const afterShares: number[] = [];
  for (let from = recoveredAt; from < endMs; from += 1000) {
    let count = 0;
    let good = 0;
    for (let i = 0; i < total; i++) {
      const t = requests.intended[i]!;
      if (t < from || t >= from + 1000) continue;
      count++;
      if (isGood(requests.status[i]!, requests.latency[i]!)) good++;
    }
    if (count) afterShares.push(good / count);
  }
  let lastBad = -1;
  afterShares.forEach((share, k) => {
    if (share < GOOD_SHARE) lastBad = k;
  });
  const recoveryMs = lastBad === afterShares.length - 1 && afterShares.length > 0 ? null : (lastBad + 1) * 1000;

  let drainedAt = recoveredAt;
  for (let i = 0; i < total && requests.intended[i]! < recoveredAt; i++) drainedAt = Math.max(drainedAt, requests.intended[i]! + requests.latency[i]!);
  let slowAfter = 0;
  for (let i = 0; i < total; i++) if (requests.intended[i]! >= drainedAt && requests.latency[i]! > SLOW_MS) slowAfter++;

  return {
    before: phase(WARMUP_MS, faultAt),
    during: phase(faultAt, recoveredAt),
    after: phase(recoveredAt, endMs),
    perSecond,
    afterShares,
    recoveryMs,
    drain: { atMs: drainedAt, slowAfter },
    instances: instances ? instances.map(({ served, abandoned, maxQueued }) => ({ served, abandoned, maxQueued })) : null,
  };
}
