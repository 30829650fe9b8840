/**
 * One run: fresh instances, the contender's proxy if it has one, a fresh load-generator process, the
 * scenario's faults at their times, CPU sampling; then everything stopped and the figures computed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { onExit, startProcess, type ManagedProcess } from 'process-supervisor';
import { FAULTY_INDEX, INSTANCE_COUNT, RATE, SATURATED_BUSY_PERCENT, SATURATED_SEND_LAG_MS, STOP_TIMEOUT_MS, WARMUP_MS } from './config.js';
import { now } from './clock.js';
import { CONTENDERS, type ContenderName } from './contenders.js';
import { CpuSampler, type CpuReport } from './cpu.js';
import { computeFigures, sendLagP99, type RunFigures } from './figures.js';
import { Instance, type InstanceStats } from './instances.js';
import { computeOverloadFigures, type OverloadFigures } from './overload-figures.js';
import { startCaddy } from './proxies/caddy.js';
import { queueSettings, startHaproxy } from './proxies/haproxy.js';
import { startNginx } from './proxies/nginx.js';
import type { ProxyBinary, RunProxy } from './proxies/proxy.js';
import type { Attempt, GeneratorMessage, GeneratorResult, GeneratorSpec, TimelineEvent } from './records.js';
import { isRecovery, type FaultStep, type Scenario } from './scenarios.js';

/** The built script (from src/ under jest as from dist/). */
const GENERATOR = fileURLToPath(new URL('../dist/generator-main.js', import.meta.url));
/** Time between sending `start` to the generator and its first request, ms. */
const START_DELAY_MS = 100;
export const REQUEST_PATH = '/ratings/camera';

export interface RunOptions {
  readonly scenario: Scenario;
  readonly contender: ContenderName;
  readonly rep: number;
  readonly rate?: number;
  readonly proxies?: Record<string, ProxyBinary>;
}

/** What a run keeps (no per-request records): written as JSON under results/. */
export interface RunSummary {
  readonly scenario: string;
  readonly contender: ContenderName;
  readonly rep: number;
  readonly startedAt: string;
  readonly rate: number;
  readonly endMs: number;
  /** Fault steps as planned and as done (ms from the start). */
  readonly steps: ReadonlyArray<FaultStep & { doneAtMs: number }>;
  readonly figures: RunFigures;
  /** The overload scenarios' figures (per phase, per second, recovery): issue 17. */
  readonly overload?: OverloadFigures;
  /** Rate changes of the schedule (the `surge` scenario). */
  readonly rates?: Scenario['rates'];
  readonly cpu: CpuReport;
  /** The generator's send lag the saturation rule reads (p99, ms; `saturationLag`). */
  readonly saturationLagMs?: number;
  /** Marked when the machine or the generator could not keep up (see config.ts). */
  readonly saturated: boolean;
  /** Breaker events of in-process contenders. */
  readonly timeline: readonly TimelineEvent[];
  /** How long setting the run up and tearing it down took, ms. */
  readonly setupMs: number;
  readonly teardownMs: number;
  readonly unsettled: number;
  /** Attempts recorded (events or proxy log). */
  readonly attempts: number;
}

/** Per-request records too, for the smoke test. */
export interface RunOutcome {
  readonly summary: RunSummary;
  readonly result: GeneratorResult;
  readonly attempts: readonly Attempt[];
  readonly ports: readonly number[];
}

/** A fresh load-generator process for `spec`, with its IPC channel. */
export function startGenerator(spec: GeneratorSpec): ManagedProcess {
  return startProcess({ name: `generator ${spec.contender}`, args: [GENERATOR, JSON.stringify(spec)], ipc: true, stopTimeoutMs: STOP_TIMEOUT_MS });
}

/**
 * Waits for the generator's `ready`, starts CPU sampling of it (and the proxy), and sends `start` for
 * START_DELAY_MS from now. Returns the schedule's start (epoch ms) and its `done` message to come.
 */
export async function startSchedule(
  generator: ManagedProcess, endMs: number, sampler: CpuSampler, proxy: Pick<RunProxy, 'name' | 'pid' | 'startEpoch'> | undefined,
): Promise<{ startEpoch: number; done: Promise<GeneratorMessage> }> {
  await nextMessage(generator, 30_000); // ready
  sampler.track('generator', generator.pid);
  if (proxy) sampler.track(proxy.name, proxy.pid);
  const startEpoch = now() + START_DELAY_MS;
  proxy?.startEpoch(startEpoch);
  const done = nextMessage(generator, endMs + START_DELAY_MS + 30_000);
  generator.process.send({ type: 'start', startEpochMs: startEpoch });
  sampler.startSampling();
  return { startEpoch, done };
}

