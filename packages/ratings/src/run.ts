import { instanceConfig } from './config.js';
import type { RatingsInstance } from './instance.js';
import { startRatingsInstance } from './instance.js';
import type { Log } from './log.js';

/** How long a stopping instance may take to deregister and close before it exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 5_000;

/**
 * Runs instance `instance` in this process until SIGINT or SIGTERM, then deregisters it, stops
 * listening and exits. Used by `main.js` and by `start-ratings.js --instance N` (so ^Z pauses it).
 * The signal handlers are in place before anything starts: a signal during start-up waits for the
 * registration, then undoes it.
 */
export async function runInstanceUntilSignalled(instance: number, log: Log): Promise<void> {
  const config = instanceConfig(instance);
  const id = `ratings-${instance}`;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return; // ^C reaches us from the terminal and from a launcher: one shutdown is enough
    stopping = true;
    log.info(`${signal}: deregistering ${id}, then closing`);
    setTimeout(() => {
      log.error(`${id} did not close within ${SHUTDOWN_DEADLINE_MS} ms: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    starting
      .then((running) => running.close())
      .then(() => {
        log.info(`${id} stopped`);
        process.exit(0);
      }, () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Handlers first: a signal can only arrive once this function yields, and `starting` is set by then.
  const starting: Promise<RatingsInstance> = startRatingsInstance(config, log);
  await starting;
}

/** The message of anything thrown, for one log line. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
