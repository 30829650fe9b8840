import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDetached, waitFor, type Supervisor } from 'process-supervisor';
import { REPO, type ServiceDefinition } from '../services.js';
import type { ConsulApi, RegisteredInstance } from './consul.js';

/** Options of the deploy commands. */
export interface FleetOptions {
  consul: ConsulApi;
  service: ServiceDefinition;
  /** Runs the new instances (in this command's foreground) unless `detach`. */
  supervisor: Supervisor;
  /** New instances outlive this command (own session, output in `.data/logs/<id>.log`). @default false */
  detach?: boolean;
  /** How long a new instance has to be listed passing in Consul, ms. @default 30000 */
  healthyTimeoutMs?: number;
  /** How long a retired instance has to leave Consul and exit, ms. @default 30000 */
  retireTimeoutMs?: number;
  /** One line per step. */
  say: (line: string) => void;
  /** Each step as a typed event, when it happens (benchmarks mark them on their plots). */
  onEvent?: (event: FleetEvent) => void;
}

/** What a deploy command did, when it did it. */
export type FleetEvent =
  /** A new instance's process was started. */
  | { type: 'started'; id: string; pid: number; version: string | undefined; color: string | undefined }
  /** Consul lists the new instance passing: callers may pick it from now on. */
  | { type: 'passing'; id: string; url: string }
  /** SIGTERM sent to an old instance (it deregisters, drains, exits). */
  | { type: 'retiring'; id: string }
  /** Consul no longer lists it. */
  | { type: 'deregistered'; id: string }
  /** Its process has exited. */
  | { type: 'stopped'; id: string }
  /** The active color changed (`undefined`: none, every instance serves). */
  | { type: 'cutover'; service: string; from: string | undefined; to: string | undefined };

/** A step that failed and stopped the command; the message says what is left running. */
export class DeployError extends Error {
  override name = 'DeployError';
}

/** How often a step asks Consul (or the process table) whether it is done; Consul unreachable for a moment is "not yet". */
const POLL_MS = 100;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The next free instance number: one above every number registered or started by this command. */
function nextNumber(taken: Iterable<number>): number {
  return Math.max(0, ...taken) + 1;
}

/**
 * Starts one new instance (version, color) and waits until Consul lists it passing. Throws a DeployError
 * (after stopping it again) when it does not become healthy in time.
 */
export async function startInstance(
  options: FleetOptions, number: number, settings: { version: string | undefined; color: string | undefined },
): Promise<RegisteredInstance> {
  const { service, say } = options;
  const id = `${service.name}-${number}`;
  const env = {
    ...service.env(number),
    ...(settings.version ? { VERSION: settings.version } : {}),
    ...(settings.color ? { COLOR: settings.color } : { COLOR: undefined }),
  };
  const label = `${id}${settings.version ? ` (version ${settings.version}${settings.color ? `, ${settings.color}` : ''})` : ''}`;
  let stopIt: () => Promise<void>;
  let exited: () => boolean;
  if (options.detach) {
    const logs = join(REPO, '.data', 'logs');
    mkdirSync(logs, { recursive: true });
    const logFile = join(logs, `${id}.log`);
    const pid = startDetached({ args: service.args(number), env, logFile });
    say(`started ${label}, pid ${pid}, detached (output in ${logFile})`);
    options.onEvent?.({ type: 'started', id, pid, version: settings.version, color: settings.color });
    stopIt = async () => { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } };
    exited = () => !processAlive(pid);
  } else {
    const child = options.supervisor.start({ name: id, args: service.args(number), env });
    say(`started ${label}, pid ${child.pid}`);
    options.onEvent?.({ type: 'started', id, pid: child.pid, version: settings.version, color: settings.color });
    stopIt = async () => { await options.supervisor.stopChild(child); };
    exited = () => child.process.exitCode !== null || child.process.signalCode !== null;
  }
  const healthyTimeoutMs = options.healthyTimeoutMs ?? 30_000;
  const healthy = await waitFor(
    async () => (exited() ? ('exited' as const) : (await options.consul.instances(service.name)).find((i) => i.id === id && i.passing)),
    { timeoutMs: healthyTimeoutMs, intervalMs: POLL_MS, what: `${id} to pass in Consul` },
  ).catch(() => undefined);
  if (!healthy || healthy === 'exited') {
    await stopIt();
    throw new DeployError(`${id} did not become healthy in Consul${exited() ? ' (it exited)' : ` within ${healthyTimeoutMs / 1000} s`}; stopped it`);
  }
  say(`${id} is passing in Consul at ${healthy.url}`);
  options.onEvent?.({ type: 'passing', id, url: healthy.url });
  return healthy;
}

