import { ConsulHttp, consulStatusError, type ConsulResponse } from '../consul/consul-http.js';
import { resolveConsulOptions } from '../consul/consul-options.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { EventSource } from '../events.js';
import { createLogger } from '../logging/create-logger.js';
import type { Logger } from '../logging/logger.js';
import { formatDuration, parseDuration } from './duration.js';
import { bad } from '../options/checker.js';
import type { HealthStatus } from '../resolver/health-entries.js';
import {
  DEFAULT_CHECK_INTERVAL,
  DEFAULT_DEREGISTER_CRITICAL_AFTER,
  DEFAULT_DRAIN_DELAY_MS,
  DEFAULT_TTL,
  validate,
  type HttpCheckOptions,
  type RegisterOptions,
} from './register-options.js';

export { DEFAULT_DEREGISTER_CRITICAL_AFTER, DEFAULT_DRAIN_DELAY_MS, DEFAULT_TTL, type HttpCheckOptions, type RegisterOptions };

/** Consul's TTL update endpoint for each status (`PUT /v1/agent/check/pass|warn|fail/:check_id?note=`). */
const TTL_ENDPOINT: Record<HealthStatus, string> = { passing: 'pass', warning: 'warn', critical: 'fail' };

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
   * The status this instance last reported with `pass()`, `warn()` or `fail()` (`'passing'` at first), which
   * every heartbeat repeats. With an HTTP check, always `'passing'`: the agent's probe decides.
   */
  readonly status: HealthStatus;
  /**
   * Reports this instance healthy (Consul's `PUT /v1/agent/check/pass/:check_id?note=`): it comes back to
   * `/v1/health/service/<name>?passing`. `note` becomes the check's `Output` (default `''`).
   * The status is kept before it is sent: heartbeats repeat it, and a registration after an agent restart
   * carries it. Updates go out one at a time, in call order.
   * @throws TypeError with an HTTP check (`check`), or when `note` is not a string.
   * @throws RegistryUnavailableError when the agent did not take it (the next heartbeat sends it again).
   */
  pass(note?: string): Promise<void>;
  /**
   * Reports this instance degraded (`PUT /v1/agent/check/warn/:check_id?note=`): status `warning`, which
   * Consul's `?passing` filter drops too (a watcher stops sending it calls), listed without the filter.
   * Heartbeats repeat it until `pass()` or `fail()`. Errors as `pass()`.
   */
  warn(note?: string): Promise<void>;
  /**
   * Reports this instance unhealthy (`PUT /v1/agent/check/fail/:check_id?note=`): status `critical`, out of
   * `?passing` lists; heartbeats repeat it (they keep the TTL from expiring, never turn it passing) until
   * `pass()`. A critical instance is still removed after `deregisterCriticalServiceAfter`. Errors as `pass()`.
   */
  fail(note?: string): Promise<void>;
  /**
   * Deregisters (first), stops heartbeats and signal handlers, waits `drainDelay`, then closes `server` if
   * one was given and waits for its in-flight requests. Idempotent; never rejects.
   */
  close(): Promise<void>;
  on<K extends keyof RegistrationEvents>(name: K, listener: (event: RegistrationEvents[K]) => void): Registration;
  off<K extends keyof RegistrationEvents>(name: K, listener: (event: RegistrationEvents[K]) => void): Registration;
}

const IDLE_SWEEP_MS = 100;
const CONSUL_WRITE_TIMEOUT_MS = 5000;
const FAILURE_LOG_EVERY_MS = 30_000;

class ConsulRegistration extends EventSource<RegistrationEvents> implements Registration {
  readonly id: string;
  readonly name: string;
  readonly checkId: string;
  status: HealthStatus = 'passing';
  private note = '';
  /** The last status update sent: the next waits for it, so updates reach the agent in call order. */
  private updates: Promise<unknown> = Promise.resolve();
  private readonly httpCheck: boolean;
  private readonly heartbeatMs: number;
  private readonly drainMs: number;
  private readonly body: Record<string, unknown>;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private failingSince: number | undefined;
  private lastFailureLog = 0;
  private readonly signalHandler = (signal: NodeJS.Signals): void => void this.onSignal(signal);

