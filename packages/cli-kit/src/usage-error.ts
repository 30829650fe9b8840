/**
 * A mistake on the command line (an unknown flag, a missing or bad value): the entry point prints its
 * message with the usage line and exits 2, before it starts anything. Never a stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_USAGE';
}

