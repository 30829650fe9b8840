/** The few log calls the services make: human lines on stdout, or JSON lines with LOG_FORMAT=json. */
export interface Logger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A logger writing to stdout (info) and stderr (errors). `silent` drops everything. */
export function createLogger(format: 'human' | 'json' | 'silent' = process.env.LOG_FORMAT === 'json' ? 'json' : 'human'): Logger {
  if (format === 'silent') return { info: () => {}, error: () => {} };
  if (format === 'json') {
    return {
      info: (message) => process.stdout.write(`${JSON.stringify({ level: 'info', time: Date.now(), msg: message })}\n`),
      error: (message, error) =>
        process.stderr.write(`${JSON.stringify({ level: 'error', time: Date.now(), msg: message, err: error === undefined ? undefined : errorText(error) })}\n`),
    };
  }
  return {
    info: (message) => process.stdout.write(`${message}\n`),
    error: (message, error) => process.stderr.write(`${message}${error === undefined ? '' : `: ${errorText(error)}`}\n`),
  };
}
