/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where log lines go; the default writes `[INFO]  message` lines to stdout. */
export type LogSink = (level: LogLevel, message: string) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Names accepted for `--log-level` / `logLevel`. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** A tiny levelled logger: one human line per event. */
export class Logger {
  private readonly threshold: number;

  constructor(
    level: LogLevel,
    private readonly sink: LogSink = defaultSink,
  ) {
    this.threshold = RANK[level];
  }

  debug(message: string): void {
    this.log('debug', message);
  }

  info(message: string): void {
    this.log('info', message);
  }

  warn(message: string): void {
    this.log('warn', message);
  }

  error(message: string): void {
    this.log('error', message);
  }

  private log(level: LogLevel, message: string): void {
    if (RANK[level] >= this.threshold) this.sink(level, message);
  }
}

function defaultSink(level: LogLevel, message: string): void {
  const line = `${new Date().toISOString()} [${level.toUpperCase()}] ${level.length === 4 ? ' ' : ''}${message}\n`;
  if (level === 'warn' || level === 'error') process.stderr.write(line);
  else process.stdout.write(line);
}
