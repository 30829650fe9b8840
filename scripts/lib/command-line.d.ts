import type { ParseArgsConfig } from 'node:util';

/** See command-line.js: parseArgs (strict) plus `-h`/`--help` (usage, exit 0) and usage errors (exit 2). */
export function parseCommandLine(
  program: string,
  usage: string,
  options?: ParseArgsConfig['options'],
  config?: { allowPositionals?: boolean },
): { values: Record<string, string | boolean | undefined>; positionals: string[] };
