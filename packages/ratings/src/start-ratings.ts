// The launcher behind `make startRatings COUNT=3` and `make startRatings INSTANCE=2`.
//
// COUNT: instances 1..COUNT as child processes in the foreground, each line prefixed with its ID;
// ^C (or SIGTERM) stops them all, each deregistering first.
// INSTANCE: that one instance runs in this very process, so ^Z pauses it and `fg` resumes it.
import { fileURLToPath } from 'node:url';
import { parseCommandLine, readNumber, UsageError } from 'cli-kit';
import { ConfigError, INSTANCE_NUMBERS } from './config.js';
import { createLog } from './log.js';
import { Supervisor } from 'process-supervisor';
import { messageOf, runInstanceUntilSignalled, SHUTDOWN_DEADLINE_MS } from './run.js';

const USAGE = `Usage: node packages/ratings/dist/start-ratings.js [--count N | --instance N]
       (make startRatings COUNT=N | make startRatings INSTANCE=N)

Starts ratings instances in the foreground.

Options:
  --count N      instances 1..N as child processes, their lines prefixed with their ID (default 1);
                 ^C stops them all, each deregistering first
  --instance N   instance N alone, in this process (so ^Z pauses it and fg resumes it)
  -h, --help     show this help

Environment: as for one instance (node packages/ratings/dist/main.js --help): CONSUL_HTTP_ADDR,
PORT (with --instance; with --count only PORT=0, free ports), HOST, VERSION, COLOR, RATINGS_TTL,
RATINGS_HEARTBEAT, RATINGS_DRAIN, LOG_FORMAT.
`;
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

const log = createLog();

function parse(): { count?: number; instance?: number } {
  return parseCommandLine({ program: 'start-ratings', usage: USAGE, options: { count: { type: 'string' }, instance: { type: 'string' } } }, ({ values }) => {
    if (values.count !== undefined && values.instance !== undefined) throw new UsageError('give --count or --instance, not both');
    if (values.instance !== undefined) return { instance: readNumber('--instance', values.instance, { default: 1, ...INSTANCE_NUMBERS }) };
    return { count: readNumber('--count', values.count, { default: 1, ...INSTANCE_NUMBERS }) };
  });
}

function launch(count: number): void {
  const supervisor = new Supervisor({
    stopTimeoutMs: SHUTDOWN_DEADLINE_MS + 1_000,
    onUnexpectedExit: (child, exit) => {
      // code 0: it was stopped on its own (kill -TERM, make roll / make scale retiring it) and deregistered
      if (exit.code === 0) {
        log.info(`${child.name} stopped`);
        return;
      }
      failures += 1;
      log.warn(`${child.name} exited (${exit.signal ?? `code ${exit.code}`})`);
    },
  });
  let failures = 0;
  // each instance takes its own 8000+N (or, with PORT=0, any free port)
  const env = { PORT: process.env.PORT === '0' ? '0' : undefined };
  for (let n = 1; n <= count; n += 1) {
    const child = supervisor.start({ name: `ratings-${n}`, args: [MAIN, '--instance', String(n)], env });
    log.info(`started ratings-${n} (pid ${child.pid})`);
  }
  void Promise.all(supervisor.children.map((child) => child.exited)).then((exits) => {
    const failed = supervisor.stopping ? exits.filter((exit) => exit.code !== 0 && exit.code !== null).length : failures;
    process.exit(failed === 0 ? 0 : 1);
  });
  supervisor.handleSignals((reason) => {
    log.info(`stopping ${supervisor.children.filter((c) => c.process.exitCode === null).length} ratings instance(s)…`);
    void supervisor.stopAll([], reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  });
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
