import { readFileSync } from 'node:fs';
import { RegistryConfigError } from '../errors/registry-config-error.js';
import { formatUrl } from '../instance.js';

/** Where Consul is and how to talk to it. Missing fields come from the environment, like the `consul` CLI. */
export interface ConsulOptions {
  /**
   * Agent host.
   * @default host of CONSUL_HTTP_ADDR, else '127.0.0.1'
   */
  host?: string;
  /**
   * Agent HTTP port.
   * @default port of CONSUL_HTTP_ADDR, else 8500 (8501 with https)
   */
  port?: number;
  /**
   * Use https.
   * @default true when CONSUL_HTTP_ADDR starts with https:// or CONSUL_HTTP_SSL=true, else false
   */
  secure?: boolean;
  /**
   * ACL token, sent as `X-Consul-Token`.
   * @default CONSUL_HTTP_TOKEN, else the contents of the file named by CONSUL_HTTP_TOKEN_FILE (trimmed)
   */
  token?: string;
  /**
   * PEM CA bundle to verify the agent's certificate.
   * @default contents of the file named by CONSUL_CACERT, else the system CAs
   */
  ca?: string | Buffer;
  /**
   * Verify the agent's TLS certificate.
   * @default false when CONSUL_HTTP_SSL_VERIFY=false, else true
   */
  rejectUnauthorized?: boolean;
  /**
   * Datacenter to query (`?dc=`).
   * @default the agent's own
   */
  dc?: string;
}

/** ConsulOptions with the environment applied. */
export interface ResolvedConsulOptions {
  host: string;
  port: number;
  secure: boolean;
  token: string | undefined;
  ca: string | Buffer | undefined;
  rejectUnauthorized: boolean;
  dc: string | undefined;
  /** `http://127.0.0.1:8500` */
  baseUrl: string;
}

export const DEFAULT_CONSUL_HOST = '127.0.0.1';
export const DEFAULT_CONSUL_PORT = 8500;
export const DEFAULT_CONSUL_HTTPS_PORT = 8501;

/** Parses CONSUL_HTTP_ADDR: `host:port`, `host`, or a URL (`http://host:port`, `https://host`). */
export function parseConsulAddr(value: string): { host: string; port: number | undefined; secure: boolean | undefined } {
  const text = value.trim();
  const hasScheme = /^[a-z]+:\/\//i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `http://${text}`);
  } catch {
    throw new TypeError(`Invalid CONSUL_HTTP_ADDR: ${JSON.stringify(value)} (expected host:port or a URL)`);
  }
  if (hasScheme && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Invalid CONSUL_HTTP_ADDR: ${JSON.stringify(value)} (only http:// and https:// are supported)`);
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : undefined,
    secure: hasScheme ? url.protocol === 'https:' : undefined,
  };
}

function truthy(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return ['1', 't', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** The token in the file CONSUL_HTTP_TOKEN_FILE names; a file that cannot be read is a clear error. */
function tokenFromFile(file: string | undefined): string | undefined {
  if (!file) return undefined;
  return readNamedFile('CONSUL_HTTP_TOKEN_FILE', file).toString('utf8').trim() || undefined;
}

/** The file an environment variable names. @throws RegistryConfigError naming the variable and the path. */
function readNamedFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new RegistryConfigError(variable, file, error);
  }
}

/**
 * Applies CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN (or CONSUL_HTTP_TOKEN_FILE), CONSUL_HTTP_SSL,
 * CONSUL_HTTP_SSL_VERIFY, CONSUL_CACERT, as the consul CLI does.
 * @throws TypeError naming a bad option or CONSUL_HTTP_ADDR; RegistryConfigError when the file CONSUL_CACERT or
 * CONSUL_HTTP_TOKEN_FILE names cannot be read.
 */
export function resolveConsulOptions(options: ConsulOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConsulOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected the \`consul\` option to be an object, got ${JSON.stringify(options)}`);
  }
  const fromEnv = env.CONSUL_HTTP_ADDR ? parseConsulAddr(env.CONSUL_HTTP_ADDR) : undefined;
  const host = options.host ?? fromEnv?.host ?? DEFAULT_CONSUL_HOST;
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`Expected \`consul.host\` to be a non-empty string, got ${JSON.stringify(host)}`);
  }
  const secure = options.secure ?? fromEnv?.secure ?? truthy(env.CONSUL_HTTP_SSL) ?? false;
  const port = options.port ?? (options.host === undefined ? fromEnv?.port : undefined) ??
    (secure ? DEFAULT_CONSUL_HTTPS_PORT : DEFAULT_CONSUL_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`Expected \`consul.port\` to be an integer between 1 and 65535, got ${JSON.stringify(port)}`);
  }
  const token = options.token ?? (env.CONSUL_HTTP_TOKEN || tokenFromFile(env.CONSUL_HTTP_TOKEN_FILE));
  if (token !== undefined && typeof token !== 'string') {
    throw new TypeError(`Expected \`consul.token\` to be a string, got ${typeof token}`);
  }
  const ca = options.ca ?? (env.CONSUL_CACERT ? readNamedFile('CONSUL_CACERT', env.CONSUL_CACERT) : undefined);
  const rejectUnauthorized = options.rejectUnauthorized ?? truthy(env.CONSUL_HTTP_SSL_VERIFY) ?? true;
  return {
    host,
    port,
    secure,
    token,
    ca,
    rejectUnauthorized,
    dc: options.dc,
    baseUrl: formatUrl(host, port, secure ? 'https' : 'http'),
  };
}
