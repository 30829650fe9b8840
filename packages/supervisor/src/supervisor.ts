import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** How a child ended: its exit code, or the signal that ended it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What {@link Supervisor.start} needs to run one Node.js child. */
export interface StartOptions {
  /** Names the child in messages and, unless `prefix` says otherwise, in its output: `[ratings-2] …`. */
  name: string;
  /** The script and its arguments, run with this process's `node`. */
  args: readonly string[];
  /** Added to this process's environment; `undefined` removes a variable. @default {} */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default this process's working directory */
  cwd?: string;
  /** Written before each of its lines. @default `[<name>] ` */
  prefix?: string;
  /** ANSI colour of the prefix when the output is a terminal (e.g. 33 for yellow). @default none */
  color?: number;
}

/** A running child: its output lines can be awaited, its end is a promise. */
export interface SupervisedChild {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Settles when the child has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  /**
   * The first line matching `pattern` among the last {@link LINES_KEPT} it printed and those to come; rejects if
   * the child exits first or `timeoutMs` passes.
   */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Calls `listener` with each line it prints from now on (stdout and stderr); returns a function that stops it. */
  onLine(listener: (line: string) => void): () => void;
  /** The port of its `listening on port <n>` line (the repository's convention for `PORT=0`). */
  listeningPort(timeoutMs?: number): Promise<number>;
}

/** Options of a {@link Supervisor}. */
export interface SupervisorOptions {
  /** Where children's stdout lines go. @default process.stdout */
  out?: NodeJS.WritableStream;
  /** Where children's stderr lines go. @default process.stderr */
  err?: NodeJS.WritableStream;
  /** After the stop signal, how long a child may take before its process group is SIGKILLed, ms. @default 10000 */
  stopTimeoutMs?: number;
  /** Called when a child exits while the supervisor is not stopping. @default none */
  onUnexpectedExit?: (child: SupervisedChild, exit: ChildExit) => void;
}

