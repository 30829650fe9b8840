import { Attempt, type PreparedCall } from './attempt/attempt.js';
import { callerStalls } from './attempt/caller-stall.js';
import type { AttemptOutcome } from './attempt/outcome.js';
import type { PickerSource } from './balancer/balancer.js';
import { CANCELLABLE_REQUEST, SignalCancel, type CallCancel } from './call-cancel.js';
import type { CompletePick } from './balancer/picker.js';
import type { EndpointView } from './breaker/endpoint.js';
import type { ClientLifecycle, PendingCall } from './client-lifecycle.js';
import { ClientClosedError } from './errors/client-closed-error.js';
import type { OverloadedError } from './errors/overloaded-error.js';
import type { RequestTimeoutError } from './errors/request-timeout-error.js';
import type { CallFailureReason, DiscoveryEvents, TypedEmitter } from './events.js';
import { show } from './options/checker.js';
import { checkCallOptions, checkRequestOptions, type RequestOptions, type ResponsePromise, type ShorthandOptions } from './request-options.js';
import type { ServiceResponse } from './response.js';
import type { SlotResult } from './balancer/balancer.js';
import { sleep } from './retry/backoff.js';
import { Hedging, type HedgeCounts, type HedgeHost } from './retry/hedging.js';
import { RetryBudget } from './retry/retry-budget.js';
import { decide, pickFailed, retryDelay, type CallState } from './retry/retry-decision.js';
import type { ResolvedServiceOptions } from './service-options.js';
import { createTracing, type CallTrace, type Tracing } from './tracing.js';
import type { HttpMethod, Transport } from './transport/transport.js';

export type { RequestOptions, ResponsePromise, ShorthandOptions };

