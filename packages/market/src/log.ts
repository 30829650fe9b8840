/** Where the market writes its lines: human text by default, JSON lines with `LOG_FORMAT=json`. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVELS = { info: 30, warn: 40, error: 50 } as const;

/** One line per message on `stream` (default stdout), human or JSON (`LOG_FORMAT=json`). */
export function createLog(
  format: 'human' | 'json' = process.env.LOG_FORMAT === 'json' ? 'json' : 'human',
  stream: NodeJS.WritableStream = process.stdout,
): Log {
  const write = (level: keyof typeof LEVELS, message: string): void => {
    stream.write(format === 'json'
      ? `${JSON.stringify({ level: LEVELS[level], time: Date.now(), name: 'market', msg: message })}\n`
      : `${message}\n`);
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}

/** A logger that drops everything. */
export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
