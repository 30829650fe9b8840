/**
 * The load generator, one fresh process per run: `node generator-main.js '<GeneratorSpec JSON>'` with an
 * IPC channel. It builds the contender's client, says `ready`, waits for `start` (an epoch time), then runs
 * an open-model schedule: request i is due at i / rate seconds whatever happened to earlier ones, and its
 * latency counts from that intended time, so a stall shows in full (no coordinated omission); the rate may
 * change during the run (schedule.ts). A `freeze` message blocks its event loop with a busy loop for that
 * long (the caller's own stall: a long GC pause, a large synchronous JSON.parse). It sends every record back
 * and exits.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCommandLine, UsageError } from 'cli-kit';
import { createClient, AttemptLog, FailedAnswerError } from './clients.js';
import { now } from './clock.js';
import type { ContenderName } from './contenders.js';
import type { GeneratorMessage, GeneratorSpec, OrchestratorMessage, Pause, RequestRecords } from './records.js';
import { intendedTimes } from './schedule.js';

/** After the schedule ends, wait this long at most for answers still in flight (the library's deadline is 10 s). */
const DRAIN_MS = 12_000;

function send(message: GeneratorMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

function errorName(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; cause?: unknown };
  // fetch rejects with `TypeError: fetch failed` and the dispatcher's error as its cause (library-fetch, nginx-fetch)
  if (e.name === 'TypeError' && e.cause !== undefined) return `TypeError(${errorName(e.cause)})`;
  return typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error';
}

const USAGE = `usage: node packages/fault-bench/dist/generator-main.js '<spec JSON>'
The load generator of one fault-bench run, started by the harness with an IPC channel (not by hand):
run npm run bench:faults instead.`;

async function main(): Promise<void> {
  // The harness's protocol, not a user's command line: one argument, the spec, and an IPC channel.
  const specJson = parseCommandLine({ program: 'generator-main', usage: USAGE, allowPositionals: true }, ({ positionals }) => {
    if (positionals.length !== 1) throw new UsageError(`one argument expected (the spec JSON), got ${positionals.length}`);
    if (!process.send) throw new UsageError('no IPC channel: started by hand');
    return positionals[0]!;
  });
  const spec = JSON.parse(specJson) as GeneratorSpec;
  let startEpoch = 0;
  const elapsed = (): number => now() - startEpoch;
  const log = new AttemptLog(elapsed);
  const client = createClient(spec.contender as ContenderName, spec.urls, spec.path, log, spec.proxyUrl, spec.consul);

  const intended = intendedTimes(spec.rate, spec.endMs, spec.rates);
  const total = intended.length;
  const records: RequestRecords = {
    intended,
    sent: new Array<number>(total).fill(-1),
    latency: new Array<number>(total).fill(-1),
    status: new Array<number>(total).fill(0),
    error: new Array<string>(total).fill('unsettled'),
    instance: new Array<number>(total).fill(0),
    version: new Array<string>(total).fill(''),
  };
  let settled = 0;
  let allSettled: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allSettled = resolve));

  const fire = (rid: number): void => {
    records.sent[rid] = elapsed();
    client.call(rid).then(
      (answer) => {
        records.latency[rid] = elapsed() - records.intended[rid]!;
        records.status[rid] = answer.status;
        records.instance[rid] = answer.instance;
        if (answer.version !== undefined) records.version[rid] = answer.version;
        records.error[rid] = '';
        if (++settled === total) allSettled();
      },
      (error: unknown) => {
        records.latency[rid] = elapsed() - records.intended[rid]!;
        if (error instanceof FailedAnswerError) {
          records.status[rid] = error.status;
          records.instance[rid] = error.instance;
        }
        records.error[rid] = errorName(error);
        if (++settled === total) allSettled();
      },
    );
  };

  let next = 0;
  const tick = (): void => {
    const t = elapsed();
    while (next < total && intended[next]! <= t) fire(next++);
    if (next < total) setTimeout(tick, Math.max(0, intended[next]! - elapsed()));
  };

  const freezes: Pause[] = [];
  // the contender's garbage collections block this loop too: the saturation rule tells them from a busy machine
  const gcPauses: Pause[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    if (startEpoch === 0) return;
    for (const entry of list.getEntries()) {
      const fromMs = performance.timeOrigin + entry.startTime - startEpoch;
      gcPauses.push({ fromMs, toMs: fromMs + entry.duration });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const started = new Promise<number>((resolve) =>
    process.on('message', (message: OrchestratorMessage) => {
      if (message.type === 'start') resolve(message.startEpochMs);
      else if (message.type === 'freeze') {
        const from = elapsed();
        while (elapsed() < from + message.ms) {
          // the caller's event loop blocked: timers, sockets and answers wait
        }
        freezes.push({ fromMs: from, toMs: elapsed() });
      }
    }),
  );
  await send({ type: 'ready' });
  startEpoch = await started;
  setTimeout(tick, Math.max(0, startEpoch - now()));
  const scheduleEnd = sleep(spec.endMs + Math.max(0, startEpoch - now()) + DRAIN_MS);
  await Promise.race([done, scheduleEnd]);
  for (let rid = 0; rid < total; rid++) {
    if (records.latency[rid]! < 0) records.latency[rid] = elapsed() - records.intended[rid]!;
  }
  gcObserver.disconnect();
  await send({ type: 'done', result: { requests: records, attempts: log.attempts, timeline: log.timeline, unsettled: total - settled, freezes, gcPauses } });
  await Promise.race([client.close(), sleep(2000)]);
  process.exit(0);
}

main().catch(async (error: unknown) => {
  await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(() => undefined);
  process.exit(1);
});
