/**
 * Every process the harness starts goes through here, in its own process group, so that one call stops
 * it and whatever it forked (nginx's worker) on success, on failure and on ^C. A stopped (SIGSTOP) process
 * gets SIGCONT before SIGTERM, and SIGKILL if it is still there after a grace period.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { EventEmitter, once } from 'node:events';

export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process printed (stdout and stderr), kept for error messages. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isAlive(): boolean;
}

const running = new Set<Managed>();

const GRACE_MS = 2000;

/** Starts `command args` in its own process group; `ipc` adds an IPC channel (node children only). */
export function start(name: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; ipc?: boolean; cwd?: string } = {}): Managed {
  const spawnOptions: SpawnOptions = {
    detached: true,
    env: options.env ?? process.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  };
  if (options.cwd) spawnOptions.cwd = options.cwd;
  const child = spawn(command, args, spawnOptions);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  let text = '';
  /** Emits 'change' on output and on exit, for `waitFor`. */
  const changed = new EventEmitter();
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
    if (text.length > 64_000_000) text = text.slice(-32_000_000);
    changed.emit('change');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      alive = false;
      running.delete(managed);
      changed.emit('change');
      resolve({ code, signal });
    });
  });
  const managed: Managed = {
    name,
    child,
    pid: child.pid,
    output: () => text,
    exited,
    isAlive: () => alive,
    async waitFor(pattern, timeoutMs = 15_000) {
      const signal = AbortSignal.timeout(timeoutMs);
      for (;;) {
        const match = text.match(pattern);
        if (match) return match;
        if (!alive) throw new Error(`${name} exited before printing ${pattern}; output:\n${text}`);
        try {
          await once(changed, 'change', { signal });
        } catch {
          throw new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; output:\n${text}`);
        }
      }
    },
  };
  running.add(managed);
  return managed;
}

function signalGroup(managed: Managed, signal: NodeJS.Signals): void {
  try {
    process.kill(-managed.pid, signal);
  } catch {
    // already gone
  }
}

/** Sends a signal to the process itself (not its group): SIGSTOP, SIGCONT, SIGKILL of an instance. */
export function signal(managed: Managed, name: NodeJS.Signals): void {
  try {
    process.kill(managed.pid, name);
  } catch {
    // already gone
  }
}

/** SIGCONT then SIGTERM to the process group; SIGKILL after the grace period. Resolves once it exited. */
export async function stop(managed: Managed, graceMs = GRACE_MS): Promise<void> {
  if (!managed.isAlive()) {
    signalGroup(managed, 'SIGKILL'); // leftovers of the group (a worker whose master died)
    return;
  }
  signalGroup(managed, 'SIGCONT');
  signalGroup(managed, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(managed, 'SIGKILL'), graceMs);
  await managed.exited;
  clearTimeout(timer);
  signalGroup(managed, 'SIGKILL');
}

/** Stops every process still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((m) => stop(m)));
}

const exitHooks = new Set<() => void>();

/** Runs `hook` (synchronous) when the process exits, whatever the reason; returns the function that cancels it. */
export function onExit(hook: () => void): () => void {
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

/** Synchronous last resort (process 'exit'): SIGCONT and SIGKILL to every group still running, then the hooks. */
function killAllNow(): void {
  for (const managed of running) {
    signalGroup(managed, 'SIGCONT');
    signalGroup(managed, 'SIGKILL');
  }
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort
    }
  }
}

let installed = false;

/**
 * On SIGINT/SIGTERM: stop every child, then exit with 130/143. On exit for any other reason: kill what is
 * left. Idempotent.
 */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping ${running.size} process(es)\n`);
      void stopAll().finally(() => process.exit(code));
    });
  }
}

