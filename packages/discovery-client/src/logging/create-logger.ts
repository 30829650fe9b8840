import { createHumanLogger } from './human-logger.js';
import { createJsonLogger } from './json-logger.js';
import { silentLogger, type Logger } from './logger.js';

/** `undefined` → human lines (or pino JSON when `LOG_FORMAT=json`); `false` → silent; a Logger → itself. */
export function createLogger(option: Logger | false | undefined, name?: string): Logger {
  if (option === false) return silentLogger;
  if (option) return option;
  if (process.env.LOG_FORMAT === 'json') return createJsonLogger(name === undefined ? {} : { name });
  return createHumanLogger();
}
