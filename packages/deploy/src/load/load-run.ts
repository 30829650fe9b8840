import { setTimeout as sleep } from 'node:timers/promises';
import * as hdr from 'hdr-histogram-js';
import type { ServiceClient } from 'discovery-client';

/** Options of {@link runLoad}: `rate` (open model) or `concurrency` (closed loop). */
export type LoadOptions = LoadCommonOptions & (
  | {
    /** Requests per second, sent on a fixed schedule whatever the answers take (open model). */
    rate: number;
    concurrency?: undefined;
  }
  | {
    /**
     * Workers, each sending its next request as soon as its last one answered, as fast as the target allows
     * (closed loop: at most this many requests in flight); the summary's `rps` is the rate they sustained.
     */
    concurrency: number;
    rate?: undefined;
  }
);

/** What both models share. */
export interface LoadCommonOptions {
  /** Where the requests go: a discovery-client service (round-robin, breakers, retries, blue/green). */
  client: ServiceClient;
  /** Request path, e.g. `/ratings/camera`. */
  path: string;
  /** How long to send, ms. */
  durationMs: number;
  /** Stops the run early (^C): requests in flight still finish and count. */
  signal?: AbortSignal;
  /** Called once per event worth a line: progress, a failed request, a change of version. */
  onEvent?: (event: LoadEvent) => void;
  /** @default performance.now */
  now?: () => number;
}

/** What a run reports while it runs. */
export type LoadEvent =
  | { type: 'progress'; total: number; failed: number; elapsedMs: number }
  | { type: 'failed'; index: number; atMs: number; message: string }
  | { type: 'version'; from: string | undefined; to: string; atMs: number; instance: string };

/** One second of a run: how many answers completed in it, how many failed, its worst latency, the versions seen. */
export interface LoadSecond {
  second: number;
  total: number;
  failed: number;
  maxMs: number;
  versions: Record<string, number>;
}

/** The summary of a run (also the `--json` file). */
export interface LoadSummary {
  /** `open`: requests on a schedule (`rate`); `closed`: `concurrency` workers, each waiting for its answer. */
  model: 'open' | 'closed';
  /** The workers of a closed loop; absent in the open model. */
  concurrency?: number;
  total: number;
  failed: number;
  /** From the first intended send time to the last answer, s. */
  durationS: number;
  /** Completed requests per second over `durationS`: in a closed loop, the rate the workers sustained. */
  rps: number;
  /**
   * Latency from each request's intended send time (so a stalled sender counts) in the open model, from its
   * send in a closed loop (a worker sends when it is free), ms.
   */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers by the `version` field of their JSON body (`unknown` when absent). */
  versions: Record<string, number>;
  /**
   * From the first answer of the newest version to the last answer of any older one, ms: how long both were
   * seen. `0` when the old version was never seen after the new one; `null` with a single version.
   */
  flickerMs: number | null;
  /** Per second of the run, for plots. */
  seconds: LoadSecond[];
}

/** Progress is reported every this many requests, and at least this often. */
export const PROGRESS_EVERY_REQUESTS = 1000;
export const PROGRESS_EVERY_MS = 5000;
/** A version seen again after this long without it gets a new notice, ms. */
export const VERSION_QUIET_MS = 1000;

