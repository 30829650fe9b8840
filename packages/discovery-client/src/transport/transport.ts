import type { TransportResponse } from '../response.js';

export type { ServiceResponse, TransportResponse } from '../response.js';

/** HTTP methods the service client sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * Cancels one request: fires `'abort'` once (the `on`/`once`/`removeListener` surface undici accepts as a
 * `signal`); `toAbortSignal()` links a standard AbortSignal for transports that need one (got, fetch).
 * The library's implementation is `AttemptSignal`.
 */
export interface TransportSignal {
  readonly aborted: boolean;
  /**
   * What aborted it: a `RequestTimeoutError` (timeout, stall), a `HedgeLostError`, or the reason the call was
   * cancelled with (its signal's `reason`, or a `ClientClosedError`). An attempt whose signal is aborted before
   * `request()` is called must send nothing.
   */
  readonly reason: unknown;
  /**
   * Called once when it aborts, as the DOM's `AbortSignal.onabort`: the one listener of the transport that
   * owns the request, set by assignment (the built-in transports use it; `on`/`once` add more listeners).
   */
  onabort: (() => void) | null;
  on(event: 'abort', listener: () => void): unknown;
  once(event: 'abort', listener: () => void): unknown;
  addListener(event: 'abort', listener: () => void): unknown;
  removeListener(event: 'abort', listener: () => void): unknown;
  off(event: 'abort', listener: () => void): unknown;
  toAbortSignal(): AbortSignal;
}

/** One HTTP attempt against one instance. */
export interface TransportRequest {
  /** Instance base URL, e.g. `http://127.0.0.1:8001`. */
  origin: string;
  method: HttpMethod;
  /** Path with query string, starting with `/`. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  /**
   * Fires `'abort'` when the attempt times out or is rescued: the transport must then abort the HTTP
   * request itself (the socket), not only reject.
   */
  signal: TransportSignal;
  /**
   * How long the caller waits for this attempt, ms: the attempt's own timeout, `min(timeout, the call's
   * remaining deadline)`. A transport sends it as the `x-request-timeout-ms` header (deadline propagation,
   * `deadline/request-timeout-header.ts`), keeping a smaller value the caller set under that name. Absent
   * (a probe, a request made outside a call): no header.
   */
  timeoutMs?: number | undefined;
}

/**
 * Set by a transport on an error of a request that went out on a reused keep-alive socket and got no
 * response byte (`error[REUSED_SOCKET] = true`): the client then resends it at once instead of counting a
 * failure (Node's documented idle-socket race).
 */
export const REUSED_SOCKET = Symbol.for('discovery-client.reusedSocket');

/**
 * The HTTP layer under the service client. Implementations: `UndiciTransport` (default, one pool per
 * instance origin) and `GotTransport` (keep-alive agent). Network failures reject with the error's `code`
 * (`ECONNREFUSED`, `ECONNRESET`...); statuses resolve. A transport that knows a failed request went out on
 * a reused keep-alive socket and got no response byte marks the error with {@link REUSED_SOCKET}.
 */
export interface Transport {
  readonly name: string;
  request(request: TransportRequest): Promise<TransportResponse>;
  /** Forget per-origin state (an instance left for good). */
  release?(origin: string): void;
  /** Close sockets and pools. */
  close(): Promise<void>;
}
