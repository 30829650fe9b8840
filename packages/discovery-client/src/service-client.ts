import { classifyError, classifyResponse, type AttemptOutcome } from './attempt/outcome.js';
import type { Endpoint, InFlightAttempt } from './endpoint/endpoint.js';
import { NoHealthyInstancesError } from './errors/no-healthy-instances-error.js';
import { RegistryUnavailableError } from './errors/registry-unavailable-error.js';
import { RequestTimeoutError } from './errors/request-timeout-error.js';
import { UpstreamHttpError } from './errors/upstream-http-error.js';
import type { DiscoveryEvents, TypedEmitter } from './events.js';
import { checkRequestOptions, type ResolvedServiceOptions } from './options.js';
import { backoffDelay, sleep } from './retry/backoff.js';
import { RetryBudget } from './retry/retry-budget.js';
import { info as eventInfo, type ServiceState } from './service-state.js';
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

/** Methods a stall rescue may duplicate while the first attempt may still be running (RFC 9110 "safe"). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request as every attempt of one call sends it. */
interface PreparedCall {
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

/**
 * Calls one service by name. Each attempt goes to the instance the balancer picks, through that
 * instance's breaker, with a timeout that aborts the request. What an attempt came to is an
 * {@link AttemptOutcome}, classified once; from it:
 *
 * - an attempt that never reached the instance (`notSent`) is requeued at once, for any method, without
 *   backoff and outside the retry limit and budget;
 * - an instance failure of an idempotent call is retried on another instance, at once, within
 *   `retry.limit` and the retry budget; backoff (with jitter) applies only when the retry has to go back to
 *   an instance that already failed this call;
 * - everything stops at the call's deadline.
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

  /**
   * Any call. Resolves with the response, or rejects with one of the library's typed errors; options that
   * are not valid reject with a `TypeError` naming the option.
   */
  request(options: RequestOptions): ResponsePromise {
    const promise = this.execute(options) as ResponsePromise;
    promise.json = jsonOf;
    promise.text = textOf;
    return promise;
  }

  private prepare(call: RequestOptions): PreparedCall {
    checkRequestOptions(call);
    const opts = this.options;
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
    return { method: (call.method ?? 'GET').toUpperCase() as HttpMethod, path, headers, body };
  }

