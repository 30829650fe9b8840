/**
 * Real processes for integration tests and the system-test script: service instances and the
 * gateway as child processes (`node dist/main.js <name>` on port 0), against a Consul at `consulUrl`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export type ProcessName = 'posts' | 'votes' | 'users' | 'messages' | 'gateway';

export interface RunningProcess {
  name: ProcessName;
  id: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output: string[];
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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
  /** Copy the child's output to this process's stdout. @default false */
  echo?: boolean;
  /** @default 30000 (13 processes starting at once on 2 busy cores take a while) */
  startTimeoutMs?: number;
}

/** Starts one process and resolves once it printed `listening on port <n>`. */
export function startProcess(options: StartProcessOptions): Promise<RunningProcess> {
  const child = spawn(process.execPath, [MAIN, options.name], {
    env: {
      ...process.env,
      PORT: '0',
      INSTANCE_ID: options.id,
      DATA_DIR: options.dataDir,
      CONSUL_HTTP_ADDR: options.consulUrl,
      REGISTRATION_TTL: '2s',
      LOG_FORMAT: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const record = (line: string): void => {
    output.push(line);
    if (output.length > 500) output.shift();
    if (options.echo) process.stdout.write(`[${options.id}] ${line}\n`);
  };
  createInterface({ input: child.stderr! }).on('line', record);
  return new Promise<RunningProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.id} did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${output.join('\n')}`));
    }, options.startTimeoutMs ?? 30_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${options.id} exited during start-up (${signal ?? `code ${code}`}):\n${output.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      record(line);
      const match = /^listening on port (\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      const port = Number(match[1]);
      const stopWith = async (signal: NodeJS.Signals, timeoutMs: number): Promise<void> => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill(signal);
        const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(killer);
      };
      resolve({
        name: options.name,
        id: options.id,
        port,
        url: `http://127.0.0.1:${port}`,
        child,
        output,
        exited,
        stop: (timeoutMs = 10_000) => stopWith('SIGTERM', timeoutMs),
        kill: () => stopWith('SIGKILL', 5000),
      });
    });
  });
}

/** Polls Consul until `service` has exactly `count` passing instances. */
export async function waitForPassing(consulUrl: string, service: string, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${consulUrl}/v1/health/service/${service}?passing`);
      if (response.ok) {
        last = ((await response.json()) as unknown[]).length;
        if (last === count) return;
      }
    } catch {
      // Consul not ready yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${service}: expected ${count} passing instances in Consul, saw ${last}`);
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
