/** Where a process writes its lines: human text by default, JSON lines with `LOG_FORMAT=json`. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of {@link createLog}. */
export interface LogOptions {
  /** @default process.env.LOG_FORMAT === 'json' ? 'json' : 'human' */
  format?: 'human' | 'json';
  /** Written before each human line, e.g. `[ratings-2] `. @default '' */
  prefix?: string;
  /** Extra fields of each JSON line. @default {} */
  fields?: Record<string, unknown>;
  /** @default process.stdout */
  stream?: NodeJS.WritableStream;
}

const LEVELS = { info: 30, warn: 40, error: 50 } as const;

/** A logger writing one line per message; warnings and errors go to the same stream, so order is kept. */
export function createLog(options: LogOptions = {}): Log {
  const format = options.format ?? (process.env.LOG_FORMAT === 'json' ? 'json' : 'human');
  const prefix = options.prefix ?? '';
  const fields = options.fields ?? {};
  const stream = options.stream ?? process.stdout;
  const write = (level: keyof typeof LEVELS, message: string): void => {
    if (format === 'json') {
      stream.write(`${JSON.stringify({ level: LEVELS[level], time: Date.now(), ...fields, msg: message })}\n`);
    } else {
      stream.write(`${prefix}${message}\n`);
    }
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}
