/** Structured fields of a log line (pino and bunyan put them in the JSON object; the human logger drops them). */
export type LogFields = Record<string, unknown>;

/**
 * What the library logs through: pino's and bunyan's calling convention, fields first, then the message
 * (`logger.warn({ service: 'ratings', instance: 2 }, 'ratings instance 2 failed: ...')`), so a pino or bunyan
 * logger (or a child of one) is a `Logger` as it is, and keeps every field. Pass your own, or `false`.
 */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  /**
   * Whether lines of `level` are written (pino's method of that name). Optional: when it says no, the client
   * does not even build the line (e.g. the per-call `using instance` line at debug). @default every level is written
   */
  isLevelEnabled?(level: LogLevel): boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Logger that drops everything (`logger: false`). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
