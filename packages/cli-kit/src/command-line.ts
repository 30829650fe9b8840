import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** node:util parseArgs' `options`: each option's `type`, `short`, `default`, `multiple`. */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

type WithHelp<O extends ParseArgsOptionsConfig> = O & { help: { type: 'boolean'; short: 'h' } };
type Config<O extends ParseArgsOptionsConfig> = { args: string[]; options: WithHelp<O>; strict: true; allowPositionals: true };

/** Each option's value as node:util parseArgs types it (`string | undefined`, `boolean | undefined`, set when it has a default). */
export type CommandLineValues<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<Config<O>>>['values'];

/** What the command line held. */
export interface ParsedCommandLine<O extends ParseArgsOptionsConfig> {
  values: CommandLineValues<O>;
  positionals: string[];
}

/** An entry point's command line. */
export interface CommandLineSpec<O extends ParseArgsOptionsConfig> {
  /** The name messages start with: `<program>: <message>`. */
  program: string;
  /** The `--help` text; its first line (`Usage: ...`) is repeated under every mistake. */
  usage: string;
  /** node:util parseArgs options (`type`, `short`, `default`, `multiple`); `-h`/`--help` is added. @default {} */
  options?: O;
  /** Positional arguments are allowed (else one is a mistake). @default false */
  allowPositionals?: boolean;
  /** The arguments after the script. @default process.argv.slice(2) */
  argv?: readonly string[];
}

/**
 * Parses an entry point's command line with node:util `parseArgs` in strict mode, then hands it to `read`,
 * which checks and converts the values (`readNumber`, `readOption`, `readChoice`, or by hand).
 *
 * - `-h`/`--help`: prints `usage` on stdout and exits 0.
 * - A mistake (an unknown flag, a missing value, a positional argument not allowed, anything `read` throws:
 *   `read` only looks at the command line, so whatever it throws is a bad command line) prints
 *   `<program>: <message>` and the usage line on stderr and exits 2, before the program starts anything.
 *
 * @example
 * const { rate } = parseCommandLine({ program: 'load', usage: USAGE, options: { rate: { type: 'string' } } },
 *   ({ values }) => ({ rate: readNumber('--rate', values.rate, { default: 100, above: 0 }) }));
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig = Record<never, never>>(spec: CommandLineSpec<O>): ParsedCommandLine<O>;
export function parseCommandLine<const O extends ParseArgsOptionsConfig, T>(spec: CommandLineSpec<O>, read: (line: ParsedCommandLine<O>) => T): T;
export function parseCommandLine<const O extends ParseArgsOptionsConfig, T>(spec: CommandLineSpec<O>, read?: (line: ParsedCommandLine<O>) => T): T | ParsedCommandLine<O> {
  const { program, usage, allowPositionals = false, argv = process.argv.slice(2) } = spec;
  try {
    const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as WithHelp<O>;
    const { values, positionals } = parseArgs<Config<O>>({ args: [...argv], options, strict: true, allowPositionals: true });
    if ((values as { help?: boolean }).help === true) {
      process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
      process.exit(0);
    }
    if (!allowPositionals && positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
    const line = { values, positionals };
    return read ? read(line) : line;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${program}: ${message}\n${usageLine(usage)}   (--help for more)\n`);
    process.exit(2);
  }
}

/** The first line of the usage text. */
function usageLine(usage: string): string {
  return usage.split('\n', 1)[0] ?? usage;
}
