import { instanceConfig } from './config.js';
import { startRatingsInstance } from './instance.js';
import type { Log } from './log.js';

/** How long a stopping instance may take to deregister and close before it exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 5_000;

/**
 * Runs instance `instance` in this process until SIGINT or SIGTERM, then deregisters it, stops
 * listening and exits. Used by `main.js` and by `start-ratings.js --instance N` (so ^Z pauses it).
 */
export async function runInstanceUntilSignalled(instance: number, log: Log): Promise<void> {
  const config = instanceConfig(instance);
  const running = await startRatingsInstance(config, log);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return; // ^C reaches us from the terminal and from a launcher: one shutdown is enough
    stopping = true;
    log.info(`${signal}: deregistering ${running.id}, then closing`);
    setTimeout(() => {
      log.error(`${running.id} did not close within ${SHUTDOWN_DEADLINE_MS} ms: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    running.close().then(() => {
      log.info(`${running.id} stopped`);
      process.exit(0);
    }, () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The message of anything thrown, for one log line. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
