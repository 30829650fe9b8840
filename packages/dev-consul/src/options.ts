import os from 'node:os';
import type { LogLevel, LogSink } from './logger.js';

/** Options of {@link startDevConsul}. Only `port`..`enableScriptChecks` have a CLI flag; the rest are testing knobs. */
export interface DevConsulOptions {
  /** TCP port of the HTTP API; 0 picks a free one. @default 8500 */
  port?: number;
  /** Address to bind; also the node's address (leader/peers answer `<host>:8300`). @default '127.0.0.1' */
  host?: string;
  /** Enables ACLs (default policy deny) with this as the only management token. @default undefined (ACLs off) */
  token?: string;
  /** Node name. @default os.hostname() */
  node?: string;
  /** Datacenter name. @default 'dc1' */
  datacenter?: string;
  /** Least severe level logged. @default 'warn' (the CLI defaults to 'info') */
  logLevel?: LogLevel;
  /** Where log lines go. @default stdout (debug/info) and stderr (warn/error) */
  logger?: LogSink;
  /** Allow script checks (`Args`), like Consul's `enable_script_checks`. @default false */
  enableScriptChecks?: boolean;
  /** Floor for `DeregisterCriticalServiceAfter`, in ms (Consul: 1 minute). @default 60000 */
  deregisterCriticalMinimum?: number;
  /** How often critical services are reaped, in ms (Consul: 30 s). @default 30000 */
  reapInterval?: number;
  /** Delay before an output-only check change reaches the catalog, in ms (Consul's `check_update_interval`). @default 300000 */
  checkUpdateInterval?: number;
  /** Shortest interval for HTTP/TCP/script probes, in ms (Consul's `checks.MinInterval`). @default 1000 */
  minCheckInterval?: number;
}

/** Every option resolved. */
export interface ResolvedOptions {
  port: number;
  host: string;
  token: string | undefined;
  node: string;
  datacenter: string;
  logLevel: LogLevel;
  logger: LogSink | undefined;
  enableScriptChecks: boolean;
  deregisterCriticalMinimum: number;
  reapInterval: number;
  checkUpdateInterval: number;
  minCheckInterval: number;
}

/** Consul's HTTP port. */
export const DEFAULT_PORT = 8500;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATACENTER = 'dc1';
/** `check_deregister_interval_min`. */
export const DEFAULT_DEREGISTER_CRITICAL_MINIMUM_MS = 60_000;
/** `check_reap_interval`. */
export const DEFAULT_REAP_INTERVAL_MS = 30_000;
/** `check_update_interval`. */
export const DEFAULT_CHECK_UPDATE_INTERVAL_MS = 5 * 60_000;
/** `checks.MinInterval`. */
export const DEFAULT_MIN_CHECK_INTERVAL_MS = 1000;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Expected option \`${name}\` to be a non-negative number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** Applies defaults and checks types. @throws TypeError naming the bad option. */
export function resolveOptions(options: DevConsulOptions = {}): ResolvedOptions {
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`Expected option \`port\` to be an integer from 0 to 65535, got ${String(options.port)}`);
  }
  const logLevel = options.logLevel ?? 'warn';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new TypeError(`Expected option \`logLevel\` to be debug, info, warn or error, got ${String(logLevel)}`);
  }
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
    throw new TypeError('Expected option `token` to be a non-empty string');
  }
  return {
    port,
    host: options.host ?? DEFAULT_HOST,
    token: options.token,
    node: options.node ?? os.hostname(),
    datacenter: options.datacenter ?? DEFAULT_DATACENTER,
    logLevel,
    logger: options.logger,
    enableScriptChecks: options.enableScriptChecks ?? false,
    deregisterCriticalMinimum: nonNegative('deregisterCriticalMinimum', options.deregisterCriticalMinimum, DEFAULT_DEREGISTER_CRITICAL_MINIMUM_MS),
    reapInterval: nonNegative('reapInterval', options.reapInterval, DEFAULT_REAP_INTERVAL_MS),
    checkUpdateInterval: nonNegative('checkUpdateInterval', options.checkUpdateInterval, DEFAULT_CHECK_UPDATE_INTERVAL_MS),
    minCheckInterval: nonNegative('minCheckInterval', options.minCheckInterval, DEFAULT_MIN_CHECK_INTERVAL_MS),
  };
}
