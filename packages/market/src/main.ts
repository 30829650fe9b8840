// The market: `node dist/main.js --monolith` (no ratings) or `node dist/main.js` (ratings through discovery-client).
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createMarketApp } from './app.js';
import { marketConfig } from './config.js';
import { createLog } from './log.js';
import type { RatingsSource } from './ratings-source.js';

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 5_000;

const log = createLog();
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

let config;
try {
  config = marketConfig(process.argv.slice(2));
} catch (error) {
  log.error(messageOf(error));
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
const onListening = (error?: Error): void => {
  if (error) {
    log.error(`market could not listen on port ${config.port}: ${error.message}`);
    process.exit(1);
  }
  const { port } = server.address() as AddressInfo;
  log.info(`market (${config.monolith ? 'monolith' : 'with ratings'}) listening on port ${port}`);
};
const server = config.host ? app.listen(config.port, config.host, onListening) : app.listen(config.port, onListening);

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
