// The command line of a script in scripts/: node:util parseArgs (strict: unknown flags, missing values
// and positional arguments are errors). `-h`/`--help` prints the usage and exits 0; a mistake prints
// `<program>: <message>` and the usage line on stderr and exits 2, before the script does anything.
import { parseArgs } from 'node:util';

/** Returns parseArgs' `{ values, positionals }`; `options` are parseArgs options, `--help` is added. */
export function parseCommandLine(program, usage, options = {}, { allowPositionals = false } = {}) {
  try {
    const parsed = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals });
    if (parsed.values.help) {
      process.stdout.write(usage);
      process.exit(0);
    }
    return parsed;
  } catch (error) {
    process.stderr.write(`${program}: ${error.message}\n${usage.split('\n')[0]}   (--help for more)\n`);
    process.exit(2);
  }
}
