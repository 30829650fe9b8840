// The launcher behind `make startRatings COUNT=3` and `make startRatings INSTANCE=2`.
//
// COUNT: instances 1..COUNT as child processes in the foreground, each line prefixed with its ID;
// ^C (or SIGTERM) stops them all, each deregistering first.
// INSTANCE: that one instance runs in this very process, so ^Z pauses it and `fg` resumes it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, parseCount } from './config.js';
import { createLog } from './log.js';
import { messageOf, runInstanceUntilSignalled } from './run.js';

const USAGE = 'usage: make startRatings COUNT=N | INSTANCE=N   (node packages/ratings/dist/start-ratings.js --count N | --instance N)';
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
/** After the first ^C, a second one this much later kills instances that are still closing. */
const FORCE_AFTER_MS = 1_000;

const log = createLog();

function parse(): { count?: number; instance?: number } {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { count: { type: 'string' }, instance: { type: 'string' } },
    strict: true,
  });
  if (values.count !== undefined && values.instance !== undefined) {
    throw new ConfigError('give --count or --instance, not both');
  }
  if (values.instance !== undefined) return { instance: parseCount('--instance', values.instance) };
  return { count: values.count === undefined ? 1 : parseCount('--count', values.count) };
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

let what = 'ratings';
try {
  const { count, instance } = parse();
  if (instance !== undefined) {
    what = `ratings-${instance}`;
    await runInstanceUntilSignalled(instance, log);
  } else {
    launch(count ?? 1);
  }
} catch (error) {
  log.error(error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ? `${messageOf(error)}\n${USAGE}` : `${what} could not start: ${messageOf(error)}`);
  process.exit(error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
}
