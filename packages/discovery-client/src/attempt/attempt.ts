import { HedgeLostError } from '../errors/hedge-lost-error.js';
import { RequestTimeoutError } from '../errors/request-timeout-error.js';
import { UpstreamConnectionError } from '../errors/upstream-connection-error.js';
import { UpstreamHttpError } from '../errors/upstream-http-error.js';
import type { InstanceRef } from '../instance.js';
import type { InstanceResponse, TransportResponse } from '../response.js';
import { REUSED_SOCKET, type HttpMethod, type Transport, type TransportRequest, type TransportSignal } from '../transport/transport.js';
import { CALLER_STALL_MS, callerStalls } from './caller-stall.js';
import { VERDICTS, type AttemptOutcome } from './outcome.js';
import { retryAfterMs } from './retry-after.js';

type AbortListener = () => void;

const STALLED = Object.freeze({ stalled: true });

/**
 * Cancels one request: the library's {@link TransportSignal}. A minimal emitter of `'abort'`: creating one
 * per attempt costs a fraction of an AbortController plus its listener (measured 0.1 µs against 4.4 µs on
 * Node 20). `toAbortSignal()` links a standard AbortSignal for transports that need one (got, fetch).
 */
export class AttemptSignal implements TransportSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: (() => void) | null = null;
  private listeners: AbortListener[] | undefined = undefined;

  on(event: 'abort', listener: AbortListener): this {
    if (event === 'abort') {
      if (this.aborted) queueMicrotask(listener);
      else (this.listeners ??= []).push(listener);
    }
    return this;
  }

  /** `'abort'` fires at most once, so `once` is `on`. */
  once(event: 'abort', listener: AbortListener): this {
    return this.on(event, listener);
  }

  addListener(event: 'abort', listener: AbortListener): this {
    return this.on(event, listener);
  }

  removeListener(event: 'abort', listener: AbortListener): this {
    const listeners = this.listeners;
    if (event === 'abort' && listeners) {
      const index = listeners.indexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
    }
    return this;
  }

  off(event: 'abort', listener: AbortListener): this {
    return this.removeListener(event, listener);
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    const onabort = this.onabort;
    this.onabort = null;
    onabort?.();
    if (listeners) for (const listener of listeners) listener();
  }

  /** A standard AbortSignal that aborts with this one. */
  toAbortSignal(): AbortSignal {
    const controller = new AbortController();
    if (this.aborted) controller.abort(this.reason);
    else this.on('abort', () => controller.abort(this.reason));
    return controller.signal;
  }
}

/** How a status counts, the one rule for every answer the library reads (instances, probes, Consul). */
export type StatusClass = 'response' | 'callerError' | 'instanceFailure';

/** 5xx is the server's failure, 4xx the caller's, anything else an answer (RFC 9110 §15). */
export function classifyStatus(status: number): StatusClass {
  if (status >= 500) return 'instanceFailure';
  return status >= 400 ? 'callerError' : 'response';
}

const REFUSED_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** An attempt in flight as the policies see it (outlier detection's stall rule rescues it). */
export interface InFlightAttempt {
  /** `performance.now()` when it was sent. */
  readonly startedAt: number;
  /** The caller-stall clock (`callerStalls.stalledMs`) when it was sent: its age less the caller's stalls is `now − startedAt − (stalledMs − this)`. */
  readonly stalledAtStart: number;
  /** Whether aborting it lets the call go on elsewhere (a safe method, retries left). */
  readonly rescuable: boolean;
  /** Aborts the request; the attempt ends as an instance failure with reason `stall`. */
  rescue(): void;
  /** Whether it has ended (answered, failed or aborted). */
  readonly ended: boolean;
}

/**
 * What tracing adds to one attempt (`tracing.ts`, when an OpenTelemetry SDK is registered): headers for its
 * request (`traceparent`), and the end of its span, told the outcome.
 */
export interface AttemptTrace {
  readonly headers: Readonly<Record<string, string>>;
  ended(outcome: AttemptOutcome): void;
}

/** The request as every attempt of one call sends it. */
export interface PreparedCall {
  readonly method: HttpMethod;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | undefined;
}

/**
 * The request handed to the transport. A class, not an object literal: V8 pretenures a literal's allocation
 * site once its objects tend to outlive a scavenge (requests that wait on the network do), and an old-generation
 * request would then keep its attempt, and all the attempt refers to, alive through every scavenge.
 */
class OutgoingRequest implements TransportRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | undefined;

  constructor(
    readonly origin: string,
    call: PreparedCall,
    readonly signal: TransportSignal,
    readonly timeoutMs: number,
    trace: AttemptTrace | undefined,
  ) {
    this.method = call.method;
    this.path = call.path;
    // the call's headers are shared by its attempts; an attempt's own trace context needs a copy
    this.headers = trace === undefined ? call.headers : { ...call.headers, ...trace.headers };
    this.body = call.body;
  }
}