function parseJson(response: ServiceResponse): unknown {
  if (response.fallback) return response.fallback.value;
  return response.body === '' ? undefined : JSON.parse(response.body);
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

const NO_OPTIONS: ShorthandOptions = Object.freeze({});

/** The request as every attempt of the call sends it (`options` checked already). */
function prepare(method: HttpMethod, path: string, call: ShorthandOptions, serviceHeaders: Readonly<Record<string, string>>): PreparedCall {
  let headers = serviceHeaders as Record<string, string>;
  if (call.headers !== undefined || call.json !== undefined) headers = { ...serviceHeaders, ...call.headers };
  let body: string | Buffer | undefined = call.body;
  if (call.json !== undefined) {
    body = JSON.stringify(call.json);
    headers['content-type'] ??= 'application/json';
  }
  if (call.searchParams) {
    const query = new URLSearchParams(Object.entries(call.searchParams).map(([k, v]): [string, string] => [k, String(v)])).toString();
    path += (path.includes('?') ? '&' : '?') + query;
  }
  return { method, path, headers, body };
}

/**
 * One call in progress: what the decision reads, and what the client adds for itself. A class, not an object
 * literal: V8 pretenures a literal's allocation site once its objects tend to outlive a scavenge (calls that
 * wait on the network do), and every later call's state would then be allocated in the old generation.
 */
class Call implements CallState, PendingCall {
  attempts = 0;
  failures = 0;
  requeues = 0;
  limitRejections = 0;
  /** It waited for a slot (the deadline's clock must be read again). */
  waited = false;
  tried: Set<string> | undefined = undefined;
  failedOn: Set<EndpointView> | undefined = undefined;
  lastError: Error | undefined = undefined;
  /** The attempt the next one retries: whose instance failed, and whether it is a requeue. */
  retryOf: { endpoint: EndpointView; requeued: boolean } | undefined = undefined;
  /** Hedging is on for the service, the method is safe and the call did not opt out. */
  hedgeable = false;
  /** An attempt (or a hedging race) is in flight. */
  inAttempt = false;
  /** The client is closing, or the call was cancelled: nothing more is sent for it (no retry, no hedge). */
  draining = false;
  /** The call was cancelled (its signal, or `close()`): it rejects with `reason`. */
  cancelled = false;
  reason: unknown = undefined;
  /** The latest attempt of the call loop, and the hedges of a race: what cancelling aborts. */
  attempt: Attempt | undefined = undefined;
  hedges: Attempt[] | undefined = undefined;
  /** Ends the wait the call is in (a list, a slot, a backoff), if any. */
  wake: (() => void) | undefined = undefined;
  /** The call's span when it is traced (an OpenTelemetry SDK is registered). */
  trace: CallTrace | undefined = undefined;

  constructor(
    readonly service: string,
    readonly method: string,
    readonly retryable: boolean,
    readonly throwHttpErrors: boolean,
    readonly deadlineAt: number,
    /** The call's deadline, ms (the call's `deadline` option, else the service's). */
    readonly deadlineMs: number,
    /** Per-attempt timeout, ms. */
    readonly timeoutMs: number,
  ) {}

  cancel(reason: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.draining = true;
    this.reason = reason;
    this.attempt?.cancel(reason);
    if (this.hedges) for (const hedge of this.hedges) hedge.cancel(reason);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Methods a stall rescue may duplicate while the first attempt may still be running (RFC 9110 "safe"). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Calls one service by name. Each call is a short loop: pick (the balancer's current picker snapshot) →
 * run one {@link Attempt} inside the pick's hooks (breaker, outlier detection) → decide (`retry/retry-decision.ts`:
 * return, requeue at once, retry on another instance, or fail), all within the call's deadline.
 */
export class ServiceClient {
  private readonly budget: RetryBudget | undefined;
  /** Undefined when hedging is off (the default): the call path never reaches `retry/hedging.ts`. */
  private readonly hedging: Hedging<Call> | undefined;
  /** Undefined without `@opentelemetry/api` installed: the call path then reads this field only. */
  private readonly tracing: Tracing | undefined;

  constructor(
    readonly name: string,
    private readonly balancer: PickerSource,
    readonly options: ResolvedServiceOptions,
    private readonly transport: Transport,
    private readonly events: TypedEmitter<DiscoveryEvents>,
    /** The calls pending on the `DiscoveryClient`, and whether it is closed. */
    private readonly lifecycle: ClientLifecycle,
    /** The service's hedge counts (its snapshot's), shared by its clients. */
    hedgeCounts?: HedgeCounts,
  ) {
    const { budget } = options.retry;
    this.budget = budget ? new RetryBudget(budget) : undefined;
    this.hedging = options.hedging && hedgeCounts ? new Hedging(options.hedging, balancer, this.budget, hedgeCounts, this.hedgeHost()) : undefined;
    this.tracing = createTracing(name);
    callerStalls.retain();
  }

  get(path: string, options?: ShorthandOptions): ResponsePromise {
    return this.call('GET', path, options);
  }

  post(path: string, options?: ShorthandOptions): ResponsePromise {
    return this.call('POST', path, options);
  }

  put(path: string, options?: ShorthandOptions): ResponsePromise {
    return this.call('PUT', path, options);
  }

  delete(path: string, options?: ShorthandOptions): ResponsePromise {
    return this.call('DELETE', path, options);
  }

  /**
   * Any call. Resolves with the response, or rejects with one of the library's typed errors; options that
   * are not valid reject with a `TypeError` naming the option. With `signal` (an `AbortSignal`), aborting it
   * rejects the call at once with the signal's `reason` (an `AbortError` DOMException by default, as `fetch`);
   * after the client's `close()`, a `ClientClosedError`.
   */
  request(options: RequestOptions): ResponsePromise {
    return this.checkedCall(options, undefined);
  }

  /**
   * `request()` for the fetch interceptor (call-cancel.ts): cancelled through `cancel`, its dispatch controller,
   * rather than `options.signal`. Internal: the symbol is not exported from the package.
   */
  [CANCELLABLE_REQUEST](options: RequestOptions, cancel: CallCancel): ResponsePromise {
    return this.checkedCall(options, cancel);
  }

  private checkedCall(options: RequestOptions, cancel: CallCancel | undefined): ResponsePromise {
    try {
      checkRequestOptions(options);
    } catch (error) {
      return this.respond(Promise.reject(error as Error));
    }
    return this.call((options.method ?? 'GET').toUpperCase() as HttpMethod, options.path, options, cancel);
  }

  private call(method: HttpMethod, path: string, options: ShorthandOptions | undefined, cancel?: CallCancel): ResponsePromise {
    if (options !== undefined) {
      try {
        if (options === null || typeof options !== 'object') throw new TypeError(`Expected request options to be an object, got ${show(options)}`);
        checkCallOptions(options as Record<string, unknown>);
      } catch (error) {
        return this.respond(Promise.reject(error as Error));
      }
    }
    const trace = this.tracing === undefined ? undefined : this.tracing.startCall(method);
    if (trace !== undefined) return this.respond(trace.around(this.execute(method, path, options ?? NO_OPTIONS, trace, cancel)));
    return this.respond(this.execute(method, path, options ?? NO_OPTIONS, undefined, cancel));
  }

  private respond(promise: Promise<ServiceResponse>): ResponsePromise {
    const response = promise as ResponsePromise;
    response.json = jsonOf;
    response.text = textOf;
    return response;
  }

  private async execute(
    method: HttpMethod,
    path: string,
    options: ShorthandOptions,
    trace: CallTrace | undefined,
    internalCancel: CallCancel | undefined,
  ): Promise<ServiceResponse> {
    // one way to cancel: the interceptor's hook, or the caller's signal behind the same interface
    const cancel = internalCancel ?? (options.signal === undefined ? undefined : new SignalCancel(options.signal));
    // an aborted signal: nothing is sent (fetch's rule)
    if (cancel?.aborted) throw cancel.reason;
    const lifecycle = this.lifecycle;
    if (lifecycle.closed) throw new ClientClosedError(this.name);
    const call = prepare(method, path, options, this.options.headers);
    const state = this.begin(options, method);
    if (trace !== undefined) {
      trace.path = call.path;
      state.trace = trace;
    }
    // a pending call keeps the process alive (client-lifecycle.ts): one ref'd handle for all of them
    const pending = lifecycle.pending;
    if (pending.size === 0) lifecycle.keepAlive.ref();
    pending.add(state);
    if (cancel !== undefined) cancel.oncancel = (reason) => state.cancel(reason);
    try {
      let slot: CompletePick | undefined;
      for (;;) {
        // a slot reserved for a call cancelled meanwhile is taken by an attempt that is cancelled before it is sent
        if (state.cancelled && slot === undefined) throw state.reason;
        let pick = slot ?? this.balancer.picker.pick(state.tried);
        slot = undefined;
        if (pick.type !== 'complete') {
          if (pick.type === 'queue' && (await this.awaitPicker(state))) continue;
          return this.fail(pickFailed(state, pick, state.deadlineMs));
        }
        if (state.retryOf !== undefined) {
          await this.beforeRetry(state, pick.endpoint);
          if (state.cancelled) throw state.reason;
        }
        const attempt = this.newAttempt(state, pick.endpoint);
        state.attempt = attempt;
        if (state.cancelled) attempt.cancel(state.reason);
        let outcome = pick.onCallStarted(attempt);
        if (outcome === undefined) {
          this.sending(state, pick.endpoint, attempt);
          state.inAttempt = true;
          if (state.hedgeable && state.failures === 0) {
            // the attempt, and the hedges it gets: the one that decides the call
            ({ pick, outcome } = await this.hedging!.race(state, pick, attempt, call));
          } else {
            outcome = await attempt.send(this.transport, call);
            const counted = pick.onCallEnded(attempt, outcome);
            this.report(pick.endpoint, outcome);
            if (counted) await counted;
          }
          state.inAttempt = false;
        }
        // an answer is the result: the one outcome that needs no decision
        if (outcome.type === 'response') return outcome.response;
        if (state.cancelled) throw state.reason;
        const step = decide(state, outcome, { retry: this.options.retry, listed: this.balancer.listed, usable: this.balancer.usable, now: Date.now(), budget: this.budget });
        if (step.type === 'return' || step.type === 'fail') {
          if (step.budgetExhausted) this.events.emit('retryBudgetExhausted', { service: this.name, instance: pick.endpoint.info, error: (outcome as { error: Error }).error });
          return step.type === 'return' ? step.response : this.fail(step.error);
        }
        if (step.type === 'throw') throw step.error;
        // the client is closing: the attempt in flight was let finish, nothing more is sent
        if (state.draining) throw new ClientClosedError(this.name, step.type === 'queue' ? undefined : { cause: step.error });
        if (step.type === 'queue') {
          const next = await this.waitForSlot(state);
          if (next === undefined) throw state.reason;
          if (next.type === 'shed') {
            if (state.cancelled) throw state.reason;
            return this.shed(next.error as OverloadedError);
          }
          state.limitRejections = 0;
          state.waited = true;
          slot = next;
          continue;
        }
        this.prepareRetry(state, pick.endpoint, step.error, outcome);
      }
    } finally {
      pending.delete(state);
      if (pending.size === 0) {
        lifecycle.keepAlive.unref();
        lifecycle.onIdle?.();
      }
      if (cancel !== undefined) cancel.oncancel = undefined;
    }
  }

  /**
   * Waits for a free slot (every usable instance refused the call at its limit); undefined when the call was
   * cancelled while it waited (it left the queue).
   */
  private waitForSlot(state: Call): Promise<SlotResult | undefined> {
    return new Promise((resolve) => {
      const waiting = this.balancer.waitForSlot(state.deadlineAt - Date.now(), state.tried, (leave) => {
        state.wake = () => {
          // not waiting any more: a slot or a shed is on its way, and the loop deals with it
          if (leave()) resolve(undefined);
        };
      });
      void waiting.then((result) => {
        state.wake = undefined;
        resolve(result);
      });
    });
  }

  /** Waits for `waiting`, or until the call is cancelled. */
  private until(state: Call, waiting: Promise<void>): Promise<void> {
    if (state.cancelled) return Promise.resolve();
    return new Promise((resolve) => {
      state.wake = resolve;
      void waiting.then(() => {
        state.wake = undefined;
        resolve();
      });
    });
  }

  private begin(options: ShorthandOptions, method: string): Call {
    if (this.budget) this.budget.pendingCalls++;
    const retryable = options.retryNonIdempotent === true || this.options.retry.methods.has(method);
    const deadlineMs = options.deadline ?? this.options.deadline;
    const call = new Call(this.name, method, retryable, options.throwHttpErrors ?? true, Date.now() + deadlineMs, deadlineMs, options.timeout ?? this.options.timeout);
    if (this.hedging !== undefined) call.hedgeable = options.hedging !== false && SAFE_METHODS.has(method);
    return call;
  }

  /** The call loop's steps as a hedging race takes them (built once, when hedging is on). */
  private hedgeHost(): HedgeHost<Call> {
    return {
      transport: this.transport,
      newAttempt: (state, endpoint) => {
        // a hedge: cancelling the call aborts it too
        const hedge = this.newAttempt(state, endpoint);
        (state.hedges ??= []).push(hedge);
        if (state.cancelled) hedge.cancel(state.reason);
        return hedge;
      },
      sending: (state, endpoint, attempt) => this.sending(state, endpoint, attempt),
      hedged: (_state, endpoint, of, delayMs, hedge) => {
        if (this.events.listening.callHedged) this.events.emit('callHedged', { service: this.name, instance: endpoint.info, of: of.info, delayMs, hedge });
      },
      ended: (pick, attempt, outcome) => {
        const counted = pick.onCallEnded(attempt, outcome);
        this.report(pick.endpoint, outcome);
        return counted;
      },
      failedMeanwhile: (state, endpoint, outcome) => this.prepareRetry(state, endpoint, (outcome as { error: Error }).error, outcome),
    };
  }

  /** No list yet: wait for the next picker within the deadline; false once the deadline has passed. */
  private async awaitPicker(state: Call): Promise<boolean> {
    const remaining = state.deadlineAt - Date.now();
    if (remaining <= 0) return false;
    await this.until(state, this.balancer.nextPicker(remaining));
    return true;
  }

  private prepareRetry(state: Call, endpoint: EndpointView, error: Error, outcome: AttemptOutcome): void {
    if (outcome.type === 'rejected' && outcome.reason === 'limit') {
      // busy, not broken: another instance in turn, nothing to report or avoid
      state.limitRejections++;
      return;
    }
    const requeued = outcome.verdict.next === 'requeue';
    state.lastError = error;
    (state.tried ??= new Set()).add(endpoint.instance.key);
    if (requeued) {
      state.requeues++;
    } else {
      state.failures++;
      (state.failedOn ??= new Set()).add(endpoint);
    }
    state.retryOf = { endpoint, requeued };
  }

  private async beforeRetry(state: Call, next: EndpointView): Promise<void> {
    const delayMs = retryDelay(state, next, this.options.retry, Date.now());
    const retryOf = state.retryOf!;
    state.retryOf = undefined;
    this.events.emit('callRetried', {
      service: this.name,
      instance: retryOf.endpoint.info,
      attempt: state.attempts + 1,
      delayMs,
      error: state.lastError!,
      requeued: retryOf.requeued,
    });
    if (delayMs > 0) await this.until(state, sleep(delayMs));
  }

  /** Every usable instance was at its concurrency limit and no slot freed in time: the call is shed. */
  private shed(error: OverloadedError): ServiceResponse {
    if (this.events.listening.callShed) this.events.emit('callShed', { service: this.name, reason: error.reason, queued: error.queued, limit: error.limit });
    return this.fail(error);
  }

  private newAttempt(state: Call, endpoint: EndpointView): Attempt {
    // the first attempt reuses the call's clock reading; later ones read it again
    const remaining = state.attempts === 0 && !state.waited ? state.deadlineMs : state.deadlineAt - Date.now();
    const timeoutMs = Math.max(1, Math.min(state.timeoutMs, remaining));
    // a rescue sends the attempt again while the first may still complete: only for safe methods (RFC 9110)
    const rescuable = state.retryable && state.failures < this.options.retry.limit && SAFE_METHODS.has(state.method);
    return new Attempt(this.name, endpoint.ref, timeoutMs, rescuable);
  }

  /** The pick admitted the attempt: it is sent. */
  private sending(state: Call, endpoint: EndpointView, attempt: Attempt): void {
    const number = ++state.attempts;
    if (state.trace !== undefined) attempt.trace = state.trace.attempt(endpoint.info, number);
    if (this.events.listening.instancePicked) this.events.emit('instancePicked', { service: this.name, instance: endpoint.info, attempt: number });
  }

  /** The call events of an attempt that was sent. */
  private report(endpoint: EndpointView, outcome: AttemptOutcome): void {
    const listening = this.events.listening;
    const { info: instance } = endpoint;
    const durationMs = outcome.durationMs;
    if (outcome.verdict.answered) {
      if (listening.callSucceeded) {
        this.events.emit('callSucceeded', { service: this.name, instance, statusCode: (outcome as { response: ServiceResponse }).response.statusCode, durationMs });
      }
    } else if (outcome.type === 'cancelled') {
      // the caller gave up or the client closed: not a failure of the instance, nothing to report
    } else if (outcome.type === 'instanceFailure' && outcome.reason === 'timeout') {
      if (listening.callTimedOut) this.events.emit('callTimedOut', { service: this.name, instance, timeoutMs: (outcome.error as RequestTimeoutError).timeoutMs, durationMs });
    } else if (listening.callFailed && (outcome.type === 'instanceFailure' || outcome.type === 'notSent')) {
      // a connection error, a 5xx, a stall rescue or an attempt not sent (`rejected` and `hedgeLost` never reach here)
      this.events.emit('callFailed', { service: this.name, instance, error: outcome.error, durationMs, reason: outcome.reason as CallFailureReason });
    }
  }

  /** The call failed for good: the fallback's value when there is a `fallback`, else the error. */
  private fail(error: Error): ServiceResponse {
    const fallback = this.options.fallback;
    if (!fallback) throw error;
    const value = fallback(error);
    this.events.emit('fallback', { service: this.name, error });
    return { statusCode: 200, headers: {}, body: '', instance: undefined, fallback: { value, error } };
  }

  /** Stops the retry and hedge budgets' clocks and the caller-stall watch (the client's `close()`). */
  close(): void {
    this.budget?.close();
    this.hedging?.close();
    callerStalls.release();
  }
}