/**
 * Sends requests for `durationMs` through `client` and measures each latency with an HdrHistogram (1 µs to
 * 1 h, 3 significant digits). Never rejects: a failed request is a count, an event and a line.
 *
 * - `rate`: that many requests per second, each at its scheduled time whether or not earlier ones have answered
 *   (an open model, as wrk2 does); latency from the time the request was due.
 * - `concurrency`: that many workers, each sending its next request as soon as its last one answered (a closed
 *   loop, as wrk and the blue/green exercise's client do); `rps` is the rate they sustained.
 */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const now = options.now ?? (() => performance.now());
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  const versions = new Map<string, { count: number; first: number; last: number }>();
  const seconds: LoadSecond[] = [];
  let total = 0;
  let failed = 0;
  let lastVersion: string | undefined;
  let lastProgressAt = 0;
  let lastAnswerAt = 0;
  const inFlight = new Set<Promise<void>>();
  const start = now();

  const secondOf = (atMs: number): LoadSecond => {
    const index = Math.floor(atMs / 1000);
    for (let s = seconds.length; s <= index; s += 1) seconds.push({ second: s, total: 0, failed: 0, maxMs: 0, versions: {} });
    return seconds[index]!;
  };

  const settle = (index: number, dueAt: number, outcome: { version?: string; instance?: string; error?: string }): void => {
    const doneAt = now();
    const latencyMs = Math.max(0, doneAt - dueAt);
    const atMs = doneAt - start;
    lastAnswerAt = Math.max(lastAnswerAt, doneAt);
    histogram.recordValue(Math.round(latencyMs * 1000));
    total += 1;
    const bucket = secondOf(atMs);
    bucket.total += 1;
    bucket.maxMs = Math.max(bucket.maxMs, Math.round(latencyMs * 1000) / 1000);
    if (outcome.error !== undefined) {
      failed += 1;
      bucket.failed += 1;
      options.onEvent?.({ type: 'failed', index, atMs, message: outcome.error });
    } else {
      const version = outcome.version ?? 'unknown';
      const seen = versions.get(version);
      // a notice when a version appears, or comes back after VERSION_QUIET_MS unseen (not one per answer while two alternate)
      if (version !== lastVersion && (!seen || atMs - seen.last >= VERSION_QUIET_MS)) {
        options.onEvent?.({ type: 'version', from: lastVersion, to: version, atMs, instance: outcome.instance ?? '?' });
      }
      lastVersion = version;
      if (seen) {
        seen.count += 1;
        seen.last = atMs;
      } else {
        versions.set(version, { count: 1, first: atMs, last: atMs });
      }
      bucket.versions[version] = (bucket.versions[version] ?? 0) + 1;
    }
    if (total % PROGRESS_EVERY_REQUESTS === 0 || doneAt - lastProgressAt >= PROGRESS_EVERY_MS) {
      lastProgressAt = doneAt;
      options.onEvent?.({ type: 'progress', total, failed, elapsedMs: doneAt - start });
    }
  };

  /** Sends request `index`; the promise settles (never rejects) once its outcome is counted. */
  const send = (index: number, dueAt: number): Promise<void> => {
    const call = options.client.get(options.path).then(
      (response) => {
        let version: string | undefined;
        try {
          const body = JSON.parse(response.body) as { version?: unknown };
          if (typeof body?.version === 'string') version = body.version;
        } catch {
          // not JSON: counted under `unknown`
        }
        // behind a gateway (`--url`) the instance that served is in its X-Served-By header
        const servedBy = response.headers['x-served-by'];
        const instance = (Array.isArray(servedBy) ? servedBy[0] : servedBy) ?? response.instance?.id ?? '?';
        settle(index, dueAt, { ...(version ? { version } : {}), instance });
      },
      (error: unknown) => settle(index, dueAt, { error: error instanceof Error ? error.message : String(error) }),
    );
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
    return call;
  };

  if (options.concurrency !== undefined) {
    // Closed loop: each worker sends, waits for the answer, and sends again until the time is up.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (now() - start < options.durationMs && !options.signal?.aborted) await send(next++, now());
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } else {
    // Open model: the sender wakes up about every millisecond and sends every request whose time has come.
    const intervalMs = 1000 / options.rate;
    const planned = Math.max(1, Math.floor((options.durationMs / 1000) * options.rate));
    let next = 0;
    while (next < planned && !options.signal?.aborted) {
      const elapsed = now() - start;
      while (next < planned && next * intervalMs <= elapsed) {
        void send(next, start + next * intervalMs);
        next += 1;
      }
      if (next < planned) {
        const wait = Math.max(0, next * intervalMs - (now() - start));
        await sleep(Math.min(wait, 50));
      }
    }
  }
  await Promise.all([...inFlight]);

  const ordered = [...versions.entries()].sort((a, b) => a[1].first - b[1].first);
  let flickerMs: number | null = null;
  if (ordered.length > 1) {
    const newest = ordered[ordered.length - 1]![1];
    const lastOld = Math.max(...ordered.slice(0, -1).map(([, v]) => v.last));
    flickerMs = Math.max(0, Math.round((lastOld - newest.first) * 1000) / 1000);
  }
  const durationS = Math.max(0.001, ((lastAnswerAt || now()) - start) / 1000);
  const ms = (micros: number): number => Math.round(micros) / 1000;
  return {
    model: options.concurrency === undefined ? 'open' : 'closed',
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    total,
    failed,
    durationS: Math.round(durationS * 1000) / 1000,
    rps: Math.round((total / durationS) * 10) / 10,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    maxMs: ms(histogram.maxValue),
    versions: Object.fromEntries(ordered.map(([version, v]) => [version, v.count])),
    flickerMs,
    seconds,
  };
}
