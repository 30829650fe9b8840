import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';

/** Options of {@link startDetached}. */
export interface DetachedOptions {
  /** The script and its arguments, run with this process's `node`. */
  args: readonly string[];
  /** Added to this process's environment. @default {} */
  env?: Readonly<Record<string, string>>;
  /** Its stdout and stderr are appended to this file. */
  logFile: string;
}

/**
 * Starts `node <args>` that outlives this process and its terminal (its own session, output to a file,
 * no orphan guard): for operators who ask for instances to stay up after the command that started them.
 * Returns its pid; stop it with `kill -TERM <pid>`.
 */
export function startDetached(options: DetachedOptions): number {
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...options.args], {
    env: { ...process.env, ...options.env }, detached: true, stdio: ['ignore', log, log],
  });
  child.unref();
  return child.pid ?? -1;
}
