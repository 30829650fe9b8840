/** Structured fields attached to a log line (pino puts them in the JSON object; the human logger drops them). */
export type LogFields = Record<string, unknown>;

/** What the library logs through. Pass your own (e.g. a wrapper around your pino instance) or `false`. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * Whether lines of `level` are printed. Optional: when it says no, the client does not even build the
   * line (e.g. the per-call `using instance` line at debug). @default every level is enabled
   */
  enabled?(level: LogLevel): boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Logger that drops everything (`logger: false`). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
