// Real child processes for the ratings and market tests: start them, read their output, wait for lines,
// kill whatever is left (a wait for any other state is process-supervisor's `waitFor`). Shared by both packages'
// suites (each includes `../../test-support` in its tsconfig.test.json); each package's `test/helpers/process.ts` re-exports what its tests use. The processes
// themselves are process-supervisor's (`startProcess`): this file only keeps the shape the tests call.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startProcess } from 'process-supervisor';
import type { ChildExit, ManagedProcess } from 'process-supervisor';

/** A real child process whose output (stdout and stderr, interleaved by line) the test reads. */
export interface Running {
  readonly child: ChildProcess;
  readonly name: string;
  readonly managed: ManagedProcess;
  /** Everything printed so far. */
  output(): string;
  /** Lines printed since `mark` (a value of `mark()`). */
  since(mark: number): string;
  /** The current end of the output, to read only what comes after. */
  mark(): number;
  /** Resolves with the first line matching `pattern` from `from` (a `mark()`) on, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  exited(): Promise<ChildExit>;
}

/** The repository's root, ending in `/`. */
export const REPO = fileURLToPath(new URL('../', import.meta.url));

/** One ratings instance: `node main.js --instance N`. */
export const RATINGS_MAIN = `${REPO}packages/ratings/dist/main.js`;
/** The launcher behind `make startRatings`. */
export const LAUNCHER = `${REPO}packages/ratings/dist/start-ratings.js`;
/** The market: `node main.js [--monolith]`. */
export const MARKET_MAIN = `${REPO}packages/market/dist/main.js`;

const started: Running[] = [];

/** Starts `node script ...args` with `env` added to this process's environment. */
export function startNode(name: string, script: string, args: string[], env: Record<string, string>): Running {
  const managed = startProcess({ name, args: [script, ...args], env: { LOG_FORMAT: '', ...env } });
  const running: Running = {
    child: managed.process,
    name,
    managed,
    output: () => managed.output(),
    since: (mark) => managed.since(mark),
    mark: () => managed.mark(),
    waitFor: (pattern, timeoutMs = 10_000, from = 0) => managed.waitForLine(pattern, timeoutMs, from),
    exited: () => managed.exited,
  };
  started.push(running);
  return running;
}

/** Starts a process that prints `listening on port <n>` and resolves with it and its port. */
export async function startListening(name: string, script: string, args: string[], env: Record<string, string>): Promise<{ running: Running; port: number }> {
  const running = startNode(name, script, args, { PORT: '0', ...env });
  return { running, port: await running.managed.listeningPort(15_000) };
}

/** Kills every process the test started and still running: SIGCONT first for stopped ones, then SIGKILL. */
export async function killAll(): Promise<void> {
  await Promise.all(started.splice(0).map((running) => running.managed.stop('SIGKILL')));
}