/**
 * One attempt on one instance: its own abort signal, its timeout (an unref'd timer that aborts the request),
 * and the one classification of what it came to ({@link AttemptOutcome}). `send()` never rejects.
 */
export class Attempt extends AttemptSignal implements InFlightAttempt {
  readonly startedAt = performance.now();
  readonly stalledAtStart = callerStalls.stalledMs;
  ended = false;
  /** Set by the instance's breaker when it admits the attempt: how the breaker learns the outcome. */
  settleBreaker: ((outcome: AttemptOutcome) => void) | undefined = undefined;
  /**
   * The caller's own event loop stalled for a tenth of the attempt or more (`caller-stall.ts`): its latency says
   * little of the instance's. Set when it ends.
   */
  inCallerStall = false;
  /** Set by the breaker with `settleBreaker`: resolves once the breaker has counted the outcome. */
  breakerSettled: Promise<void> | undefined = undefined;
  /** Set when the attempt is sent while a call is traced (`tracing.ts`): its span, told the outcome. */
  trace: AttemptTrace | undefined = undefined;
  private abortedBy: 'timeout' | 'stall' | 'hedgeLost' | 'cancelled' | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly service: string,
    readonly instance: InstanceRef,
    readonly timeoutMs: number,
    readonly rescuable: boolean,
  ) {
    super();
  }

  /** Sends the request to `instance.url` through `transport`; resolves with the classified outcome. */
  async send(transport: Transport, call: PreparedCall): Promise<AttemptOutcome> {
    // a closure, not setTimeout's extra argument: Node keeps that in an array literal, whose allocation site V8
    // pretenures under network waits; an old-generation array would keep this attempt alive through scavenges
    this.timer = setTimeout(() => this.timedOut(), this.timeoutMs);
    this.timer.unref();
    let response: TransportResponse;
    try {
      response = await transport.request(new OutgoingRequest(this.instance.url, call, this, this.timeoutMs, this.trace));
    } catch (error) {
      const failed = this.failed(error);
      if (this.trace !== undefined) this.trace.ended(failed);
      return failed;
    }
    const outcome = this.answered(response);
    if (this.trace !== undefined) this.trace.ended(outcome);
    return outcome;
  }

  /**
   * The timer fired. Late by a caller stall, it first lets the event loop read the sockets (`setImmediate`
   * runs after the poll phase): an answer that arrived during the stall wins over the timeout.
   */
  private timedOut(): void {
    const now = performance.now();
    const late = now - this.startedAt - this.timeoutMs;
    if (late >= CALLER_STALL_MS) {
      callerStalls.note(now - late, now);
      setImmediate(() => this.abortWith('timeout', this.timeoutMs));
      return;
    }
    this.abortWith('timeout', this.timeoutMs);
  }

  rescue(): void {
    this.abortWith('stall', Math.round(performance.now() - this.startedAt));
  }

  /**
   * Another attempt of the call answered first (hedging): aborts the request with a {@link HedgeLostError}; the
   * attempt ends as a `hedgeLost` outcome, which counts against nothing. No effect once it has ended or was aborted.
   */
  loseHedge(): void {
    if (this.abortedBy !== undefined || this.aborted || this.ended) return;
    this.abortedBy = 'hedgeLost';
    this.abort(new HedgeLostError(this.service, this.instance));
  }

  /**
   * The call was cancelled (its `signal` aborted with `reason`, or the client closed): aborts the request; the
   * attempt ends as a `cancelled` outcome with `reason` as its error, which counts against nothing. No effect
   * once it has ended or was aborted.
   */
  cancel(reason: unknown): void {
    if (this.abortedBy !== undefined || this.aborted || this.ended) return;
    this.abortedBy = 'cancelled';
    this.abort(reason);
  }

  /** Aborts the request with a {@link RequestTimeoutError} saying how long it ran or was allowed. */
  abortWith(by: 'timeout' | 'stall', ms: number): void {
    if (this.abortedBy !== undefined || this.aborted) return;
    this.abortedBy = by;
    this.abort(new RequestTimeoutError(this.service, ms, this.instance, by === 'stall' ? STALLED : undefined));
  }

  private answered(response: TransportResponse): AttemptOutcome {
    clearTimeout(this.timer);
    this.ended = true;
    const durationMs = performance.now() - this.startedAt;
    this.inCallerStall = (callerStalls.stalledMs - this.stalledAtStart) * 10 >= durationMs;
    const answer: InstanceResponse = { statusCode: response.statusCode, headers: response.headers, body: response.body, rawBody: response.rawBody, instance: this.instance };
    const status = response.statusCode;
    if (status === 429 || status === 503) {
      const retryAfter = retryAfterMs(response.headers['retry-after']);
      if (retryAfter !== undefined) {
        const error = new UpstreamHttpError(this.service, answer, { retryable: true });
        return { type: 'instanceFailure', verdict: VERDICTS.backpressure, durationMs, reason: 'backpressure', error, retryAfterMs: retryAfter };
      }
    }
    switch (classifyStatus(status)) {
      case 'instanceFailure': {
        const error = new UpstreamHttpError(this.service, answer, { retryable: VERDICTS.instanceFailure.next !== 'return' });
        return { type: 'instanceFailure', verdict: VERDICTS.instanceFailure, durationMs, reason: 'status', error };
      }
      case 'callerError':
        return { type: 'callerError', verdict: VERDICTS.callerError, durationMs, response: answer };
      case 'response':
        return { type: 'response', verdict: VERDICTS.response, durationMs, response: answer };
    }
  }

  private failed(error: unknown): AttemptOutcome {
    clearTimeout(this.timer);
    this.ended = true;
    const durationMs = performance.now() - this.startedAt;
    const stalledMs = callerStalls.stalledMs - this.stalledAtStart;
    this.inCallerStall = stalledMs * 10 >= durationMs;
    if (this.abortedBy === 'hedgeLost') return { type: 'hedgeLost', verdict: VERDICTS.hedgeLost, durationMs, error: this.reason as HedgeLostError };
    if (this.abortedBy === 'cancelled') return { type: 'cancelled', verdict: VERDICTS.cancelled, durationMs, error: this.reason };
    if (this.abortedBy !== undefined) {
      // the library aborted it: the abort reason is the error (whatever the transport rejected with). A late
      // timer let the sockets be read first, so an answer that had arrived won already; a timeout the caller's
      // own stalls outlasted may still be its doing (a request written only after the stall): retried, not counted
      const verdict = this.abortedBy === 'timeout' && stalledMs >= this.timeoutMs ? VERDICTS.timeoutInCallerStall : VERDICTS.instanceFailure;
      return { type: 'instanceFailure', verdict, durationMs, reason: this.abortedBy, error: this.reason as RequestTimeoutError };
    }
    const code = (error as { code?: unknown } | null)?.code;
    const wrapped = new UpstreamConnectionError(this.service, this.instance, error);
    if (typeof code === 'string') {
      if (REFUSED_CODES.has(code)) return { type: 'notSent', verdict: VERDICTS.refused, durationMs, reason: 'refused', error: wrapped };
      if (RESET_CODES.has(code) && (error as { [REUSED_SOCKET]?: boolean })[REUSED_SOCKET] === true) {
        return { type: 'notSent', verdict: VERDICTS.resetReusedSocket, durationMs, reason: 'reset-reused-socket', error: wrapped };
      }
    }
    return { type: 'instanceFailure', verdict: VERDICTS.instanceFailure, durationMs, reason: 'connection', error: wrapped };
  }
}
