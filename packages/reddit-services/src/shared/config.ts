import { join } from 'node:path';
import { isColorName, parseDuration } from 'discovery-client';

/** The services `main.ts` can start. */
export const SERVICE_NAMES = ['posts', 'votes', 'users', 'messages'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_DATA_DIR = '.data/reddit';
export const DEFAULT_GATEWAY_PORT = 2015;
export const DEFAULT_HOST = '127.0.0.1';
/** TTL of an instance's Consul check; the heartbeat runs at a third of it. */
export const DEFAULT_REGISTRATION_TTL = '10s';
export const DEFAULT_DEREGISTER_AFTER = '1m';
export const DEFAULT_VERSION = '1.0';
/** After deregistering on SIGTERM/SIGINT, how long an instance keeps serving before it closes. */
export const DEFAULT_DRAIN = '1s';
/** The color of an instance started without COLOR: the instances running before a blue/green deploy are blue. */
export const DEFAULT_COLOR = 'blue';

export function isServiceName(value: string | undefined): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value ?? '');
}

/** What one process reads from its environment. */
export interface ProcessConfig {
  port: number;
  host: string;
  /** Address registered in Consul (what other processes dial). */
  advertiseAddress: string;
  instanceId: string | undefined;
  dataDir: string;
  dbPath: string | undefined;
  register: boolean;
  ttl: string;
  deregisterAfter: string;
  /** `VERSION`, registered as tag `v<version>` and meta `version`. @default '1.0' */
  version: string;
  /**
   * `COLOR` (blue/green), registered as tag `color=<c>` and meta `color`. Blue by default, as ratings, so
   * `make cutover COLOR=blue` pins traffic to the instances that ran before a green deploy (and rolls back to them).
   * @default 'blue'
   */
  color: string;
  /**
   * `DRAIN`: after deregistering on SIGTERM/SIGINT, how long the instance keeps serving before it stops
   * listening, so every caller watching Consul (a blocking query: milliseconds on one agent) has dropped it
   * and none sends it a new request; then it answers the requests in flight and exits. A duration such as
   * `500ms` or `2s`; `0` stops at once. In ms. @default 1000 ('1s')
   */
  drainMs: number;
}

function parseDrain(raw: string | undefined): number {
  if (raw === '0') return 0;
  try {
    return parseDuration('DRAIN', raw || DEFAULT_DRAIN);
  } catch {
    throw new TypeError(`DRAIN must be a duration such as 500ms or 2s (0: no drain), got "${raw}"`);
  }
}

/** A Consul duration (`10s`, `1m`), checked here so that a typo is named as such, not as Consul refusing the registration. */
function parseConsulDuration(name: string, raw: string | undefined, fallback: string): string {
  const value = raw || fallback;
  try {
    parseDuration(name, value);
  } catch {
    throw new TypeError(`${name} must be a duration such as 10s or 1m, got "${raw}"`);
  }
  return value;
}

function parseColor(raw: string): string {
  if (!isColorName(raw)) throw new TypeError(`COLOR must be a color name such as blue or green (lowercase letters, digits, -), got "${raw}"`);
  return raw;
}

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  return port;
}

/**
 * Reads PORT, HOST, ADVERTISE_ADDRESS, INSTANCE_ID, DATA_DIR, DB_PATH, REGISTER (`false` to skip
 * Consul), REGISTRATION_TTL, DEREGISTER_AFTER, VERSION, COLOR and DRAIN. CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN are read by
 * the discovery client itself.
 */
export function readConfig(env: NodeJS.ProcessEnv, defaultPort: number): ProcessConfig {
  const host = env.HOST || DEFAULT_HOST;
  return {
    port: parsePort(env.PORT, defaultPort),
    host,
    advertiseAddress: env.ADVERTISE_ADDRESS || (host === '0.0.0.0' || host === '::' ? DEFAULT_HOST : host),
    instanceId: env.INSTANCE_ID || undefined,
    dataDir: env.DATA_DIR || DEFAULT_DATA_DIR,
    dbPath: env.DB_PATH || undefined,
    register: env.REGISTER !== 'false',
    ttl: parseConsulDuration('REGISTRATION_TTL', env.REGISTRATION_TTL, DEFAULT_REGISTRATION_TTL),
    deregisterAfter: parseConsulDuration('DEREGISTER_AFTER', env.DEREGISTER_AFTER, DEFAULT_DEREGISTER_AFTER),
    version: env.VERSION || DEFAULT_VERSION,
    // npm sets COLOR=0|1 (its own colour setting) for every script it runs: not a color
    color: env.COLOR && env.COLOR !== '0' && env.COLOR !== '1' ? parseColor(env.COLOR) : DEFAULT_COLOR,
    drainMs: parseDrain(env.DRAIN),
  };
}

export function databasePath(config: ProcessConfig, service: ServiceName): string {
  return config.dbPath ?? join(config.dataDir, `${service}.db`);
}

/**
 * The PostgreSQL URL of a service: `<SERVICE>_DATABASE_URL` (e.g. `VOTES_DATABASE_URL`) when set, else
 * `DATABASE_URL` (one database, each service in its own schema); `undefined` means SQLite.
 */
export function databaseUrl(env: NodeJS.ProcessEnv, service: ServiceName): string | undefined {
  return env[`${service.toUpperCase()}_DATABASE_URL`] || env.DATABASE_URL || undefined;
}