/**
 * Retires one instance gracefully: SIGTERM to its process (it deregisters, keeps serving through its drain
 * delay so every watcher drops it, answers the requests in flight, then exits), then waits until Consul no
 * longer lists it and the process is gone. An instance without a pid on this host is deregistered in Consul
 * (its process must be stopped where it runs).
 */
export async function retireInstance(options: FleetOptions, instance: RegisteredInstance): Promise<void> {
  const { consul, say, service } = options;
  const timeoutMs = options.retireTimeoutMs ?? 30_000;
  const started = Date.now();
  if (instance.pid === undefined || !processAlive(instance.pid)) {
    say(`retiring ${instance.id}: no process of it on this host; deregistering it in Consul (stop its process where it runs)`);
    await consul.deregister(instance.id);
    return;
  }
  say(`retiring ${instance.id} (pid ${instance.pid}): SIGTERM; it deregisters, drains, finishes its requests in flight, exits`);
  process.kill(instance.pid, 'SIGCONT');
  process.kill(instance.pid, 'SIGTERM');
  options.onEvent?.({ type: 'retiring', id: instance.id });
  await waitFor(async () => !(await consul.instances(service.name)).some((i) => i.id === instance.id), {
    timeoutMs, intervalMs: POLL_MS, what: `${instance.id} to leave Consul`,
  }).catch((error: unknown) => {
    throw new DeployError(`${instance.id} is still registered ${timeoutMs / 1000} s after SIGTERM`, { cause: error });
  });
  say(`${instance.id} left Consul after ${Date.now() - started} ms; watchers drop it now`);
  options.onEvent?.({ type: 'deregistered', id: instance.id });
  await waitFor(() => !processAlive(instance.pid!), { timeoutMs, intervalMs: POLL_MS, what: `${instance.id} to exit` }).catch((error: unknown) => {
    throw new DeployError(`${instance.id} (pid ${instance.pid}) left Consul but is still running ${timeoutMs / 1000} s after SIGTERM`, { cause: error });
  });
  say(`${instance.id} stopped after ${Date.now() - started} ms`);
  options.onEvent?.({ type: 'stopped', id: instance.id });
}

/**
 * Rolling update: for each instance running now, start one of `version`, wait until it passes, retire the
 * old one. Stops at the first new instance that does not become healthy; the old ones keep serving.
 */
export async function roll(options: FleetOptions, version: string): Promise<RegisteredInstance[]> {
  const { consul, say, service } = options;
  const old = (await consul.instances(service.name)).filter((i) => i.version !== version);
  if (old.length === 0) {
    say(`every ${service.name} instance already runs version ${version}: nothing to roll`);
    return [];
  }
  say(`rolling ${service.name} to version ${version}: ${old.length} instance(s) to replace (${old.map((i) => `${i.id} ${i.version ?? '?'}`).join(', ')})`);
  const taken = new Set((await consul.instances(service.name)).map((i) => i.number));
  const started: RegisteredInstance[] = [];
  for (const [index, instance] of old.entries()) {
    say(`step ${index + 1}/${old.length}: replace ${instance.id}`);
    const number = nextNumber(taken);
    taken.add(number);
    try {
      started.push(await startInstance(options, number, { version, color: instance.color }));
    } catch (error) {
      throw new DeployError(`roll stopped at step ${index + 1}: ${(error as Error).message}. The old instances keep serving: ${old.slice(index).map((i) => i.id).join(', ')}`);
    }
    await retireInstance(options, instance);
  }
  say(`roll complete: ${service.name} runs version ${version} on ${started.map((i) => i.id).join(', ')}`);
  return started;
}

