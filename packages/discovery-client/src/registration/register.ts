import { ConsulHttp, consulStatusError } from '../consul/consul-http.js';
import { resolveConsulOptions, type ConsulOptions } from '../consul/consul-options.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { EventSource } from '../events.js';
import { createLogger } from '../logging/create-logger.js';
import type { Logger } from '../logging/logger.js';
import { formatDuration, parseDuration } from './duration.js';

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
   * A Go duration string or ms.
   * @default '10s'
   */
  ttl?: string | number;
  /**
   * Heartbeat period.
   * @default a third of `ttl`
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

/** Events of a {@link Registration}. */
export interface RegistrationEvents {
  registered: { id: string; name: string; again: boolean };
  heartbeat: { id: string };
  heartbeatFailed: { id: string; error: Error };
  deregistered: { id: string };
}

/** A live registration: heartbeats until `close()`. */
export interface Registration {
  readonly id: string;
  readonly name: string;
  readonly checkId: string;
  /**
   * Deregisters (first), stops heartbeats and signal handlers, waits `drainDelay`, then closes `server` if
   * one was given and waits for its in-flight requests. Idempotent; never rejects.
   */
  close(): Promise<void>;
  on<K extends keyof RegistrationEvents>(name: K, listener: (event: RegistrationEvents[K]) => void): Registration;
  off<K extends keyof RegistrationEvents>(name: K, listener: (event: RegistrationEvents[K]) => void): Registration;
}

export const DEFAULT_TTL = '10s';
export const DEFAULT_DEREGISTER_CRITICAL_AFTER = '1m';
export const DEFAULT_DRAIN_DELAY_MS = 0;
const IDLE_SWEEP_MS = 100;
const CONSUL_WRITE_TIMEOUT_MS = 5000;
const FAILURE_LOG_EVERY_MS = 30_000;

function validate(options: RegisterOptions): void {
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
  if (options.server !== undefined && (options.server === null || typeof options.server.close !== 'function')) {
    throw new TypeError('Expected `server` to have a close(callback) method, like http.Server');
  }
}

class ConsulRegistration extends EventSource<RegistrationEvents> implements Registration {
  readonly id: string;
  readonly name: string;
  readonly checkId: string;
  private readonly ttlMs: number;
  private readonly heartbeatMs: number;
  private readonly drainMs: number;
  private readonly body: Record<string, unknown>;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private failingSince: number | undefined;
  private lastFailureLog = 0;
  private readonly signalHandler = (signal: NodeJS.Signals): void => void this.onSignal(signal);

  constructor(
    private readonly options: RegisterOptions,
    private readonly consul: ConsulHttp,
    private readonly logger: Logger,
  ) {
    super();
    this.name = options.name;
    this.id = options.id ?? `${options.name}-${options.port}`;
    this.checkId = `service:${this.id}`;
    this.ttlMs = parseDuration('ttl', options.ttl ?? DEFAULT_TTL);
    this.heartbeatMs =
      options.heartbeatInterval === undefined ? this.ttlMs / 3 : parseDuration('heartbeatInterval', options.heartbeatInterval);
    const drain = options.drainDelay;
    this.drainMs = drain === undefined ? DEFAULT_DRAIN_DELAY_MS : drain === 0 || drain === '0' ? 0 : parseDuration('drainDelay', drain);
    const deregisterAfterMs = parseDuration(
      'deregisterCriticalServiceAfter',
      options.deregisterCriticalServiceAfter ?? DEFAULT_DEREGISTER_CRITICAL_AFTER,
    );
    this.body = {
      Name: options.name,
      ID: this.id,
      ...(options.address === undefined ? {} : { Address: options.address }),
      Port: options.port,
      Tags: [...(options.tags ?? [])],
      Meta: { ...(options.meta ?? {}) },
      Check: {
        CheckID: this.checkId,
        Name: `Service '${options.name}' check`,
        TTL: formatDuration(this.ttlMs),
        DeregisterCriticalServiceAfter: formatDuration(deregisterAfterMs),
        Status: 'passing',
      },
    };
  }

  private get where(): string {
    return `${this.name} at ${this.options.address ?? '(node address)'}:${this.options.port}`;
  }

  /** PUT register, then a pass so a re-registration that kept a critical status turns passing now. */
  async registerNow(again: boolean): Promise<void> {
    const response = await this.consul.request({
      method: 'PUT',
      path: '/v1/agent/service/register',
      body: this.body,
      timeoutMs: CONSUL_WRITE_TIMEOUT_MS,
    });
    if (response.statusCode !== 200) throw consulStatusError(response, `registering ${this.id}`);
    await this.pass();
    this.logger.info(`${again ? 're-registered' : 'registered'} ${this.id} (${this.where}) with consul at ${this.consul.options.baseUrl}`, {
      service: this.name,
      id: this.id,
    });
    this.events.emit('registered', { id: this.id, name: this.name, again });
  }

