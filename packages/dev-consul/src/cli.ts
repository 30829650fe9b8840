/**
 * `dev-consul` command line: parses flags, starts the agent, prints one line when listening, and stops
 * cleanly on SIGINT, SIGTERM and SIGHUP. Started by a package manager (`npx dev-consul`, `npm exec`,
 * `npm run`: `npm_execpath` is set), it also stops when the process that started it goes away: a SIGTERM
 * to `npx` ends npx and its shell but is not passed on, and the agent would serve on without a parent.
 */
import { parseCommandLine } from 'cli-kit';
import { COMMAND_LINE, readOptions } from './cli-args.js';
import { startDevConsul } from './dev-consul.js';
import { DEFAULT_DATACENTER } from './options.js';

/** How often the parent is looked at (re-parenting shows as a new `process.ppid`). */
const PARENT_CHECK_MS = 500;

async function main(): Promise<void> {
  // --help: the usage, exit 0; a mistake: the message and the usage line, exit 2; both before anything starts
  const options = parseCommandLine(COMMAND_LINE, readOptions);
  // The startup line is printed here, whatever the log level, so scripts can wait for it.
  const consul = await startDevConsul({ ...options, logLevel: options.logLevel });
  process.stdout.write(`dev-consul listening on ${consul.url} (node ${consul.node}, datacenter ${options.datacenter ?? DEFAULT_DATACENTER})\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`dev-consul: ${signal} received, shutting down\n`);
    void consul.close().then(() => {
      process.exitCode = 0;
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  if (process.env.npm_execpath !== undefined) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      process.stdout.write(`dev-consul: the process that started it (pid ${parent}) is gone\n`);
      stop('SIGTERM');
    }, PARENT_CHECK_MS);
    watch.unref();
  }
}

main().catch((error: unknown) => {
  const e = error as NodeJS.ErrnoException;
  const message = e.code === 'EADDRINUSE' ? `address already in use (${e.message.replace(/^listen EADDRINUSE: address already in use /, '')})` : e.message;
  process.stderr.write(`dev-consul: cannot start: ${message}\n`);
  process.exitCode = 1;
});