/** The generator's next message (`ready`, `done`); rejects on `error`, on its exit and after `timeoutMs`. */
function nextMessage(generator: ManagedProcess, timeoutMs: number): Promise<GeneratorMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`generator sent nothing within ${timeoutMs} ms; output:\n${generator.output()}`));
    }, timeoutMs);
    const onMessage = (message: GeneratorMessage): void => {
      cleanup();
      if (message.type === 'error') reject(new Error(`generator failed: ${message.message}`));
      else resolve(message);
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`generator exited; output:\n${generator.output()}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      generator.process.off('message', onMessage);
      generator.process.off('exit', onExit);
    };
    generator.process.on('message', onMessage);
    generator.process.on('exit', onExit);
  });
}

export async function runOne(options: RunOptions): Promise<RunOutcome> {
  const { scenario, contender, rep } = options;
  const rate = options.rate ?? scenario.rate ?? RATE;
  const setupStarted = now();
  const startedAt = new Date().toISOString();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fault-bench-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const cancelRemoval = onExit(removeDir);
  const instances: Instance[] = [];
  let proxy: RunProxy | undefined;
  let generator: ManagedProcess | undefined;
  const sampler = new CpuSampler();
  try {
    for (const instance of await Promise.all(Array.from({ length: INSTANCE_COUNT }, (_, i) => Instance.start(i + 1, 0, scenario.capacity)))) instances.push(instance);
    const ports = instances.map((i) => i.port);
    const faulty = instances[FAULTY_INDEX]!;
    const kind = CONTENDERS[contender].proxy;
    if (kind) {
      const binary = options.proxies?.[kind];
      if (!binary) throw new Error(`${kind} is needed for ${contender}`);
      switch (kind) {
        case 'nginx':
          proxy = await startNginx(binary.path, dir, ports);
          break;
        case 'haproxy':
          proxy = await startHaproxy(binary.path, dir, ports, faulty.port, CONTENDERS[contender].queue ? queueSettings(scenario.capacity) : undefined);
          break;
        case 'caddy':
          proxy = await startCaddy(binary.path, dir, ports);
          break;
      }
    }
    const spec: GeneratorSpec = {
      contender,
      urls: instances.map((i) => i.url),
      rate,
      ...(scenario.rates ? { rates: scenario.rates } : {}),
      endMs: scenario.endMs,
      path: REQUEST_PATH,
    };
    generator = startGenerator(proxy ? { ...spec, proxyUrl: proxy.url } : spec);
    instances.forEach((instance) => sampler.track(`instance ${instance.number}`, instance.pid));
    const { startEpoch, done } = await startSchedule(generator, scenario.endMs, sampler, proxy);
    const setupMs = now() - setupStarted;

    const steps: Array<FaultStep & { doneAtMs: number }> = [];
    const act = async (step: FaultStep): Promise<void> => {
      const due = startEpoch + step.atMs;
      await sleep(Math.max(0, due - now()));
      while (now() < due) await new Promise((resolve) => setImmediate(resolve)); // a timer may fire a hair early
      let doneAt = now();
      switch (step.action) {
        case 'stop':
          faulty.pause();
          break;
        case 'cont':
          faulty.resume();
          break;
        case 'kill':
          // the CPU time of its last second is not counted: sampling here would delay the kill
          await faulty.kill();
          break;
        case 'restart':
          doneAt = await faulty.restart();
          sampler.track(`instance ${faulty.number}`, faulty.pid);
          break;
        case 'slow':
          await faulty.slow();
          break;
        case 'errors':
          await faulty.failHalf();
          break;
        case 'tail':
        case 'tail-off':
          await Promise.all(instances.map((i) => i.tail(step.action === 'tail')));
          break;
        case 'freeze':
          generator!.process.send({ type: 'freeze', ms: step.forMs ?? 0 });
          break;
        case 'surge':
        case 'calm':
          break; // the generator's schedule changes its rate by itself
      }
      steps.push({ ...step, doneAtMs: doneAt - startEpoch });
    };
    const faults = (async () => {
      for (const step of scenario.steps) await act(step);
    })();
    const [message] = await Promise.all([done, faults]);
    if (message.type !== 'done') throw new Error(`unexpected generator message ${message.type}`);
    const cpu = sampler.finish();
    // what the capacity-limited instances received, while they are still there (a killed one cannot say)
    const stats = scenario.capacity ? await Promise.all(instances.map((i) => i.stats().catch(() => undefined))) : [];

    const teardownStarted = now();
    await generator.stop();
    const attempts = proxy ? await proxy.stop() : message.result.attempts;
    proxy = undefined;
    await Promise.all(instances.splice(0).map((i) => i.stop()));
    const teardownMs = now() - teardownStarted;

    // a freeze is timed by the generator itself: from its busy loop's start to its end
    const freeze = message.result.freezes?.[0];
    const faultAt = freeze?.fromMs ?? steps.find((s) => !isRecovery(s.action))?.doneAtMs;
    const recoveredAt = freeze?.toMs ?? steps.find((s) => isRecovery(s.action))?.doneAtMs;
    const figures = computeFigures(message.result.requests, attempts, {
      faultyPort: faulty.port,
      ports,
      endMs: scenario.endMs,
      ...(faultAt !== undefined ? { faultAt } : {}),
      ...(recoveredAt !== undefined ? { recoveredAt } : {}),
    });
    const overload = scenario.capacity && faultAt !== undefined && recoveredAt !== undefined
      ? computeOverloadFigures({
        requests: message.result.requests,
        attempts,
        endMs: scenario.endMs,
        faultAt,
        recoveredAt,
        ...(kind ? {} : { timeline: message.result.timeline }),
        ...(stats.every((s) => s !== undefined) ? { instances: stats.map((s) => fromStart(s, startEpoch)) } : {}),
      })
      : undefined;
    const saturationLagMs = saturationLag(scenario, message.result, faultAt);
    const summary: RunSummary = {
      scenario: scenario.name,
      contender,
      rep,
      startedAt,
      rate,
      endMs: scenario.endMs,
      steps,
      figures,
      ...(overload ? { overload } : {}),
      ...(scenario.rates ? { rates: scenario.rates } : {}),
      cpu,
      saturationLagMs,
      saturated: isSaturated(cpu, { sendLagP99: saturationLagMs }),
      timeline: message.result.timeline,
      setupMs,
      teardownMs,
      unsettled: message.result.unsettled,
      attempts: attempts.length,
    };
    return { summary, result: message.result, attempts, ports };
  } finally {
    if (generator) await generator.stop();
    if (proxy) await proxy.stop().catch(() => undefined);
    await Promise.all(instances.map((i) => i.stop()));
    cancelRemoval();
    removeDir();
  }
}

/** An instance's stats with its arrival times in ms from the schedule's start. */
function fromStart(stats: InstanceStats, startEpoch: number): InstanceStats {
  return { ...stats, arrivals: stats.arrivals.map((t) => t - startEpoch) };
}

/**
 * The send lag that tells whether the machine kept up: p99 over the run after its first second (the warm-up the
 * latency figures leave out too: JIT, first connections, and for the fetch contenders Node loading its fetch on the
 * first call; in one steady run each, library and library-fetch sent the first 130 ms of the schedule 25–40 ms late,
 * enough to set the p99 of a 10 s run), and before the fault where the generator itself is the fault: a frozen generator
 * sends late by design, and one whose schedule surges sends 1.5 × as much and, for the in-process contenders, runs
 * their extra work in the same event loop (their lateness there is the contender's, which the figures measure).
 *
 * The time the generator spent in its own garbage collections is not counted either: what it allocates is the
 * contender's (its client runs in that process), and the latencies, counted from the intended send time, already
 * carry those pauses. Node's `fetch` promotes about 13 KB a request to the old generation (`service.get()` 0.3 KB),
 * so its minor collections take 5–25 ms instead of 1–4 ms.
 */
export function saturationLag(scenario: Scenario, result: Pick<GeneratorResult, 'requests' | 'gcPauses'>, faultAt: number | undefined): number {
  const generatorIsTheFault = scenario.rates !== undefined || scenario.steps.some((s) => s.action === 'freeze');
  const to = generatorIsTheFault && faultAt !== undefined ? faultAt : Infinity;
  return sendLagP99(result.requests, WARMUP_MS, to, result.gcPauses);
}

export function isSaturated(cpu: CpuReport, figures: Pick<RunFigures, 'sendLagP99'>): boolean {
  return cpu.machineBusyMean >= SATURATED_BUSY_PERCENT || figures.sendLagP99 >= SATURATED_SEND_LAG_MS;
}
