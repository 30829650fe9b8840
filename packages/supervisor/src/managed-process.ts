import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LISTENING_ON_PORT } from './listening-port.js';
import { signalGroup, signalProcess } from './process-group.js';
import { ProcessOutput } from './process-output.js';
import type { LineListener } from './process-output.js';
import { track } from './running-processes.js';

/** How a child ended: its exit code, or the signal that ended it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What {@link startProcess} runs. */
export interface ProcessOptions {
  /** Names the process in error messages. */
  name: string;
  /**
   * The program: a path or a name on PATH (`nginx`, `haproxy`, `postgres`), run as it is. Without it, `args`
   * are a Node.js script and its arguments, run with this process's `node` and the orphan guard preloaded.
   * @default this process's node
   */
  command?: string;
  /** @default [] */
  args?: readonly string[];
  /** Added to this process's environment; `undefined` removes a variable. @default {} */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default this process's working directory */
  cwd?: string;
  /** Opens an IPC channel (`process.send` in a Node child). @default false */
  ipc?: boolean;
  /** After the stop signal, how long it may take before its process group is SIGKILLed, ms. @default 10000 */
  stopTimeoutMs?: number;
}

/** A started process: its output lines can be awaited, it can be signalled and stopped, its end is a promise. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Settles when it has exited and every line it printed has been read (never rejects). */
  readonly exited: Promise<ChildExit>;
  /** True until it exits. */
  isRunning(): boolean;
  /** Everything it printed (stdout and stderr, by line, the last 64 MB). */
  output(): string;
  /** The number of the next line it prints, to read or wait for only what comes after. */
  mark(): number;
  /** What it printed from line `mark` on. */
  since(mark: number): string;
  /**
   * The first line matching `pattern` from line `from` (default: its first) on, among those printed and
   * those to come; rejects if it exits first or `timeoutMs` passes.
   */
  waitForLine(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Calls `listener` with each line it prints from now on (and whether stdout or stderr); returns a function that stops it. */
  onLine(listener: LineListener): () => void;
  /** The port of its `listening on port <n>` line (the repository's convention for `PORT=0`). */
  listeningPort(timeoutMs?: number): Promise<number>;
  /** Sends `signal` to the process alone (SIGSTOP, SIGCONT, SIGKILL of an instance); false when it is gone. */
  signal(signal: NodeJS.Signals): boolean;
  /**
   * Stops it: SIGCONT (a paused process could not handle its signal), then `signal` to its process group,
   * then SIGKILL to the group after `timeoutMs`; once it has exited, SIGKILL to whatever is left of the group.
   * Resolves with how it exited; safe to call when it already has.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ChildExit>;
}

export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_LINE_TIMEOUT_MS = 15_000;
// `../dist/` resolves from both src/ (tests) and dist/: the guard always runs compiled.
const ORPHAN_GUARD = fileURLToPath(new URL('../dist/orphan-guard.js', import.meta.url));

function environment(added: ProcessOptions['env'] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(added)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * Starts a process in its own process group, the one way the repository does it: launchers, scripts,
 * benchmarks and tests. Its output is read line by line; it never outlives this process by accident (a Node
 * script stops itself when its parent dies, any process is ended when this one exits).
 *
 * @example
 * const nginx = startProcess({ name: 'nginx', command: 'nginx', args: ['-c', conf, '-g', 'daemon off;'] });
 * const ratings = startProcess({ name: 'ratings-1', args: ['dist/main.js'], env: { PORT: '0' } });
 * const port = await ratings.listeningPort();
 * await Promise.all([ratings.stop(), nginx.stop('SIGQUIT')]);
 */
export function startProcess(options: ProcessOptions): ManagedProcess {
  const node = options.command === undefined;
  const command = options.command ?? process.execPath;
  const args = node ? ['--import', ORPHAN_GUARD, ...(options.args ?? [])] : [...(options.args ?? [])];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: environment(options.env),
    detached: true,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let startError: Error | undefined;
  child.once('error', (error) => { startError = error; });
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${command})`);
  const pid = child.pid;
  const { name } = options;
  const output = new ProcessOutput();
  for (const [input, stream] of [[child.stdout!, 'stdout'], [child.stderr!, 'stderr']] as const) {
    createInterface({ input, crlfDelay: Infinity }).on('line', (line) => output.push(line, stream));
  }
  // 'close', not 'exit': every line it printed has been read by then
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null && startError === undefined;
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;

  const managed: ManagedProcess = {
    name,
    pid,
    process: child,
    exited,
    isRunning,
    output: () => output.since(0),
    mark: () => output.mark(),
    since: (mark) => output.since(mark),
    waitForLine: (pattern, timeoutMs = DEFAULT_LINE_TIMEOUT_MS, from = 0) => new Promise((resolve, reject) => {
      const earlier = output.find(pattern, from);
      if (earlier) {
        resolve(earlier);
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        stopListening();
      };
      const stopListening = output.onLine((line) => {
        const match = line.match(pattern);
        if (match) {
          done();
          resolve(match);
        }
      });
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${name} did not print ${pattern} within ${timeoutMs / 1000} s; it printed:\n${output.since(from)}`));
      }, timeoutMs);
      void exited.then((exit) => {
        done();
        reject(new Error(`${name} exited (${exit.signal ?? `code ${exit.code}`}) before printing ${pattern}; it printed:\n${output.since(from)}`));
      });
    }),
    onLine: (listener) => output.onLine(listener),
    listeningPort: async (timeoutMs) => Number((await managed.waitForLine(LISTENING_ON_PORT, timeoutMs))[1]),
    signal: (signal) => signalProcess(pid, signal),
    async stop(signal = 'SIGTERM', timeoutMs = stopTimeoutMs) {
      if (isRunning()) {
        signalGroup(pid, 'SIGCONT');
        signalGroup(pid, signal);
        const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), timeoutMs);
        // 'exit', not `exited`: a leftover of the group holding its output open is killed below
        if (isRunning()) await new Promise((resolve) => child.once('exit', resolve));
        clearTimeout(timer);
      }
      signalGroup(pid, 'SIGKILL'); // leftovers of the group (a worker whose master died)
      return exited;
    },
  };
  const untrack = track({ pid, onParentExit: node ? 'SIGTERM' : 'SIGKILL', stop: () => managed.stop() });
  void exited.then(untrack);
  return managed;
}
