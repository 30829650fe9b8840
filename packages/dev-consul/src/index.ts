/**
 * dev-consul: one Node process speaking the service-discovery subset of Consul's HTTP API, for
 * development and tests. Point `CONSUL_HTTP_ADDR` at a real agent in production.
 */
export { startDevConsul } from './dev-consul.js';
export type { DevConsulHandle } from './dev-consul.js';
export type { DevConsulOptions } from './options.js';
export type { LogLevel, LogSink } from './logger.js';
export {
  DEFAULT_PORT,
  DEFAULT_HOST,
  DEFAULT_DATACENTER,
  DEFAULT_DEREGISTER_CRITICAL_MINIMUM_MS,
  DEFAULT_REAP_INTERVAL_MS,
  DEFAULT_CHECK_UPDATE_INTERVAL_MS,
  DEFAULT_MIN_CHECK_INTERVAL_MS,
} from './options.js';
export { DEFAULT_QUERY_WAIT_MS, MAX_QUERY_WAIT_MS } from './blocking.js';
export { MAX_BODY_BYTES } from './server.js';
export { formatGoDuration, parseGoDuration, DurationParseError } from './duration.js';