  private async pass(): Promise<number> {
    const response = await this.consul.request({
      method: 'PUT',
      path: `/v1/agent/check/pass/${encodeURIComponent(this.checkId)}`,
      timeoutMs: CONSUL_WRITE_TIMEOUT_MS,
    });
    return response.statusCode;
  }

  start(): void {
    if (this.options.handleSignals) {
      process.on('SIGINT', this.signalHandler);
      process.on('SIGTERM', this.signalHandler);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closing) return;
    this.timer = setTimeout(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      const status = await this.pass();
      if (this.closing) return;
      if (status === 404) {
        this.logger.warn(`consul does not know ${this.id} (restarted?); registering again`, { service: this.name, id: this.id });
        await this.registerNow(true);
      } else if (status !== 200) {
        throw new RegistryUnavailableError(`consul answered ${status} to the heartbeat of ${this.id}`, { statusCode: status });
      }
      if (this.failingSince !== undefined) {
        this.logger.info(`heartbeat for ${this.id} works again`, { service: this.name, id: this.id });
        this.failingSince = undefined;
      }
      this.events.emit('heartbeat', { id: this.id });
    } catch (error) {
      if (this.closing) return;
      const now = Date.now();
      if (this.failingSince === undefined || now - this.lastFailureLog >= FAILURE_LOG_EVERY_MS) {
        this.logger.warn(`heartbeat for ${this.id} failed: ${(error as Error).message}`, {
          service: this.name,
          id: this.id,
          err: (error as Error).message,
        });
        this.lastFailureLog = now;
      }
      this.failingSince ??= now;
      this.events.emit('heartbeatFailed', { id: this.id, error: error as Error });
    } finally {
      this.schedule();
    }
  }

  private async onSignal(signal: NodeJS.Signals): Promise<void> {
    await this.close();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    process.off('SIGINT', this.signalHandler);
    process.off('SIGTERM', this.signalHandler);
    try {
      const response = await this.consul.request({
        method: 'PUT',
        path: `/v1/agent/service/deregister/${encodeURIComponent(this.id)}`,
        timeoutMs: CONSUL_WRITE_TIMEOUT_MS,
      });
      if (response.statusCode !== 200 && response.statusCode !== 404) throw consulStatusError(response, `deregistering ${this.id}`);
      this.logger.info(`deregistered ${this.id}`, { service: this.name, id: this.id });
      this.events.emit('deregistered', { id: this.id });
    } catch (error) {
      this.logger.warn(`could not deregister ${this.id}: ${(error as Error).message}`, { service: this.name, id: this.id });
    } finally {
      this.consul.close();
    }
    try {
      if (this.drainMs > 0) await new Promise((resolve) => setTimeout(resolve, this.drainMs));
      const server = this.options.server;
      if (server) {
        // keep-alive sockets that go idle once their request is answered would hold close() open until
        // the server's keepAliveTimeout: close them as they go idle
        const sweep = setInterval(() => server.closeIdleConnections?.(), IDLE_SWEEP_MS);
        sweep.unref();
        await new Promise<void>((resolve) => {
          server.close((error) => {
            clearInterval(sweep);
            // ERR_SERVER_NOT_RUNNING: the caller closed it already; anything else is worth a line
            if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') {
              this.logger.warn(`closing the server of ${this.id}: ${error.message}`, { service: this.name, id: this.id });
            }
            resolve();
          });
        });
      }
    } finally {
      this.events.removeAllListeners();
    }
  }
}

/**
 * Registers this instance in Consul with a TTL check and keeps it passing with heartbeats (every third of
 * the TTL). If Consul forgets the instance (restart: the heartbeat gets 404), it registers again by itself.
 * Heartbeat failures are logged, never thrown. If Consul cannot be reached at start, the returned
 * registration keeps trying in the background; only a rejected definition (HTTP 400/403) rejects.
 *
 * @example
 * const registration = await register({ name: 'ratings', id: 'ratings-1', address: '127.0.0.1', port: 8001 });
 * process.on('SIGTERM', async () => { await registration.close(); server.close(); });
 */
export async function register(options: RegisterOptions): Promise<Registration> {
  validate(options);
  const logger = createLogger(options.logger);
  const consul = new ConsulHttp(resolveConsulOptions(options.consul));
  const registration = new ConsulRegistration(options, consul, logger);
  try {
    await registration.registerNow(false);
  } catch (error) {
    const status = error instanceof RegistryUnavailableError ? error.statusCode : undefined;
    if (status !== undefined && status >= 400 && status < 500) {
      consul.close();
      throw error;
    }
    logger.warn(`could not register ${registration.id} yet: ${(error as Error).message}; retrying with the heartbeat`, {
      service: options.name,
      id: registration.id,
    });
  }
  registration.start();
  return registration;
}
