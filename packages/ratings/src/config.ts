import { isColorName } from 'discovery-client';
import { DEFAULT_VERSION } from './app.js';

/** Everything one ratings instance needs to run, read from its arguments and environment. */
export interface InstanceConfig {
  /** `--instance N`. @default 1 */
  instance: number;
  /** `PORT`; `0` picks a free port. @default 8000 + instance */
  port: number;
  /** `HOST`: the address it listens on and registers. @default '127.0.0.1' */
  host: string;
  /** `VERSION`: tag `v<version>` and meta `version`. @default '1.0' */
  version: string;
  /** `RATINGS_TTL`: the TTL of its Consul check. @default '15s' */
  ttl: string;
  /** `RATINGS_HEARTBEAT`: how often it tells Consul it is alive. @default '5s' */
  heartbeat: string;
  /**
   * `COLOR`: its blue/green color, tag `color=<c>` and meta `color`. Blue by default, so the instances running
   * before a blue/green deploy are the blue ones (`make cutover COLOR=blue` pins traffic to them).
   * @default 'blue'
   */
  color: string;
  /**
   * `RATINGS_DRAIN`: after deregistering on SIGTERM/SIGINT, how long it keeps serving before it closes, so
   * callers watching Consul have dropped it (they take milliseconds; this is the margin). @default '1s'
   */
  drain: string;
  /**
   * `RATINGS_LOG_REQUESTS`: one `GET camera => 4` line per request (`0` turns it off: the deploy commands
   * do, so a roll under load shows its progress, not every request). @default true
   */
  logRequests: boolean;
}

export const DEFAULT_TTL = '15s';
export const DEFAULT_HEARTBEAT = '5s';
export const DEFAULT_DRAIN = '1s';
export const DEFAULT_COLOR = 'blue';
export const DEFAULT_HOST = '127.0.0.1';
export const BASE_PORT = 8000;
const DURATION = /^\d+(\.\d+)?(ms|s|m|h)$/;

/** A configuration error: the message says which argument or variable and what it received. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'ERR_RATINGS_CONFIG';
}

/** Instance numbers (`--instance N`, `--count N`): ratings-1 to ratings-999. */
export const INSTANCE_NUMBERS = { integer: true, min: 1, max: 999 } as const;

/** The configuration of one instance from its command line and environment. */
export function instanceConfig(instance: number, env: NodeJS.ProcessEnv = process.env): InstanceConfig {
  let port = BASE_PORT + instance;
  if (env.PORT !== undefined && env.PORT !== '') {
    if (!/^\d+$/.test(env.PORT) || Number(env.PORT) > 65535) {
      throw new ConfigError(`PORT must be a port number (0 for any free port), got "${env.PORT}"`);
    }
    port = Number(env.PORT);
  }
  const duration = (name: string, fallback: string): string => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (!DURATION.test(value)) throw new ConfigError(`${name} must be a duration like 500ms, 2s or 1m, got "${value}"`);
    return value;
  };
  return {
    instance,
    port,
    host: env.HOST || DEFAULT_HOST,
    version: env.VERSION || DEFAULT_VERSION,
    ttl: duration('RATINGS_TTL', DEFAULT_TTL),
    heartbeat: duration('RATINGS_HEARTBEAT', DEFAULT_HEARTBEAT),
    drain: env.RATINGS_DRAIN === '0' ? '0' : duration('RATINGS_DRAIN', DEFAULT_DRAIN),
    // npm sets COLOR=0|1 (its own colour setting) in the environment of every script it runs: not a color
    color: env.COLOR && env.COLOR !== '0' && env.COLOR !== '1' ? checkColor(env.COLOR) : DEFAULT_COLOR,
    logRequests: flag('RATINGS_LOG_REQUESTS', env.RATINGS_LOG_REQUESTS, true),
  };
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new ConfigError(`${name} must be 1, 0, true or false, got "${value}"`);
}

function checkColor(value: string): string {
  if (!isColorName(value)) throw new ConfigError(`COLOR must be a color name such as blue or green, got "${value}"`);
  return value;
}
