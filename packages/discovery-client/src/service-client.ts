import type { TrackedInstance } from './breaker/breaker-pool.js';
import { NoHealthyInstancesError } from './errors/no-healthy-instances-error.js';
import { RegistryUnavailableError } from './errors/registry-unavailable-error.js';
import { RequestTimeoutError } from './errors/request-timeout-error.js';
import { UpstreamConnectionError } from './errors/upstream-connection-error.js';
import { UpstreamHttpError } from './errors/upstream-http-error.js';
import type { DiscoveryEvents, InstanceEventInfo, TypedEmitter } from './events.js';
import type { ResolvedServiceOptions } from './options.js';
import { backoffDelay, sleep } from './retry/backoff.js';
import { isRetryable } from './retry/is-retryable.js';
import { RetryBudget } from './retry/retry-budget.js';
import type { ServiceState } from './service-state.js';
import { AttemptSignal } from './transport/attempt-signal.js';
import type { HttpMethod, ServiceResponse, Transport } from './transport/transport.js';

/** One call. */
export interface RequestOptions {
  /** @default 'GET' */
  method?: HttpMethod;
  /** Path (with query string), e.g. `/ratings/camera`. */
  path: string;
  /** Query parameters appended to `path`. */
  searchParams?: Record<string, string | number | boolean>;
  /** Sent as JSON (sets `content-type: application/json`). */
  json?: unknown;
  /** Raw body. */
  body?: string | Buffer;
  headers?: Record<string, string>;
  /**
   * Reject non-2xx answers with {@link UpstreamHttpError}; with `false` every answer resolves.
   * @default true
   */
  throwHttpErrors?: boolean;
  /** Per-attempt timeout for this call, ms. @default the service's `timeout` */
  timeout?: number;
  /** Retry this call even if its method is not in `retry.methods` (e.g. an idempotent POST). @default false */
  retryNonIdempotent?: boolean;
}

/** Per-call options of the shorthands (`get`, `post`...). */
export type ShorthandOptions = Omit<RequestOptions, 'method' | 'path'>;

/** The promise every call returns, with got-style body helpers. */
export interface ResponsePromise extends Promise<ServiceResponse> {
  /** The body parsed as JSON (or the fallback's value). */
  json<T = unknown>(): Promise<T>;
  /** The body as text. */
  text(): Promise<string>;
}

function parseJson(response: ServiceResponse): unknown {
  if (response.fallback) return response.fallback.value;
  if (response.body === '') return undefined;
  return JSON.parse(response.body);
}

/** `.json()` and `.text()` of every {@link ResponsePromise}: shared functions, no closures per call. */
function jsonOf<T>(this: Promise<ServiceResponse>): Promise<T> {
  return this.then(parseJson) as Promise<T>;
}

function bodyOf(response: ServiceResponse): string {
  return response.body;
}

function textOf(this: Promise<ServiceResponse>): Promise<string> {
  return this.then(bodyOf);
}

function eventInfo(service: string, tracked: TrackedInstance): InstanceEventInfo {
  return { service, number: tracked.ref.number, id: tracked.ref.id, url: tracked.ref.url };
}

/**
 * Calls one service by name. Each attempt goes to the instance the balancer picks, through that
 * instance's breaker, with a timeout that aborts the request; failed attempts of idempotent calls are
 * retried on another instance (backoff with jitter, overall deadline, retry budget).
 */
export class ServiceClient {
  private readonly budget: RetryBudget | undefined;

  constructor(
    readonly name: string,
    private readonly state: ServiceState,
    readonly options: ResolvedServiceOptions,
    private readonly transport: Transport,
    private readonly events: TypedEmitter<DiscoveryEvents>,
  ) {
    const { budget } = options.retry;
    this.budget = budget ? new RetryBudget(budget) : undefined;
  }

  get(path: string, options?: ShorthandOptions): ResponsePromise {
    return this.request({ ...options, method: 'GET', path });
  }

