import type { Logger } from './logger.js';

/** Options of {@link createHumanLogger}. */
export interface HumanLoggerOptions {
  /** Where info lines go. @default process.stdout */
  out?: { write(chunk: string): unknown };
  /** Where warnings and errors go. @default process.stderr */
  err?: { write(chunk: string): unknown };
  /** Print debug lines too. @default false (true when LOG_LEVEL=debug) */
  debug?: boolean;
}

/**
 * The default logger: the walkthrough's bare lines (`resolving ratings`, `OPEN breaker on [...]`),
 * one per line, info on stdout, warnings and errors on stderr.
 */
export function createHumanLogger(options: HumanLoggerOptions = {}): Logger {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const debug = options.debug ?? process.env.LOG_LEVEL === 'debug';
  return {
    debug: (_fields, message) => {
      if (debug) out.write(`${message}\n`);
    },
    info: (_fields, message) => {
      out.write(`${message}\n`);
    },
    warn: (_fields, message) => {
      err.write(`${message}\n`);
    },
    error: (_fields, message) => {
      err.write(`${message}\n`);
    },
    isLevelEnabled: (level) => level !== 'debug' || debug,
  };
}
