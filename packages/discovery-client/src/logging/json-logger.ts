import type * as Pino from 'pino';
import { loadPeerDependency } from '../peer-dependency.js';
import type { Logger } from './logger.js';

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** pino logger name. @default 'discovery-client' */
  name?: string;
  /** pino level. @default process.env.LOG_LEVEL ?? 'info' */
  level?: string;
  /** Destination: anything with `write(line)`, e.g. a pino destination or a stream. @default stdout */
  destination?: { write(line: string): void };
}

/**
 * pino JSON lines (`LOG_FORMAT=json`): `msg` is the same text as the human line, fields sit beside it.
 * pino (10) is an optional peer dependency, loaded on the first call.
 * @throws MissingPeerDependencyError when pino is not installed.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const { pino } = loadPeerDependency<typeof Pino>('pino', 'JSON logs');
  const base = { name: options.name ?? 'discovery-client', level: options.level ?? process.env.LOG_LEVEL ?? 'info' };
  // a pino logger is a Logger as it is (fields first)
  return options.destination ? pino(base, options.destination) : pino(base);
}
