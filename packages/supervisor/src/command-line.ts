// The command line of an entry point (launchers, services, scripts): shared here because every package with
// entry points already depends on the supervisor.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** What `parseArgs` found: each flag's value, `undefined` when absent. */
export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * An entry point's command line (`argv`: the arguments after the script), parsed by node:util
 * `parseArgs` (strict: an unknown flag, a missing value or a positional argument is an error) and then
 * by `read`. `-h`/`--help` prints `usage` on stdout and exits 0; an error (from `parseArgs` or thrown by
 * `read`) prints `<program>: <message>` and the usage line on stderr and exits 2, before anything starts.
 */
export function parseCommandLine<T>(program: string, usage: string, options: ParseArgsConfig['options'], read: (values: FlagValues) => T, argv: string[]): T {
  try {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    if (values.help === true) {
      process.stdout.write(usage);
      process.exit(0);
    }
    return read(values);
  } catch (error) {
    process.stderr.write(`${program}: ${error instanceof Error ? error.message : String(error)}\n${usage.split('\n')[0]}   (--help for more)\n`);
    process.exit(2);
  }
}
