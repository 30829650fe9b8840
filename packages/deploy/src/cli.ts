/** A bad argument: the command prints its message and its usage, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs `parse` on `argv` (the arguments after the script). `--help` (parse returns undefined): prints `usage`, exits 0.
 * A UsageError or an error of node:util's parseArgs (unknown flag, missing value): message and usage on
 * stderr, exit 2.
 */
export function parseCommandLine<T>(parse: (argv: string[]) => T | undefined, usage: string, argv: string[]): T {
  let parsed: T | undefined;
  try {
    parsed = parse(argv);
  } catch (error) {
    const known = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`${known ? (error as Error).message : String(error)}\n${usage}`);
    process.exit(2);
  }
  if (parsed === undefined) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}
