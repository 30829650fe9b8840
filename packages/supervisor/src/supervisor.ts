import { DEFAULT_STOP_TIMEOUT_MS, startProcess } from './managed-process.js';
import type { ChildExit, ManagedProcess } from './managed-process.js';
import { signalGroup } from './process-group.js';

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

/** A supervised child: a {@link ManagedProcess} whose lines the supervisor also writes out, prefixed. */
export type SupervisedChild = ManagedProcess;

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

/** A second ^C later than this after the first kills whatever is still stopping. */
export const FORCE_AFTER_MS = 1_000;

/**
 * Starts Node.js children (each a {@link startProcess} process) and stops them in order: what every launcher
 * in the repository uses.
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
    const child = startProcess({ name: options.name, args: options.args, env: options.env, cwd: options.cwd, stopTimeoutMs: this.stopTimeoutMs });
    const rawPrefix = options.prefix ?? `[${options.name}] `;
    const prefix = this.colored && options.color !== undefined ? `\x1b[${options.color}m${rawPrefix}\x1b[0m` : rawPrefix;
    child.onLine((line, stream) => this.write(stream === 'stdout' ? this.out : this.err, `${prefix}${line}\n`));
    void child.exited.then((exit) => {
      if (!this.stopping) this.onUnexpectedExit?.(child, exit);
    });
    this.children.push(child);
    return child;
  }

  /**
   * Stops one child: SIGCONT, then `signal`, then SIGKILL to its whole group after `timeoutMs` (default: the
   * supervisor's stop timeout). Resolves with how it exited. Safe to call on a child that has already exited.
   */
  stopChild(child: SupervisedChild, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = this.stopTimeoutMs): Promise<ChildExit> {
    return child.stop(signal, timeoutMs);
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
      if (child.isRunning()) {
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
