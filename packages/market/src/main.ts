// The market: `node dist/main.js --monolith` (no ratings) or `node dist/main.js` (ratings through discovery-client).
import { createServer } from 'node:http';
import { parseCommandLine } from 'cli-kit';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { listen } from 'server-ports';
import { createMarketApp } from './app.js';
import { DEFAULT_PORT, DEFAULT_SLOW_MS, marketConfig } from './config.js';
import { createLog } from './log.js';
import type { RatingsSource } from './ratings-source.js';

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 5_000;

const log = createLog();
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const USAGE = `Usage: node packages/market/dist/main.js [--monolith]
       (make monolith | make add-ratings)

The market: four Things, a cart and checkout, on http://localhost:${DEFAULT_PORT}.

Options:
  --monolith   no ratings and no Consul; without it, ratings come through discovery-client
  -h, --help   show this help

Environment:
  PORT                  listen port (default ${DEFAULT_PORT}); 0 picks a free one and prints it
  HOST                  address to listen on (default: all interfaces)
  RATINGS_TIMEOUT_MS    per-attempt timeout of a ratings call (default 1000)
  RATINGS_RESET_MS      how long an open breaker waits before it retests (default 30000)
  RATINGS_SLOW_MS       a call at least this slow logs WAITED <n>ms (default ${DEFAULT_SLOW_MS})
  RATINGS_DEADLINE_MS   the page never waits longer for a rating (default 1.5 x timeout + 100)
  CONSUL_HTTP_ADDR      the Consul agent (default 127.0.0.1:8500); CONSUL_HTTP_TOKEN its ACL token
  LOG_FORMAT=json       JSON log lines
`;

const { values: flags } = parseCommandLine({ program: 'market', usage: USAGE, options: { monolith: { type: 'boolean', default: false } } });
let config;
try {
  config = marketConfig({ monolith: flags.monolith });
} catch (error) {
  process.stderr.write(`market: ${messageOf(error)}\n`);
  process.exit(2);
}

const registry = new Registry();
collectDefaultMetrics({ register: registry });
let ratings: RatingsSource | undefined;
if (!config.monolith) {
  // Loaded only in ratings mode: the monolith never touches discovery-client or Consul.
  const { createDiscoveryRatings } = await import('./discovery-ratings.js');
  ratings = createDiscoveryRatings({ ...config, registry, log });
}

const app = createMarketApp({ ratings, registry, log });
const server = createServer(app);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: market stopping`);
  setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
  server.close();
  server.closeAllConnections();
  (ratings?.close() ?? Promise.resolve()).then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  const { port } = await listen(server, { port: config.port, host: config.host });
  log.info(`market (${config.monolith ? 'monolith' : 'with ratings'}) listening on port ${port}`);
} catch (error) {
  const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  log.error(taken
    ? `market could not listen on port ${config.port}: it is already in use; choose another with PORT=<n> (PORT=0 picks a free one)`
    : `market could not listen on port ${config.port}: ${messageOf(error)}`);
  process.exit(1);
}
