import { bad, checkNumber, checkObject, checkStringRecord, HTTP_METHODS, show } from './options/checker.js';
import type { ServiceResponse } from './response.js';
import type { HttpMethod } from './transport/transport.js';

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
  /** Reject non-2xx answers with `UpstreamHttpError`; with `false` every answer resolves. @default true */
  throwHttpErrors?: boolean;
  /** Per-attempt timeout for this call, ms. @default the service's `timeout` */
  timeout?: number;
  /**
   * Deadline of this call, retries and backoff included, ms; replaces the service's `deadline` for this call.
   * Deadline propagation: a handler passes the time its own caller still waits, `{ deadline: remainingTime(req) }`,
   * so every attempt's `x-request-timeout-ms` says no more than that. `0` (no time left): one attempt with the
   * shortest timeout, 1 ms, then `RequestTimeoutError`.
   * @default the service's `deadline`
   */
  deadline?: number;
  /** Retry this call even if its method is not in `retry.methods` (e.g. an idempotent POST). @default false */
  retryNonIdempotent?: boolean;
  /** `false`: no hedge for this call although the service hedges (`hedging` service option). @default the service's */
  hedging?: false;
  /**
   * Cancels the call (the DOM's `AbortSignal`, as `fetch` takes it): the attempt in flight is aborted (its
   * socket closed), nothing more is tried, and the call rejects with the signal's `reason` (an `AbortError`
   * `DOMException` by default). A cancelled attempt counts against no instance.
   */
  signal?: AbortSignal;
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

const REQUEST_KEYS = ['method', 'path', 'searchParams', 'json', 'body', 'headers', 'throwHttpErrors', 'timeout', 'deadline', 'retryNonIdempotent', 'hedging', 'signal'] as const;

/** Checks one call's options: a few comparisons when they are fine. @throws TypeError naming the option. */
export function checkRequestOptions(call: unknown): asserts call is RequestOptions {
  if (call === null || typeof call !== 'object') throw new TypeError(`Expected request options to be an object, got ${show(call)}`);
  const c = call as Record<string, unknown>;
  if (typeof c.path !== 'string' || !c.path.startsWith('/')) throw new TypeError(`Expected \`path\` to be a string starting with "/", got ${show(c.path)}`);
  if (c.method !== undefined && (typeof c.method !== 'string' || !HTTP_METHODS.has(c.method.toUpperCase()))) throw bad('method', 'an HTTP method', c.method);
  checkCallOptions(c);
}

/** The options beside method and path (those of the shorthands). */
export function checkCallOptions(c: Record<string, unknown>): void {
  for (const key in c) {
    if (!(REQUEST_KEYS as readonly string[]).includes(key)) throw new TypeError(`Unknown request option \`${key}\` (known: ${REQUEST_KEYS.join(', ')})`);
  }
  if (c.timeout !== undefined) checkNumber('timeout', c.timeout, 1);
  if (c.deadline !== undefined) checkNumber('deadline', c.deadline, 0);
  if (c.throwHttpErrors !== undefined && typeof c.throwHttpErrors !== 'boolean') throw bad('throwHttpErrors', 'a boolean', c.throwHttpErrors);
  if (c.retryNonIdempotent !== undefined && typeof c.retryNonIdempotent !== 'boolean') throw bad('retryNonIdempotent', 'a boolean', c.retryNonIdempotent);
  if (c.hedging !== undefined && c.hedging !== false) throw bad('hedging', 'false (a call may only opt out)', c.hedging);
  if (c.headers !== undefined) checkStringRecord('headers', c.headers);
  if (c.body !== undefined && typeof c.body !== 'string' && !Buffer.isBuffer(c.body)) throw bad('body', 'a string or a Buffer', c.body);
  if (c.searchParams !== undefined) checkObject('searchParams', c.searchParams);
  if (c.signal !== undefined && !(c.signal instanceof AbortSignal)) throw bad('signal', 'an AbortSignal', c.signal);
}
