/**
 * One deploy run: a fresh dev-consul, real ratings instances registered in it, the contender's proxy if it
 * has one, a fresh load-generator process; at the scenario's time the deploy (a rolling update or a
 * blue/green cut-over), done the way each contender's operator does it; then everything stopped and the
 * figures computed.
 *
 * - library: packages/deploy's `roll()` and `cutover()`, the functions behind `make roll` and `make cutover`:
 *   callers follow Consul (and the active color in Consul KV) by themselves.
 * - nginx: the same instances started and retired, and around each change the upstream list rewritten and
 *   `nginx -s reload`.
 * - HAProxy: the same, through its runtime API (slots filled and drained, `set map` for the cut-over).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsulApi, cutover, retireInstance, roll, SERVICES, startInstance, type FleetEvent, type FleetOptions, type RegisteredInstance, type ServiceDefinition } from 'deploy';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { onExit, Supervisor, type ManagedProcess } from 'process-supervisor';
import { now } from '../clock.js';
import { RATE_FOR_DEPLOYS } from '../config.js';
import { CpuSampler, type CpuReport } from '../cpu.js';
import { startHaproxyForDeploys, type RuntimeHaproxy } from '../proxies/haproxy.js';
import { startNginx, type ReloadableNginx } from '../proxies/nginx.js';
import type { ProxyBinary } from '../proxies/proxy.js';
import type { GeneratorResult, GeneratorSpec } from '../records.js';
import { isSaturated, startGenerator, startSchedule } from '../run.js';
import { computeDeployFigures, type DeployFigures, type DeployMark } from './deploy-figures.js';
import { NEW_COLOR, NEW_VERSION, OLD_COLOR, OLD_VERSION, type DeployScenario } from './deploy-scenarios.js';
import { haproxyRouting, nginxRouting, type ProxyRouting } from './proxy-routing.js';

/** The contenders of the deploy runs: the library (through Consul) and the two proxies. */
export type DeployContender = 'library' | 'nginx' | 'haproxy';
export const DEPLOY_CONTENDERS: readonly DeployContender[] = ['library', 'nginx', 'haproxy'];

const SERVICE = 'ratings';
export const DEPLOY_REQUEST_PATH = '/ratings/camera';

export interface DeployRunOptions {
  readonly scenario: DeployScenario;
  readonly contender: DeployContender;
  readonly rep: number;
  readonly rate?: number;
  readonly proxies?: Record<string, ProxyBinary>;
}

/** What a deploy run keeps (results/…/deploy-<scenario>.json). */
export interface DeployRunSummary {
  readonly scenario: string;
  readonly contender: DeployContender;
  readonly rep: number;
  readonly startedAt: string;
  readonly rate: number;
  readonly endMs: number;
  readonly marks: readonly DeployMark[];
  /** Set when a deploy step failed (the run's figures still count every request). */
  readonly deployError?: string;
  readonly figures: DeployFigures;
  readonly cpu: CpuReport;
  readonly saturated: boolean;
  readonly unsettled: number;
}

/** Per-request records too, for the smoke test. */
export interface DeployRunOutcome {
  readonly summary: DeployRunSummary;
  readonly result: GeneratorResult;
}

const portOf = (instance: RegisteredInstance): number => Number(new URL(instance.url).port);

