/** Command-line parsing for `dev-consul` (kept apart from `cli.ts`, which runs on import). */
import os from 'node:os';
import { LOG_LEVELS } from './logger.js';
import type { LogLevel } from './logger.js';
import type { DevConsulOptions } from './options.js';
import { DEFAULT_DATACENTER, DEFAULT_HOST, DEFAULT_PORT } from './options.js';

/** The `--help` text. */
export const USAGE = `Usage: dev-consul [options]

A single-process stand-in for a Consul agent (HTTP API, service-discovery subset).

Options:
  --host ADDRESS           address to bind, also the node address (default ${DEFAULT_HOST})
  --port PORT              HTTP API port, 0 for any free port (default ${DEFAULT_PORT})
  --token SECRET           enable ACLs (default deny) with SECRET as the management token
  --log-level LEVEL        debug, info, warn or error (default info)
  --node NAME              node name (default: the host name, ${os.hostname()})
  --datacenter NAME        datacenter name (default ${DEFAULT_DATACENTER})
  --enable-script-checks   allow script checks (Args), off by default as in Consul
  -h, --help               show this help

In production, point CONSUL_HTTP_ADDR at a real Consul agent instead.
`;

/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_DEV_CONSUL_USAGE';
}

/** Parses argv (without node and script). Returns undefined for `--help`. */
export function parseArgs(argv: string[]): DevConsulOptions | undefined {
  const options: DevConsulOptions = { port: DEFAULT_PORT, logLevel: 'info' };
  const valued = new Set(['--host', '--port', '--token', '--log-level', '--node', '--datacenter']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') return undefined;
    let name = arg;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      name = arg.slice(0, eq);
      value = arg.slice(eq + 1);
    }
    if (name === '--enable-script-checks') {
      if (value !== undefined) throw new UsageError('--enable-script-checks takes no value');
      options.enableScriptChecks = true;
      continue;
    }
    if (!valued.has(name)) throw new UsageError(`unknown option: ${arg}`);
    if (value === undefined) {
      value = argv[i + 1];
      i++;
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
    }
    switch (name) {
      case '--host':
        options.host = value;
        break;
      case '--port': {
        const port = Number(value);
        if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
        options.port = port;
        break;
      }
      case '--token':
        if (value === '') throw new UsageError('--token must not be empty');
        options.token = value;
        break;
      case '--log-level':
        if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
        options.logLevel = value as LogLevel;
        break;
      case '--node':
        if (value === '') throw new UsageError('--node must not be empty');
        options.node = value;
        break;
      case '--datacenter':
        if (value === '') throw new UsageError('--datacenter must not be empty');
        options.datacenter = value;
        break;
    }
  }
  return options;
}

