import type { ConsulOptions } from '../consul/consul-options.js';
import type { Logger } from '../logging/logger.js';
import { bad, checkObject } from '../options/checker.js';

/**
 * An HTTP check, Consul's `Check: { HTTP, Interval, Timeout }`: the agent sends `GET http` every `interval`
 * and sets the status from the answer (2xx passing, 429 warning, anything else, a timeout or a refused
 * connection critical; Consul's docs, agent/checks "HTTP check"), the first probe within one interval
 * after registering, the instance critical until then (Consul's initial status).
 */
export interface HttpCheckOptions {
  /** The URL the agent probes, `http:` or `https:`, e.g. `'http://127.0.0.1:8001/health'`. */
  http: string;
  /**
   * Time between probes. A Go duration string or ms (Consul raises anything below 1s to 1s).
   * @default '10s'
   */
  interval?: string | number;
  /**
   * How long a probe may take before it counts as critical. A Go duration string or ms.
   * @default Consul's: 10s
   */
  timeout?: string | number;
}

/** Options of {@link register}. */
export interface RegisterOptions {
  /** Service name, e.g. `'ratings'`. */
  name: string;
  /**
   * Instance id, unique on the agent.
   * @default `${name}-${port}`
   */
  id?: string;
  /**
   * Address other services use to reach this instance.
   * @default undefined (Consul then lists the node's address)
   */
  address?: string;
  /** Port this instance listens on. */
  port: number;
  /** @default [] */
  tags?: string[];
  /** @default {} */
  meta?: Record<string, string>;
  /**
   * TTL of the health check: Consul marks the instance critical when no heartbeat came within it.
   * A Go duration string or ms. Not with `check`.
   * @default '10s'
   */
  ttl?: string | number;
  /**
   * An HTTP check run by the Consul agent instead of the TTL check (then no heartbeat is sent, and
   * `pass()`, `warn()`, `fail()` reject: the probe sets the status).
   * @default undefined (a TTL check)
   */
  check?: HttpCheckOptions;
  /**
   * Heartbeat period. With an HTTP check: how often the registration asks the agent whether it still knows
   * the instance (`GET /v1/agent/service/:id`), to register again after an agent restart.
   * @default a third of `ttl`; with `check`, its `interval`
   */
  heartbeatInterval?: string | number;
  /**
   * Consul removes the instance after it has been critical this long (Consul's minimum is 1m).
   * @default '1m'
   */
  deregisterCriticalServiceAfter?: string | number;
  /**
   * Consul agent.
   * @default from CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN, else 127.0.0.1:8500
   */
  consul?: ConsulOptions;
  /**
   * Deregister on SIGINT/SIGTERM, then re-raise the signal if nobody else handles it.
   * @default false
   */
  handleSignals?: boolean;
  /**
   * After deregistering, how long `close()` waits before it resolves (and, with `server`, before it closes
   * that server): the time clients watching Consul need to drop this instance, so none sends a new request
   * to a socket that is about to stop listening. Requests already in flight keep being served meanwhile.
   * A Go duration string or ms. On a single local agent the watchers hear of the change within
   * milliseconds; with remote agents or clients that poll, use a few seconds.
   * @default 0
   */
  drainDelay?: string | number;
  /**
   * Your HTTP server. When given, `close()` closes it after the drain delay and resolves once its
   * in-flight requests have finished (Node's `server.close()`), so a SIGTERM with `handleSignals` is a
   * complete graceful stop: deregister, drain, finish in-flight requests, then exit.
   * @default undefined (close your server yourself after `await registration.close()`)
   */
  server?: { close(callback?: (error?: Error) => void): unknown; closeIdleConnections?(): void };
  /**
   * Logger, as for DiscoveryClient.
   * @default human logger (pino JSON with LOG_FORMAT=json)
   */
  logger?: Logger | false;
}

export const DEFAULT_TTL = '10s';
export const DEFAULT_DEREGISTER_CRITICAL_AFTER = '1m';
export const DEFAULT_DRAIN_DELAY_MS = 0;
export const DEFAULT_CHECK_INTERVAL = '10s';

/** Checks {@link RegisterOptions}. @throws TypeError naming the option. */
export function validate(options: RegisterOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`Expected register options to be an object, got ${String(options)}`);
  if (typeof options.name !== 'string' || options.name === '') {
    throw new TypeError(`Expected \`name\` to be a non-empty string, got ${JSON.stringify(options.name)}`);
  }
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
    throw new TypeError(`Expected \`port\` to be an integer between 1 and 65535, got ${JSON.stringify(options.port)}`);
  }
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) {
    throw new TypeError(`Expected \`id\` to be a non-empty string, got ${JSON.stringify(options.id)}`);
  }
  if (options.address !== undefined && typeof options.address !== 'string') {
    throw new TypeError(`Expected \`address\` to be a string, got ${JSON.stringify(options.address)}`);
  }
  if (options.tags !== undefined && (!Array.isArray(options.tags) || options.tags.some((t) => typeof t !== 'string'))) {
    throw new TypeError(`Expected \`tags\` to be an array of strings, got ${JSON.stringify(options.tags)}`);
  }
  if (options.meta !== undefined) {
    if (options.meta === null || typeof options.meta !== 'object' || Object.values(options.meta).some((v) => typeof v !== 'string')) {
      throw new TypeError(`Expected \`meta\` to be an object of strings, got ${JSON.stringify(options.meta)}`);
    }
  }
  if (options.check !== undefined) {
    checkObject('check', options.check, ['http', 'interval', 'timeout']);
    if (options.ttl !== undefined) throw new TypeError('Expected either `ttl` (a TTL check) or `check` (an HTTP check), got both');
    const url = typeof options.check.http === 'string' && URL.canParse(options.check.http) ? new URL(options.check.http) : undefined;
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw bad('check.http', 'an http: or https: URL', options.check.http);
    }
  }
  if (options.server !== undefined && (options.server === null || typeof options.server.close !== 'function')) {
    throw new TypeError('Expected `server` to have a close(callback) method, like http.Server');
  }
}