export async function runDeploy(options: DeployRunOptions): Promise<DeployRunOutcome> {
  const { scenario, contender, rep } = options;
  const rate = options.rate ?? RATE_FOR_DEPLOYS;
  const startedAt = new Date().toISOString();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-bench-'));
  const cancelRemoval = onExit(() => rmSync(dir, { recursive: true, force: true }));
  const sink = new PassThrough().resume();
  const supervisor = new Supervisor({ out: sink, err: sink, stopTimeoutMs: 5000 });
  const sampler = new CpuSampler();
  let consul: DevConsulHandle | undefined;
  let proxy: (ReloadableNginx | RuntimeHaproxy) | undefined;
  let generator: ManagedProcess | undefined;
  const marks: DeployMark[] = [];
  let startEpoch = Number.POSITIVE_INFINITY;
  const mark = (what: string, subject: string): void => {
    if (now() >= startEpoch) marks.push({ atMs: now() - startEpoch, what, subject });
  };
  try {
    consul = await startDevConsul({ port: 0, logLevel: 'error' });
    const agent = { host: '127.0.0.1', port: consul.port };
    const service: ServiceDefinition = {
      ...SERVICES[SERVICE]!,
      env: () => ({ PORT: '0', CONSUL_HTTP_ADDR: `${agent.host}:${agent.port}`, LOG_FORMAT: '' }),
    };
    const fleet: FleetOptions = {
      consul: new ConsulApi(agent),
      service,
      supervisor,
      say: () => undefined,
      onEvent: (event: FleetEvent) => {
        if (event.type === 'started') sampler.track('instances', event.pid);
        mark(event.type, event.type === 'cutover' ? String(event.to) : event.id);
      },
    };
    const serving: RegisteredInstance[] = [];
    for (let n = 1; n <= scenario.serving; n++) serving.push(await startInstance(fleet, n, { version: OLD_VERSION, color: OLD_COLOR }));
    const standby: RegisteredInstance[] = [];
    for (let n = 1; n <= scenario.standby; n++) standby.push(await startInstance(fleet, scenario.serving + n, { version: NEW_VERSION, color: NEW_COLOR }));
    if (scenario.standby > 0) await fleet.consul.setActiveColor(SERVICE, OLD_COLOR);

    let routing: ProxyRouting | undefined;
    if (contender !== 'library') {
      const binary = options.proxies?.[contender];
      if (!binary) throw new Error(`${contender} is needed for the ${contender} contender`);
      if (contender === 'nginx') {
        const nginx = await startNginx(binary.path, dir, serving.map(portOf));
        proxy = nginx;
        routing = nginxRouting(nginx, serving.map(portOf));
      } else {
        const haproxy = await startHaproxyForDeploys(binary.path, dir, serving.map(portOf), standby.map(portOf));
        proxy = haproxy;
        routing = haproxyRouting(haproxy);
      }
    }
    const spec: GeneratorSpec = {
      contender, urls: serving.map((i) => i.url), rate, endMs: scenario.endMs, path: DEPLOY_REQUEST_PATH,
      ...(proxy ? { proxyUrl: proxy.url } : { consul: { ...agent, service: SERVICE } }),
    };
    generator = startGenerator(spec);
    const schedule = await startSchedule(generator, scenario.endMs, sampler, proxy);
    const { done } = schedule;
    const epoch = schedule.startEpoch;
    startEpoch = epoch;

    const routed = async (step: Promise<void>, what: string, subject: string): Promise<void> => {
      await step;
      mark(what, subject);
      if (proxy) sampler.track(proxy.name, proxy.pid); // nginx's new workers
    };
    const deploy = (async (): Promise<string | undefined> => {
      await sleep(Math.max(0, epoch + scenario.deployAtMs - now()));
      while (now() < epoch + scenario.deployAtMs) await new Promise((resolve) => setImmediate(resolve)); // a timer may fire a hair early
      try {
        if (scenario.standby > 0) {
          if (routing) await routed(routing.switchTo(standby.map(portOf)), 'cutover', NEW_COLOR);
          else await cutover(fleet, NEW_COLOR);
        } else if (!routing) {
          await roll(fleet, NEW_VERSION);
        } else {
          let number = scenario.serving + scenario.standby;
          for (const old of serving) {
            const fresh = await startInstance(fleet, ++number, { version: NEW_VERSION, color: old.color });
            await routed(routing.add(portOf(fresh)), 'routed', fresh.id);
            await routed(routing.remove(portOf(old)), 'unrouted', old.id);
            await retireInstance(fleet, old);
          }
        }
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    })();
    const message = await done;
    const deployError = await deploy;
    if (message.type !== 'done') throw new Error(`unexpected generator message ${message.type}`);
    const cpu = sampler.finish();
    const figures = computeDeployFigures(message.result.requests, marks, scenario.deployAtMs, scenario.endMs);
    const summary: DeployRunSummary = {
      scenario: scenario.name,
      contender,
      rep,
      startedAt,
      rate,
      endMs: scenario.endMs,
      marks,
      ...(deployError ? { deployError } : {}),
      figures,
      cpu,
      saturated: isSaturated(cpu, { sendLagP99: figures.sendLagP99 }),
      unsettled: message.result.unsettled,
    };
    return { summary, result: message.result };
  } finally {
    if (generator) await generator.stop();
    if (proxy) await proxy.stop().catch(() => undefined);
    await supervisor.stopAll();
    await consul?.close();
    cancelRemoval();
    rmSync(dir, { recursive: true, force: true });
  }
}