/**
 * Scale to `count` instances. Up: starts new ones, of the version and color of the newest instance that gets
 * traffic (of the active color, when one is set) unless given. Down: retires gracefully first the instances
 * no caller is routed to (not of the active color), then the highest-numbered, so the instances kept are the
 * ones serving (with `count` ≥ 1 the active color always keeps one).
 */
export async function scale(
  options: FleetOptions, count: number, settings: { version?: string | undefined; color?: string | undefined } = {},
): Promise<RegisteredInstance[]> {
  const { consul, say, service } = options;
  const current = await consul.instances(service.name);
  const active = await consul.activeColor(service.name);
  say(`${service.name}: ${current.length} instance(s) registered (${current.map((i) => i.id).join(', ') || 'none'})${active ? `, active color ${active}` : ''}, scaling to ${count}`);
  const started: RegisteredInstance[] = [];
  const routed = (instance: RegisteredInstance): boolean => active === undefined || instance.color === active;
  if (count > current.length) {
    const newest = current.filter(routed).at(-1) ?? current.at(-1);
    const taken = new Set(current.map((i) => i.number));
    for (let k = current.length; k < count; k += 1) {
      const number = nextNumber(taken);
      taken.add(number);
      started.push(await startInstance(options, number, {
        version: settings.version ?? newest?.version, color: settings.color ?? newest?.color,
      }));
    }
  } else {
    const byNumberDown = [...current].sort((a, b) => b.number - a.number);
    const order = [...byNumberDown.filter((i) => !routed(i)), ...byNumberDown.filter(routed)];
    const retiring = order.slice(0, current.length - count);
    for (const instance of retiring) await retireInstance(options, instance);
  }
  say(`${service.name} runs ${count} instance(s)`);
  return started;
}

/** `make cutover COLOR=none`: no active color, every instance serves. */
export const NO_COLOR = 'none';

/**
 * Blue/green cut-over: makes `color` the active color of the service (Consul KV `discovery/<service>/active`).
 * Refuses when no passing instance has that color (the service would have none to route to).
 */
export async function cutover(options: Pick<FleetOptions, 'consul' | 'service' | 'say' | 'onEvent'>, color: string): Promise<void> {
  const { consul, say, service } = options;
  const instances = await consul.instances(service.name);
  if (color === NO_COLOR) {
    const before = await consul.activeColor(service.name);
    await consul.clearActiveColor(service.name);
    options.onEvent?.({ type: 'cutover', service: service.name, from: before, to: undefined });
    say(`${service.name}: active color ${before ?? '(none)'} -> none: clients use every instance (${instances.map((i) => i.id).join(', ') || 'none registered'})`);
    return;
  }
  const ready = instances.filter((i) => i.color === color && i.passing);
  if (ready.length === 0) {
    throw new DeployError(`no passing ${service.name} instance has color ${color} (${instances.map((i) => `${i.id}: ${i.color ?? 'no color'}`).join(', ') || 'none registered'}); start them first (COLOR=${color}); nothing changed`);
  }
  const before = await consul.activeColor(service.name);
  await consul.setActiveColor(service.name, color);
  options.onEvent?.({ type: 'cutover', service: service.name, from: before, to: color });
  say(`${service.name}: active color ${before ?? '(none: every instance)'} -> ${color}; clients asking for the active color now use ${ready.map((i) => `${i.id} (${i.version ?? '?'})`).join(', ')}`);
  const other = instances.filter((i) => i.color !== color);
  if (other.length > 0) {
    say(`still running, no longer routed to: ${other.map((i) => i.id).join(', ')} (roll back: COLOR=${before ?? other[0]!.color ?? NO_COLOR}; ` +
      `retire them with make scale SERVICE=${service.name} COUNT=${instances.length - other.length}: it retires the instances of other colors first)`);
  }
}