export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/** How many of a child's latest lines `waitForLine` also searches. */
export const LINES_KEPT = 1000;
/** A second ^C later than this after the first kills whatever is still stopping. */
export const FORCE_AFTER_MS = 1_000;
// `../dist/` resolves from both src/ (tests) and dist/: the guard always runs compiled.
const ORPHAN_GUARD = fileURLToPath(new URL('../dist/orphan-guard.js', import.meta.url));

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` to the child's process group; false when it is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts Node.js children and stops them, the one way every launcher in the repository does it.
 *
 * - Each child runs in its own process group, so a terminal's ^C reaches only the supervisor, which stops
 *   the children in the order the launcher asks (instances deregister before the registry goes away).
 * - Each child exits by itself (SIGTERM, so it still deregisters) when the supervisor dies without stopping
 *   it: a preloaded guard notices its parent has changed.
 * - Stopping sends SIGCONT first (a child paused with `kill -STOP` could not handle its signal), then the
 *   signal, then SIGKILL to the group after `stopTimeoutMs`.
 * - Output is written line by line with a prefix; a closed output pipe (`make demo | tee log`, then ^C)
 *   is reported through {@link Supervisor.onOutputClosed} instead of crashing the supervisor.
 */
export class Supervisor {
  readonly children: SupervisedChild[] = [];
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;
  private readonly stopTimeoutMs: number;
  private readonly onUnexpectedExit: SupervisorOptions['onUnexpectedExit'];
  private readonly colored: boolean;
  private outputClosedListeners: Array<() => void> = [];
  private stoppingSince: number | undefined;

  constructor(options: SupervisorOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.err = options.err ?? process.stderr;
    this.stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    this.onUnexpectedExit = options.onUnexpectedExit;
    this.colored = Boolean((this.out as { isTTY?: boolean }).isTTY) && !process.env.NO_COLOR;
    for (const stream of new Set([this.out, this.err])) {
      stream.on('error', () => {
        for (const listener of this.outputClosedListeners.splice(0)) listener();
      });
    }
  }

  /** True once {@link stop} or {@link stopAll} has begun (children exiting then are expected). */
  get stopping(): boolean {
    return this.stoppingSince !== undefined;
  }

  /** Calls `listener` once when writing to the output fails (the reading end of a pipe went away). */
  onOutputClosed(listener: () => void): void {
    this.outputClosedListeners.push(listener);
  }

  /** Writes one line to the output; never throws, even when nobody reads it any more. */
  say(line: string): void {
    this.write(this.out, `${line}\n`);
  }

  private write(stream: NodeJS.WritableStream, text: string): void {
    if ((stream as { destroyed?: boolean }).destroyed || (stream as { writableEnded?: boolean }).writableEnded) return;
    try {
      stream.write(text);
    } catch {
      // EPIPE thrown synchronously: the 'error' listener reports it
    }
  }

  /** Starts `node <args>` as a supervised child. */
  start(options: StartOptions): SupervisedChild {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const child = spawn(process.execPath, ['--import', ORPHAN_GUARD, ...options.args], {
      cwd: options.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const rawPrefix = options.prefix ?? `[${options.name}] `;
    const prefix = this.colored && options.color !== undefined ? `\x1b[${options.color}m${rawPrefix}\x1b[0m` : rawPrefix;
    const lineListeners = new Set<(line: string) => void>();
    const lines: string[] = [];
    // 'close', not 'exit': every line it printed has been read (and written out) by then
    const exited = new Promise<ChildExit>((resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    for (const [input, output] of [[child.stdout!, this.out], [child.stderr!, this.err]] as const) {
      createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
        this.write(output, `${prefix}${line}\n`);
        lines.push(line);
        if (lines.length > LINES_KEPT) lines.shift();
        for (const listener of lineListeners) listener(line);
      });
    }
    const supervised: SupervisedChild = {
      name: options.name,
      pid: child.pid ?? -1,
      process: child,
      exited,
      waitForLine: (pattern, timeoutMs = 15_000) => new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          lineListeners.delete(onLine);
        };
        const onLine = (line: string): void => {
          const match = line.match(pattern);
          if (match) {
            done();
            resolve(match);
          }
        };
        const earlier = lines.map((line) => line.match(pattern)).find((match) => match !== null);
        if (earlier) {
          resolve(earlier);
          return;
        }
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${options.name} did not print ${pattern} within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        lineListeners.add(onLine);
        void exited.then((exit) => {
          done();
          reject(new Error(`${options.name} exited (${exit.signal ?? `code ${exit.code}`}) before printing ${pattern}`));
        });
      }),
      onLine: (listener) => {
        lineListeners.add(listener);
        return () => lineListeners.delete(listener);
      },
      listeningPort: async (timeoutMs) => Number((await supervised.waitForLine(/listening on port (\d+)/, timeoutMs))[1]),
    };
    void exited.then((exit) => {
      if (!this.stopping) this.onUnexpectedExit?.(supervised, exit);
    });
    this.children.push(supervised);
    return supervised;
  }

  /**
   * Stops one child: SIGCONT, then `signal`, then SIGKILL to its whole group after `timeoutMs` (default: the
   * supervisor's stop timeout). Resolves with how it exited. Safe to call on a child that has already exited.
   */
  async stopChild(child: SupervisedChild, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = this.stopTimeoutMs): Promise<ChildExit> {
    if (isRunning(child.process)) {
      signalGroup(child.pid, 'SIGCONT');
      child.process.kill(signal);
      const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), timeoutMs);
      const exit = await child.exited;
      clearTimeout(timer);
      return exit;
    }
    return child.exited;
  }

  /**
   * Stops every child, group by group in `order` (children whose name matches a group's pattern stop
   * together; those matching none stop last). Marks the supervisor as stopping first.
   */
  async stopAll(order: readonly RegExp[] = [], signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stoppingSince ??= Date.now();
    const remaining = new Set(this.children);
    for (const pattern of [...order, /(?:)/]) {
      const group = [...remaining].filter((child) => pattern.test(child.name));
      for (const child of group) remaining.delete(child);
      await Promise.all(group.map((child) => this.stopChild(child, signal)));
    }
  }

  /** Kills every child's process group at once (SIGKILL), for a second ^C or a failed stop. */
  killAll(): void {
    this.stoppingSince ??= Date.now();
    for (const child of this.children) {
      if (isRunning(child.process)) {
        signalGroup(child.pid, 'SIGCONT');
        signalGroup(child.pid, 'SIGKILL');
      }
    }
  }

  /**
   * Runs `shutdown` once on SIGINT, SIGTERM or SIGHUP, and when the output pipe closes; a second ^C more
   * than a second after the first kills the children still stopping.
   */
  handleSignals(shutdown: (reason: string) => void): void {
    let started: number | undefined;
    const onSignal = (reason: string): void => {
      if (started === undefined) {
        started = Date.now();
        shutdown(reason);
      } else if (reason === 'SIGINT' && Date.now() - started > FORCE_AFTER_MS) {
        this.say('killing the processes that are still stopping');
        this.killAll();
      }
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
    this.onOutputClosed(() => onSignal('output closed'));
  }
}
