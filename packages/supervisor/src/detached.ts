import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';

/** Options of {@link startDetached}. */
export interface DetachedOptions {
  /** The script and its arguments, run with this process's `node`. */
  args: readonly string[];
  /** Added to this process's environment; `undefined` removes a variable. @default {} */
  env?: Readonly<Record<string, string | undefined>>;
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
    env: withoutUndefined({ ...process.env, ...options.env }), detached: true, stdio: ['ignore', log, log],
  });
  child.unref();
  return child.pid ?? -1;
}

/** The environment without the variables set to `undefined` (removed). */
function withoutUndefined(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}
