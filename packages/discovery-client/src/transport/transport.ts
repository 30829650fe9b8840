import type { InstanceRef } from '../instance.js';
import type { AttemptSignal } from './attempt-signal.js';

/** HTTP methods the service client sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

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
   * Fires `'abort'` when the attempt times out: the transport must then abort the HTTP request itself
   * (the socket), not only reject. `signal.toAbortSignal()` gives a standard AbortSignal.
   */
  signal: AttemptSignal;
}

/** What a transport hands back: every status is a value here, never an exception. */
export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A response as the caller sees it. */
export interface ServiceResponse extends TransportResponse {
  /** The instance that answered; undefined when the value came from `fallback`. */
  instance: InstanceRef | undefined;
  /** Set when `fallback(error)` produced this response. */
  fallback?: { value: unknown; error: Error };
}

/**
 * The HTTP layer under the service client. Implementations: `UndiciTransport` (default, one pool per
 * instance origin) and `GotTransport` (keep-alive agent). Network failures reject with the error's `code`
 * (`ECONNREFUSED`, `ECONNRESET`...); statuses resolve. A transport that knows a failed request went out on
 * a reused keep-alive socket and got no response byte sets `error[Symbol.for('discovery-client.reusedSocket')]
 * = true`: the client then resends it at once (Node's documented idle-socket race) instead of counting a failure.
 */
export interface Transport {
  readonly name: string;
  request(request: TransportRequest): Promise<TransportResponse>;
  /** Forget per-origin state (an instance left for good). */
  release?(origin: string): void;
  /** Close sockets and pools. */
  close(): Promise<void>;
}