  constructor(private readonly options: RegisterOptions, private readonly consul: ConsulHttp, private readonly logger: Logger) {
    super();
    this.name = options.name;
    this.id = options.id ?? `${options.name}-${options.port}`;
    this.checkId = `service:${this.id}`;
    const check = options.check;
    this.httpCheck = check !== undefined;
    const periodMs = check
      ? parseDuration('check.interval', check.interval ?? DEFAULT_CHECK_INTERVAL)
      : parseDuration('ttl', options.ttl ?? DEFAULT_TTL);
    this.heartbeatMs =
      options.heartbeatInterval !== undefined
        ? parseDuration('heartbeatInterval', options.heartbeatInterval)
        : check
          ? periodMs
          : periodMs / 3;
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
      Check: check
        ? {
            CheckID: this.checkId,
            Name: `Service '${options.name}' check`,
            HTTP: check.http,
            Interval: formatDuration(periodMs),
            ...(check.timeout === undefined ? {} : { Timeout: formatDuration(parseDuration('check.timeout', check.timeout)) }),
            DeregisterCriticalServiceAfter: formatDuration(deregisterAfterMs),
          }
        : {
            CheckID: this.checkId,
            Name: `Service '${options.name}' check`,
            TTL: formatDuration(periodMs),
            DeregisterCriticalServiceAfter: formatDuration(deregisterAfterMs),
            Status: 'passing',
          },
    };
  }

  pass(note?: string): Promise<void> {
    return this.report('passing', note);
  }

  warn(note?: string): Promise<void> {
    return this.report('warning', note);
  }

  fail(note?: string): Promise<void> {
    return this.report('critical', note);
  }

  private async report(status: HealthStatus, note: string | undefined): Promise<void> {
    if (this.httpCheck) {
      throw new TypeError(`${TTL_ENDPOINT[status]}() needs a TTL check; ${this.id} has an HTTP check, whose status the agent's probe sets`);
    }
    if (note !== undefined && typeof note !== 'string') throw bad('note', 'a string', note);
    this.status = status;
    this.note = note ?? '';
    if (this.closing) return;
    const response = await this.sendStatus();
    if (response.statusCode === 404) await this.registerNow(true);
    else if (response.statusCode !== 200) throw consulStatusError(response, `the ${status} status of ${this.id}`);
  }

  /** Sends the current status and note (read when it goes out), after the update before it. */
  private sendStatus(): Promise<ConsulResponse> {
    const send = (): Promise<ConsulResponse> =>
      this.consul.request({
        method: 'PUT',
        path: `/v1/agent/check/${TTL_ENDPOINT[this.status]}/${encodeURIComponent(this.checkId)}${this.note === '' ? '' : `?note=${encodeURIComponent(this.note)}`}`,
        timeoutMs: CONSUL_WRITE_TIMEOUT_MS,
      });
    const sent = this.updates.then(send, send);
    this.updates = sent.catch(() => undefined);
    return sent;
  }

  /** The heartbeat's request: the TTL status again, or (HTTP check) whether the agent still knows the instance. */
  private async heartbeatStatus(): Promise<number> {
    if (!this.httpCheck) return (await this.sendStatus()).statusCode;
    const response = await this.consul.request({
      method: 'GET',
      path: `/v1/agent/service/${encodeURIComponent(this.id)}`,
      timeoutMs: CONSUL_WRITE_TIMEOUT_MS,
    });
    return response.statusCode;
  }

  private get where(): string {
    return `${this.name} at ${this.options.address ?? '(node address)'}:${this.options.port}`;
  }

  /**
   * PUT register, then (TTL check) the reported status, so a re-registration that kept an expired TTL's
   * critical status takes the reported one now, and its note.
   */
  async registerNow(again: boolean): Promise<void> {
    const check = this.body.Check as Record<string, unknown>;
    if (!this.httpCheck) check.Status = this.status;
    const response = await this.consul.request({
      method: 'PUT',
      path: '/v1/agent/service/register',
      body: this.body,
      timeoutMs: CONSUL_WRITE_TIMEOUT_MS,
    });
    if (response.statusCode !== 200) throw consulStatusError(response, `registering ${this.id}`);
    if (!this.httpCheck) await this.sendStatus();
    this.logger.info({ service: this.name, id: this.id }, `${again ? 're-registered' : 'registered'} ${this.id} (${this.where}) with consul at ${this.consul.options.baseUrl}`);
    this.events.emit('registered', { id: this.id, name: this.name, again });
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
      const status = await this.heartbeatStatus();
      if (this.closing) return;
      if (status === 404) {
        this.logger.warn({ service: this.name, id: this.id }, `consul does not know ${this.id} (restarted?); registering again`);
        await this.registerNow(true);
      } else if (status !== 200) {
        throw new RegistryUnavailableError(`consul answered ${status} to the heartbeat of ${this.id}`, { statusCode: status });
      }
      if (this.failingSince !== undefined) {
        this.logger.info({ service: this.name, id: this.id }, `heartbeat for ${this.id} works again`);
        this.failingSince = undefined;
      }
      this.events.emit('heartbeat', { id: this.id });
    } catch (error) {
      if (this.closing) return;
      const now = Date.now();
      if (this.failingSince === undefined || now - this.lastFailureLog >= FAILURE_LOG_EVERY_MS) {
        this.logger.warn(
          {
            service: this.name,
            id: this.id,
            err: (error as Error).message,
          },
          `heartbeat for ${this.id} failed: ${(error as Error).message}`,
        );
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
      this.logger.info({ service: this.name, id: this.id }, `deregistered ${this.id}`);
      this.events.emit('deregistered', { id: this.id });
    } catch (error) {
      this.logger.warn({ service: this.name, id: this.id }, `could not deregister ${this.id}: ${(error as Error).message}`);
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
              this.logger.warn({ service: this.name, id: this.id }, `closing the server of ${this.id}: ${error.message}`);
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
 * Registers this instance in Consul with a TTL check and keeps it alive with heartbeats (every third of
 * the TTL), each repeating the status last reported with `pass()`, `warn()` or `fail()` (passing until one
 * is called), so a heartbeat never turns a reported failure passing. With `check: { http }` the agent
 * probes the instance instead (an HTTP check) and no heartbeat is sent. If Consul forgets the instance
 * (restart: the heartbeat gets 404), it registers again by itself.
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
    logger.warn(
      {
        service: options.name,
        id: registration.id,
      },
      `could not register ${registration.id} yet: ${(error as Error).message}; retrying with the heartbeat`,
    );
  }
  registration.start();
  return registration;
}
