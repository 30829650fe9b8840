import type { InstanceRef } from './instance.js';

/** What a transport hands back: every status is a value here, never an exception. */
export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /**
   * The body's bytes as they came (not decoded, a byte-order mark kept), when the transport keeps them (undici
   * does; got does not): what the fetch dispatcher hands to `Response`.
   */
  rawBody?: Buffer | undefined;
}

/** A response as the caller sees it. */
export interface ServiceResponse extends TransportResponse {
  /** The instance that answered; undefined when the value came from `fallback`. */
  instance: InstanceRef | undefined;
  /** Set when `fallback(error)` produced this response. */
  fallback?: { value: unknown; error: Error };
}

/** A response some instance gave (never a fallback's). */
export type InstanceResponse = ServiceResponse & { instance: InstanceRef };