  post(path: string, options?: ShorthandOptions): ResponsePromise {
    return this.request({ ...options, method: 'POST', path });
  }

  put(path: string, options?: ShorthandOptions): ResponsePromise {
    return this.request({ ...options, method: 'PUT', path });
  }

  delete(path: string, options?: ShorthandOptions): ResponsePromise {
    return this.request({ ...options, method: 'DELETE', path });
  }

  /** Any call. Resolves with the response, or rejects with one of the library's typed errors. */
  request(options: RequestOptions): ResponsePromise {
    const promise = this.execute(options) as ResponsePromise;
    promise.json = jsonOf;
    promise.text = textOf;
    return promise;
  }

  private async execute(call: RequestOptions): Promise<ServiceResponse> {
    if (call === null || typeof call !== 'object') throw new TypeError(`Expected request options to be an object, got ${String(call)}`);
    if (typeof call.path !== 'string' || !call.path.startsWith('/')) {
      throw new TypeError(`Expected \`path\` to be a string starting with "/", got ${JSON.stringify(call.path)}`);
    }
    const method = (call.method ?? 'GET').toUpperCase() as HttpMethod;
    const throwHttpErrors = call.throwHttpErrors ?? true;
    const opts = this.options;
    const timeout = call.timeout ?? opts.timeout;
    let headers = opts.headers as Record<string, string>;
    if (call.headers !== undefined || call.json !== undefined) headers = { ...opts.headers, ...call.headers };
    let body: string | Buffer | undefined = call.body;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] ??= 'application/json';
    }
    let path = call.path;
    if (call.searchParams) {
      const query = new URLSearchParams(Object.entries(call.searchParams).map(([k, v]): [string, string] => [k, String(v)])).toString();
      path += (path.includes('?') ? '&' : '?') + query;
    }
    const retryable = call.retryNonIdempotent === true || opts.retry.methods.has(method);
    let now = Date.now();
    const deadlineAt = now + opts.deadline;
    this.budget?.recordCall(now);

    let tried: Set<string> | undefined;
    let attempt = 0;
    let lastError: Error | undefined;
    for (;;) {
      let pick = this.state.balancer.pick(tried);
      if (pick.type === 'queue') {
        const remaining = deadlineAt - Date.now();
        if (remaining <= 0) {
          // 'queue' means no list yet: the registry is what failed to answer in time, not an instance
          lastError = new RegistryUnavailableError(`cannot resolve ${this.name}: no answer from the registry within ${opts.deadline}ms`);
          break;
        }
        await this.state.nextUpdate(remaining);
        now = Date.now();
        continue;
      }
      if (pick.type === 'transientFailure' && tried) pick = this.state.balancer.pick();
      if (pick.type !== 'complete') {
        if (pick.type === 'transientFailure' && pick.reason === 'registry-unavailable' && !lastError) {
          lastError = pick.error instanceof RegistryUnavailableError
            ? pick.error
            : new RegistryUnavailableError(`cannot resolve ${this.name}`, { cause: pick.error });
        } else {
          lastError = new NoHealthyInstancesError(this.name, lastError ? { cause: lastError } : undefined);
        }
        break;
      }
      const tracked = pick.tracked;
      attempt++;
      if (this.events.has('instancePicked')) {
        this.events.emit('instancePicked', { service: this.name, instance: eventInfo(this.name, tracked), attempt });
      }
      // the first attempt reuses the call's clock reading (pick() is synchronous); later ones read it again
      if (attempt > 1) now = Date.now();
      const attemptTimeout = Math.max(1, Math.min(timeout, deadlineAt - now));
      try {
        return await tracked.breaker.fireUntranslated(() =>
          this.attempt(tracked, method, path, headers, body, attemptTimeout, throwHttpErrors),
        );
      } catch (error) {
        lastError = tracked.breaker.translate(error) as Error;
      }
      if (!retryable || !isRetryable(lastError) || attempt > opts.retry.limit) break;
      const remaining = deadlineAt - Date.now();
      if (remaining <= 0) break;
      if (this.budget && !this.budget.tryWithdraw()) {
        this.events.emit('retryBudgetExhausted', { service: this.name, instance: eventInfo(this.name, tracked), error: lastError });
        break;
      }
      (tried ??= new Set()).add(tracked.instance.key);
      const delay = Math.min(
        remaining,
        backoffDelay(attempt, { initialMs: opts.retry.backoffInitialMs, maxMs: opts.retry.backoffMaxMs }),
      );
      this.events.emit('callRetried', {
        service: this.name,
        instance: eventInfo(this.name, tracked),
        attempt: attempt + 1,
        delayMs: delay,
        error: lastError,
      });
      if (delay > 0) await sleep(delay);
    }
    return this.fail(lastError, throwHttpErrors);
  }

  private fail(lastError: Error, throwHttpErrors: boolean): ServiceResponse {
    let error = lastError;
    if (error instanceof UpstreamHttpError) {
      if (!throwHttpErrors) return error.response;
      if (error.statusCode < 500) throw error;
    }
    if (isRetryable(error) && !this.state.balancer.hasAvailable()) {
      // the call failed on every instance it could reach and none is left: the walkthrough's "all down"
      error = new NoHealthyInstancesError(this.name, { cause: error });
    }
    const fallback = this.options.fallback;
    if (!fallback) throw error;
    const value = fallback(error);
    this.events.emit('fallback', { service: this.name, error });
    return { statusCode: 200, headers: {}, body: '', instance: undefined, fallback: { value, error } };
  }

  private async attempt(
    tracked: TrackedInstance,
    method: HttpMethod,
    path: string,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    timeoutMs: number,
    throwHttpErrors: boolean,
  ): Promise<ServiceResponse> {
    const signal = new AttemptSignal();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signal.abort(new RequestTimeoutError(this.name, timeoutMs, tracked.ref));
    }, timeoutMs);
    timer.unref();
    const started = performance.now();
    this.state.balancer.strategy.onCallStarted?.(tracked);
    try {
      const response = await this.transport.request({
        origin: tracked.instance.url,
        method,
        path,
        headers,
        body,
        signal,
      });
      const result: ServiceResponse = {
        statusCode: response.statusCode,
        headers: response.headers,
        body: response.body,
        instance: tracked.ref,
      };
      const status = response.statusCode;
      if (status >= 500 || (status >= 400 && throwHttpErrors)) {
        const error = new UpstreamHttpError(this.name, result as ServiceResponse & { instance: typeof tracked.ref });
        this.report(tracked, started, error);
        throw error;
      }
      if (this.events.has('callSucceeded')) {
        this.events.emit('callSucceeded', {
          service: this.name,
          instance: eventInfo(this.name, tracked),
          statusCode: status,
          durationMs: performance.now() - started,
        });
      }
      return result;
    } catch (error) {
      if (error instanceof UpstreamHttpError) throw error;
      const wrapped = timedOut
        ? new RequestTimeoutError(this.name, timeoutMs, tracked.ref, { cause: error })
        : new UpstreamConnectionError(this.name, tracked.ref, error);
      this.report(tracked, started, wrapped);
      throw wrapped;
    } finally {
      clearTimeout(timer);
      this.state.balancer.strategy.onCallEnded?.(tracked);
    }
  }

  private report(tracked: TrackedInstance, started: number, error: Error): void {
    const durationMs = performance.now() - started;
    if (error instanceof RequestTimeoutError) {
      this.events.emit('callTimedOut', {
        service: this.name,
        instance: eventInfo(this.name, tracked),
        timeoutMs: error.timeoutMs,
        durationMs,
      });
    } else if (error instanceof UpstreamHttpError && error.statusCode < 500) {
      this.events.emit('callSucceeded', {
        service: this.name,
        instance: eventInfo(this.name, tracked),
        statusCode: error.statusCode,
        durationMs,
      });
    } else {
      this.events.emit('callFailed', { service: this.name, instance: eventInfo(this.name, tracked), error, durationMs });
    }
  }
}
