// Real child processes for the ratings and market tests: start them, read their output, wait for lines,
// kill whatever is left. Shared by both packages' suites (each includes `../../test-support` in its
// tsconfig.test.json); each package's `test/helpers/process.ts` re-exports what its tests use.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A real child process whose output (stdout and stderr, interleaved by line) the test reads. */
export interface Running {
  readonly child: ChildProcess;
  readonly name: string;
  /** Everything printed so far. */
  output(): string;
  /** Lines printed since `mark` (a value of `mark()`). */
  since(mark: number): string;
  /** The current end of the output, to read only what comes after. */
  mark(): number;
  /** Resolves with the first match of `pattern` in the output after `from`, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, LOG_FORMAT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  const running: Running = {
    child,
    name,
    output: () => text,
    since: (mark) => text.slice(mark),
    mark: () => text.length,
    waitFor(pattern, timeoutMs = 10_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = text.slice(from).match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`${name} exited before printing ${pattern}; output:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; output since:\n${text.slice(from)}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited: () => exit,
  };
  started.push(running);
  return running;
}

/** Starts a process that prints `listening on port <n>` and resolves with it and its port. */
export async function startListening(name: string, script: string, args: string[], env: Record<string, string>): Promise<{ running: Running; port: number }> {
  const running = startNode(name, script, args, { PORT: '0', ...env });
  const match = await running.waitFor(/listening on port (\d+)/, 15_000);
  return { running, port: Number(match[1]) };
}

/** Kills every process the test started and still running: SIGCONT first for stopped ones, then SIGKILL. */
export async function killAll(): Promise<void> {
  const alive = started.splice(0).filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  for (const running of alive) {
    running.child.kill('SIGCONT');
    running.child.kill('SIGKILL');
  }
  await Promise.all(alive.map((r) => r.exited()));
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
