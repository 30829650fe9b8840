// One ratings instance: `node dist/main.js --instance N` (port 8000+N unless PORT is set).
import { parseCommandLine, readNumber } from 'cli-kit';
import { BASE_PORT, ConfigError, DEFAULT_COLOR, DEFAULT_DRAIN, DEFAULT_HEARTBEAT, DEFAULT_HOST, DEFAULT_TTL, INSTANCE_NUMBERS } from './config.js';
import { createLog } from './log.js';
import { messageOf, runInstanceUntilSignalled } from './run.js';

const USAGE = `Usage: node packages/ratings/dist/main.js [--instance N]

One ratings instance, ratings-N: answers GET /ratings/:thing, registers in Consul with a TTL check and
deregisters on SIGINT/SIGTERM.

Options:
  --instance N   which instance, 1 to 999 (default 1); it listens on port ${BASE_PORT}+N
  -h, --help     show this help

Environment:
  PORT                 listen port instead of ${BASE_PORT}+N; 0 picks a free one and prints it
  HOST                 address to listen on and register (default ${DEFAULT_HOST})
  VERSION              tag v<VERSION> and meta version (default 1.0); from 2.0 on answers carry votes
  COLOR                blue/green color: tag color=<COLOR> and meta color (default ${DEFAULT_COLOR}; make cutover routes by it)
  RATINGS_DRAIN        after deregistering, keep serving this long before closing (default ${DEFAULT_DRAIN})
  RATINGS_TTL          TTL of the Consul check (default ${DEFAULT_TTL})
  RATINGS_HEARTBEAT    how often it passes the check (default ${DEFAULT_HEARTBEAT})
  RATINGS_LOG_REQUESTS 0: no "GET camera => 4" line per request (default 1)
  CONSUL_HTTP_ADDR     the Consul agent (default 127.0.0.1:8500); CONSUL_HTTP_TOKEN its ACL token
  LOG_FORMAT=json      JSON log lines
`;

const instance = parseCommandLine({ program: 'ratings', usage: USAGE, options: { instance: { type: 'string' } } }, ({ values }) =>
  readNumber('--instance', values.instance, { default: 1, ...INSTANCE_NUMBERS }));
const log = createLog();
try {
  await runInstanceUntilSignalled(instance, log);
} catch (error) {
  log.error(`ratings-${instance} could not start: ${messageOf(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
