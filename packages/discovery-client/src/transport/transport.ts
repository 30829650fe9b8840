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
 * The HTTP layer under the service client. Implementations: `GotTransport` (default, keep-alive agent)
 * and `UndiciTransport` (one pool per instance origin). Network failures reject; statuses resolve.
 */
export interface Transport {
  readonly name: string;
  request(request: TransportRequest): Promise<TransportResponse>;
  /** Forget per-origin state (an instance left for good). */
  release?(origin: string): void;
  /** Close sockets and pools. */
  close(): Promise<void>;
}
