/**
 * `dev-consul`'s command line: its flags, usage and checks, parsed by cli-kit like every entry point of the
 * repository (kept apart from `cli.ts`, which runs on import).
 */
import os from 'node:os';
import { UsageError } from 'cli-kit';
import type { ParsedCommandLine } from 'cli-kit';
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

/** dev-consul's flags, as node:util parseArgs reads them (cli-kit adds `-h`/`--help`). */
export const OPTIONS = {
  host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' }, 'log-level': { type: 'string' },
  node: { type: 'string' }, datacenter: { type: 'string' }, 'enable-script-checks': { type: 'boolean' },
} as const;

/** The command line as cli-kit's parseCommandLine takes it (`cli.ts` hands it `readOptions`). */
export const COMMAND_LINE = { program: 'dev-consul', usage: USAGE, options: OPTIONS };

/** Checks the parsed flags and turns them into the agent's options; a bad value throws a UsageError naming the flag. */
export function readOptions({ values }: ParsedCommandLine<typeof OPTIONS>): DevConsulOptions {
  const options: DevConsulOptions = { port: DEFAULT_PORT, logLevel: 'info' };
  if (values.host !== undefined) options.host = values.host;
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
    options.port = Number(values.port);
  }
  for (const name of ['token', 'node', 'datacenter'] as const) {
    if (values[name] === '') throw new UsageError(`--${name} must not be empty`);
    if (values[name] !== undefined) options[name] = values[name];
  }
  const level = values['log-level'];
  if (level !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
    options.logLevel = level as LogLevel;
  }
  if (values['enable-script-checks']) options.enableScriptChecks = true;
  return options;
}
