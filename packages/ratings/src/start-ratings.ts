// The launcher behind `make startRatings COUNT=3` and `make startRatings INSTANCE=2`.
//
// COUNT: instances 1..COUNT as child processes in the foreground, each line prefixed with its ID;
// ^C (or SIGTERM) stops them all, each deregistering first.
// INSTANCE: that one instance runs in this very process, so ^Z pauses it and `fg` resumes it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from './command-line.js';
import { ConfigError, parseCount } from './config.js';
import { createLog } from './log.js';
import { messageOf, runInstanceUntilSignalled } from './run.js';

const USAGE = `Usage: node packages/ratings/dist/start-ratings.js [--count N | --instance N]
       (make startRatings COUNT=N | make startRatings INSTANCE=N)

Starts ratings instances in the foreground.

Options:
  --count N      instances 1..N as child processes, their lines prefixed with their ID (default 1);
                 ^C stops them all, each deregistering first
  --instance N   instance N alone, in this process (so ^Z pauses it and fg resumes it)
  -h, --help     show this help

Environment: as for one instance (node packages/ratings/dist/main.js --help): CONSUL_HTTP_ADDR,
PORT (with --instance; with --count only PORT=0, free ports), HOST, VERSION, RATINGS_TTL, RATINGS_HEARTBEAT, LOG_FORMAT.
`;
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
/** After the first ^C, a second one this much later kills instances that are still closing. */
const FORCE_AFTER_MS = 1_000;

const log = createLog();

function parse(): { count?: number; instance?: number } {
  return parseCommandLine('start-ratings', USAGE, { count: { type: 'string' }, instance: { type: 'string' } }, (values) => {
    if (values.count !== undefined && values.instance !== undefined) throw new ConfigError('give --count or --instance, not both');
    if (typeof values.instance === 'string') return { instance: parseCount('--instance', values.instance) };
    return { count: typeof values.count === 'string' ? parseCount('--count', values.count) : 1 };
  }, process.argv.slice(2));
}

function prefixLines(stream: NodeJS.ReadableStream, prefix: string, out: NodeJS.WritableStream): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`${prefix}${line}\n`));
}

function launch(count: number): void {
  const children = new Map<number, ChildProcess>();
  let stoppingSince: number | undefined;
  let failures = 0;
  const env = { ...process.env };
  if (env.PORT !== '0') delete env.PORT; // each instance takes its own 8000+N (or, with PORT=0, any free port)

  for (let n = 1; n <= count; n += 1) {
    const child = spawn(process.execPath, [MAIN, '--instance', String(n)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(n, child);
    log.info(`started ratings-${n} (pid ${child.pid})`);
    prefixLines(child.stdout!, `[ratings-${n}] `, process.stdout);
    prefixLines(child.stderr!, `[ratings-${n}] `, process.stderr);
    child.on('exit', (code, signal) => {
      children.delete(n);
      if (stoppingSince === undefined || (code !== 0 && code !== null)) {
        failures += 1;
        log.warn(`ratings-${n} exited (${signal ?? `code ${code}`})`);
      }
      if (children.size === 0) process.exit(failures === 0 ? 0 : 1);
    });
  }

  const stop = (signal: NodeJS.Signals): void => {
    const now = Date.now();
    if (stoppingSince === undefined) {
      stoppingSince = now;
      log.info(`stopping ${children.size} ratings instance(s)…`);
      for (const child of children.values()) {
        child.kill('SIGCONT'); // one paused with `kill -STOP` could not handle its signal (and would never deregister)
        child.kill(signal);
      }
    } else if (now - stoppingSince > FORCE_AFTER_MS) {
      log.warn('killing the instances that are still closing');
      for (const child of children.values()) child.kill('SIGKILL');
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const { count, instance } = parse();
let what = 'ratings';
try {
  if (instance !== undefined) {
    what = `ratings-${instance}`;
    await runInstanceUntilSignalled(instance, log);
  } else {
    launch(count ?? 1);
  }
} catch (error) {
  log.error(`${what} could not start: ${messageOf(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
