/**
 * Real processes for integration tests and the system-test script: service instances and the
 * gateway as child processes (`node dist/main.js <name>` on port 0), against a Consul at `consulUrl`,
 * started and stopped by process-supervisor's Supervisor (own process group, SIGCONT before the stop
 * signal, SIGKILL after the timeout, children exit by themselves if this process dies).
 */
import type { ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ConsulCatalog, parseConsulAddr } from 'discovery-client';
import { Supervisor, waitFor } from 'process-supervisor';
import type { ChildExit } from 'process-supervisor';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export type ProcessName = 'posts' | 'votes' | 'users' | 'messages' | 'gateway';

export interface RunningProcess {
  name: ProcessName;
  id: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** The last 500 lines the process printed, for failure messages. */
  output: string[];
  /** Resolves when the process has exited. */
  exited: Promise<ChildExit>;
  /** SIGTERM (clean: deregisters) and wait; SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

export interface StartProcessOptions {
  name: ProcessName;
  id: string;
  consulUrl: string;
  dataDir: string;
  env?: Record<string, string>;
  /** Copy the child's output to this process's stdout, each line prefixed with its id. @default false */
  echo?: boolean;
  /** @default 30000 (13 processes starting at once on 2 busy cores take a while) */
  startTimeoutMs?: number;
}

const KEPT_LINES = 500;

/** One supervisor for processes whose output is echoed, one for the quiet ones (each stop gives its own timeout). */
const supervisors: { echo?: Supervisor; quiet?: Supervisor } = {};

function supervisorFor(echo: boolean): Supervisor {
  if (echo) return (supervisors.echo ??= new Supervisor());
  const sink = new PassThrough().resume();
  return (supervisors.quiet ??= new Supervisor({ out: sink, err: sink }));
}

/** Starts one process and resolves once it printed `listening on port <n>`. */
export async function startProcess(options: StartProcessOptions): Promise<RunningProcess> {
  const supervisor = supervisorFor(options.echo ?? false);
  const child = supervisor.start({
    name: options.id,
    args: [MAIN, options.name],
    env: {
      PORT: '0',
      INSTANCE_ID: options.id,
      DATA_DIR: options.dataDir,
      CONSUL_HTTP_ADDR: options.consulUrl,
      REGISTRATION_TTL: '2s',
      LOG_FORMAT: '',
      ...options.env,
    },
  });
  const output: string[] = [];
  child.onLine((line) => {
    output.push(line);
    if (output.length > KEPT_LINES) output.shift();
  });
  let port: number;
  try {
    port = await child.listeningPort(options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await supervisor.stopChild(child, 'SIGKILL');
    throw new Error(`${options.id} did not start: ${(error as Error).message}\n${output.join('\n')}`, { cause: error });
  }
  const stopWith = async (signal: NodeJS.Signals, timeoutMs: number): Promise<void> => {
    await supervisor.stopChild(child, signal, timeoutMs);
  };
  return {
    name: options.name,
    id: options.id,
    port,
    url: `http://127.0.0.1:${port}`,
    child: child.process,
    output,
    exited: child.exited,
    stop: (timeoutMs = 10_000) => stopWith('SIGTERM', timeoutMs),
    kill: () => stopWith('SIGKILL', 5000),
  };
}

/** Polls Consul until `service` has exactly `count` passing instances (Consul not answering yet counts as not yet). */
export async function waitForPassing(consulUrl: string, service: string, count: number, timeoutMs = 15_000): Promise<void> {
  const catalog = new ConsulCatalog({ consul: parseConsulAddr(consulUrl), timeoutMs: 1000 });
  let last = -1;
  try {
    await waitFor(async () => (last = (await catalog.instances(service)).length) === count, { timeoutMs, intervalMs: 100, what: `${count} passing ${service} instances` });
  } catch (error) {
    throw new Error(`${service}: expected ${count} passing instances in Consul, saw ${last}`, { cause: error });
  } finally {
    catalog.close();
  }
}

export interface ClusterOptions {
  consulUrl: string;
  dataDir: string;
  /** Instances per service. @default 1 each */
  counts?: Partial<Record<Exclude<ProcessName, 'gateway'>, number>>;
  env?: Record<string, string>;
  echo?: boolean;
}

export interface Cluster {
  gateway: RunningProcess;
  instances: RunningProcess[];
  byService(name: ProcessName): RunningProcess[];
  /** Stops everything (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/** Every service's instances and a gateway, all registered and passing before it resolves. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const counts = { posts: 1, votes: 1, users: 1, messages: 1, ...options.counts };
  const started: RunningProcess[] = [];
  try {
    const pending: Array<Promise<RunningProcess>> = [];
    for (const [service, count] of Object.entries(counts) as Array<[Exclude<ProcessName, 'gateway'>, number]>) {
      for (let i = 1; i <= count; i += 1) {
        pending.push(
          startProcess({ name: service, id: `${service}-${i}`, consulUrl: options.consulUrl, dataDir: options.dataDir, env: options.env, echo: options.echo }).then(
            (running) => {
              started.push(running);
              return running;
            },
          ),
        );
      }
    }
    const settled = await Promise.allSettled(pending);
    const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
    const instances = settled.map((result) => (result as PromiseFulfilledResult<RunningProcess>).value);
    const gateway = await startProcess({ name: 'gateway', id: 'gateway', consulUrl: options.consulUrl, dataDir: options.dataDir, env: options.env, echo: options.echo });
    started.push(gateway);
    for (const [service, count] of Object.entries(counts)) await waitForPassing(options.consulUrl, service, count);
    return {
      gateway,
      instances,
      byService: (name) => instances.filter((instance) => instance.name === name),
      stop: async () => {
        await Promise.all(started.map((running) => running.stop()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((running) => running.kill()));
    throw error;
  }
}
