// Every process started by `startProcess` and not yet exited, so that none outlives this one by accident:
// when this process exits (normally, on an uncaught error, or on a signal handled by `stopAllOnSignals`)
// each still running is ended at once. A SIGKILLed parent runs nothing: Node children then stop themselves
// through the orphan guard they were started with.
import { signalGroup, signalProcess } from './process-group.js';

/** What the registry needs of a running process. */
export interface TrackedProcess {
  readonly pid: number;
  /** How to end it synchronously when this process exits: SIGTERM to it (a Node child: it still deregisters) or SIGKILL to its group (a binary). */
  readonly onParentExit: 'SIGTERM' | 'SIGKILL';
  stop(): Promise<unknown>;
}

const running = new Set<TrackedProcess>();
const exitHooks = new Set<() => void>();
let exitHandlerInstalled = false;

function endAllNow(): void {
  for (const tracked of running) {
    signalGroup(tracked.pid, 'SIGCONT');
    if (tracked.onParentExit === 'SIGTERM') signalProcess(tracked.pid, 'SIGTERM');
    else signalGroup(tracked.pid, 'SIGKILL');
  }
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort: this process is exiting
    }
  }
}

function installExitHandler(): void {
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.on('exit', endAllNow);
  }
}

/** Adds `tracked` until it exits (call the returned function then). */
export function track(tracked: TrackedProcess): () => void {
  installExitHandler();
  running.add(tracked);
  return () => running.delete(tracked);
}

/** Stops every process started with `startProcess` that is still running (each with its own stop timeout). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((tracked) => tracked.stop()));
}

/**
 * Runs `hook` (synchronous) when this process exits, after its children have been sent their signal
 * (a temporary directory to remove); returns the function that cancels it.
 */
export function onExit(hook: () => void): () => void {
  installExitHandler();
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

let signalsHandled = false;

/**
 * For a command with no shutdown of its own (a benchmark): on SIGINT or SIGTERM, stops every process it
 * started, then exits with 130 or 143. Idempotent. A launcher with a stop order uses `Supervisor.handleSignals`.
 */
export function stopAllOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${running.size} process(es)\n`);
      void stopAll().finally(() => process.exit(code));
    });
  }
}