  private async execute(call: RequestOptions): Promise<ServiceResponse> {
    const prepared = this.prepare(call);
    const throwHttpErrors = call.throwHttpErrors ?? true;
    const opts = this.options;
    const timeout = call.timeout ?? opts.timeout;
    const retryable = call.retryNonIdempotent === true || opts.retry.methods.has(prepared.method);
    let now = Date.now();
    const deadlineAt = now + opts.deadline;
    this.budget?.recordCall(now);

    /** Instance keys this call tried: avoided while others are available. */
    let tried: Set<string> | undefined;
    /** Instances that failed this call: going back to one waits the backoff. */
    let failedOn: Set<Endpoint> | undefined;
    let attempt = 0;
    let failures = 0;
    let requeues = 0;
    let lastError: Error | undefined;
    let lastFailure: AttemptOutcome | undefined;
    let retryOf: { endpoint: Endpoint; error: Error; requeued: boolean } | undefined;
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
          lastError = new NoHealthyInstancesError(this.name, {
            ...(lastError ? { cause: lastError } : {}),
            unmatchedActiveColor: this.state.unmatchedActiveColor,
          });
        }
        lastFailure = undefined;
        break;
      }
      const endpoint = pick.endpoint;
      if (retryOf) {
        const delay = failedOn?.has(endpoint)
          ? Math.min(Math.max(0, deadlineAt - Date.now()), backoffDelay(failures, { initialMs: opts.retry.backoffInitialMs, maxMs: opts.retry.backoffMaxMs }))
          : 0;
        this.events.emit('callRetried', {
          service: this.name,
          instance: eventInfo(this.name, retryOf.endpoint),
          attempt: attempt + 1,
          delayMs: delay,
          error: retryOf.error,
          requeued: retryOf.requeued,
        });
        if (delay > 0) await sleep(delay);
      }
      attempt++;
      if (this.events.has('instancePicked')) {
        this.events.emit('instancePicked', { service: this.name, instance: eventInfo(this.name, endpoint), attempt });
      }
      // the first attempt reuses the call's clock reading (pick() is synchronous); later ones read it again
      if (attempt > 1) now = Date.now();
      const attemptTimeout = Math.max(1, Math.min(timeout, deadlineAt - now));
      // a rescue sends the attempt again while the first may still complete: only for safe methods (RFC 9110)
      const rescuable = retryable && SAFE_METHODS.has(prepared.method) && failures < opts.retry.limit;
      const outcome = await endpoint.run(() => this.attempt(endpoint, prepared, attemptTimeout, rescuable));
      switch (outcome.type) {
        case 'response':
          return outcome.response;
        case 'callerError':
          if (!throwHttpErrors) return outcome.response;
          throw new UpstreamHttpError(this.name, outcome.response as ServiceResponse & { instance: Endpoint['ref'] });
        case 'notSent':
        case 'rejected': {
          // never reached the instance: send it again at once, for any method, without spending the budget
          lastError = outcome.error;
          lastFailure = outcome;
          if (++requeues > this.state.balancer.current.length) break;
          (tried ??= new Set()).add(endpoint.instance.key);
          retryOf = { endpoint, error: outcome.error, requeued: true };
          continue;
        }
        case 'instanceFailure': {
          lastError = outcome.error;
          lastFailure = outcome;
          failures++;
          if (!retryable || failures > opts.retry.limit || deadlineAt - Date.now() <= 0) break;
          if (this.budget && !this.budget.tryWithdraw()) {
            this.events.emit('retryBudgetExhausted', { service: this.name, instance: eventInfo(this.name, endpoint), error: outcome.error });
            break;
          }
          (tried ??= new Set()).add(endpoint.instance.key);
          (failedOn ??= new Set()).add(endpoint);
          retryOf = { endpoint, error: outcome.error, requeued: false };
          continue;
        }
      }
      break;
    }
    return this.fail(lastError, lastFailure, throwHttpErrors);
  }

  private fail(lastError: Error, lastFailure: AttemptOutcome | undefined, throwHttpErrors: boolean): ServiceResponse {
    let error = lastError;
    if (lastFailure?.type === 'instanceFailure' && lastFailure.reason === 'status' && !throwHttpErrors) {
      return (lastFailure.error as UpstreamHttpError).response;
    }
    if (lastFailure !== undefined && !this.state.balancer.hasAvailable()) {
      // the call failed on every instance it could reach and none is left: the walkthrough's "all down"
      error = new NoHealthyInstancesError(this.name, { cause: error });
    }
    const fallback = this.options.fallback;
    if (!fallback) throw error;
    const value = fallback(error);
    this.events.emit('fallback', { service: this.name, error });
    return { statusCode: 200, headers: {}, body: '', instance: undefined, fallback: { value, error } };
  }

  /** One attempt on one endpoint; never rejects. */
  private attempt(endpoint: Endpoint, call: PreparedCall, timeoutMs: number, rescuable: boolean): Promise<AttemptOutcome> {
    const signal = new AttemptSignal();
    let abortedBy: 'timeout' | 'stall' | undefined;
    const startedAt = performance.now();
    const inFlight: InFlightAttempt = {
      startedAt,
      rescuable,
      rescue: () => {
        if (abortedBy !== undefined) return;
        abortedBy = 'stall';
        signal.abort(new RequestTimeoutError(this.name, Math.round(performance.now() - startedAt), endpoint.ref));
      },
    };
    const timer = setTimeout(() => {
      if (abortedBy !== undefined) return;
      abortedBy = 'timeout';
      signal.abort(new RequestTimeoutError(this.name, timeoutMs, endpoint.ref));
    }, timeoutMs);
    timer.unref();
    endpoint.outstanding.add(inFlight);
    this.state.outliers?.attemptStarted(endpoint);
    return this.transport
      .request({ origin: endpoint.instance.url, method: call.method, path: call.path, headers: call.headers, body: call.body, signal })
      .then(
        (response) => this.settle(endpoint, inFlight, timer, classifyResponse(this.name, response, endpoint.ref)),
        (error: unknown) =>
          this.settle(
            endpoint,
            inFlight,
            timer,
            classifyError(this.name, error, endpoint.ref, abortedBy, abortedBy === 'stall' ? Math.round(performance.now() - startedAt) : timeoutMs),
          ),
      );
  }

  private settle(endpoint: Endpoint, inFlight: InFlightAttempt, timer: NodeJS.Timeout, outcome: AttemptOutcome): AttemptOutcome {
    clearTimeout(timer);
    endpoint.outstanding.delete(inFlight);
    const endedAt = performance.now();
    const durationMs = endedAt - inFlight.startedAt;
    if (outcome.type === 'response' || outcome.type === 'callerError') endpoint.recordAnswer(inFlight.startedAt, durationMs);
    this.state.outliers?.attemptEnded(endpoint, outcome, endedAt);
    this.report(endpoint, outcome, durationMs);
    return outcome;
  }

  private report(endpoint: Endpoint, outcome: AttemptOutcome, durationMs: number): void {
    switch (outcome.type) {
      case 'response':
      case 'callerError':
        if (this.events.has('callSucceeded')) {
          this.events.emit('callSucceeded', {
            service: this.name,
            instance: eventInfo(this.name, endpoint),
            statusCode: outcome.response.statusCode,
            durationMs,
          });
        }
        return;
      case 'instanceFailure':
        if (outcome.reason === 'timeout') {
          this.events.emit('callTimedOut', {
            service: this.name,
            instance: eventInfo(this.name, endpoint),
            timeoutMs: (outcome.error as RequestTimeoutError).timeoutMs,
            durationMs,
          });
          return;
        }
        this.events.emit('callFailed', { service: this.name, instance: eventInfo(this.name, endpoint), error: outcome.error, durationMs });
        return;
      case 'notSent':
        this.events.emit('callFailed', { service: this.name, instance: eventInfo(this.name, endpoint), error: outcome.error, durationMs });
        return;
      case 'rejected':
        return;
    }
  }
}
