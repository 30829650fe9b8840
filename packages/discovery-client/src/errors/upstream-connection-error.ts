import type { InstanceRef } from '../instance.js';
import { DiscoveryError } from './discovery-error.js';

/**
 * Node's codes of a failed TLS handshake or certificate check (`tls.connect()`: OpenSSL's verify errors such as
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `SELF_SIGNED_CERT_IN_CHAIN`, `ERR_TLS_CERT_ALTNAME_INVALID`, and the peer's
 * alerts, `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`).
 */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|CERT_|HOSTNAME_MISMATCH)/;

/**
 * The instance could not be reached or dropped the connection (ECONNREFUSED, ECONNRESET, ...), or the TLS
 * handshake with it failed (`tls: true`; message `TLS with <service> at <url> failed: <Node's reason> (<code>)`).
 * Retryable.
 */
export class UpstreamConnectionError extends DiscoveryError {
  readonly code = 'ERR_UPSTREAM_CONNECTION';
  readonly retryable = true;
  readonly service: string;
  readonly instance: InstanceRef;
  /** The system error code, e.g. `ECONNREFUSED`, when known. */
  readonly errno: string | undefined;
  /** The TLS handshake or the certificate check failed (the code is one of Node's TLS codes). */
  readonly tls: boolean;

  constructor(service: string, instance: InstanceRef, cause: unknown) {
    const errno = (cause as { code?: unknown } | null)?.code;
    const code = typeof errno === 'string' ? errno : undefined;
    const tls = code !== undefined && TLS_CODE.test(code);
    super(
      tls
        ? `TLS with ${service} at ${instance.url} failed: ${(cause as Error).message} (${code})`
        : `cannot reach ${service} at ${instance.url}${code ? ` (${code})` : ''}`,
      { cause },
    );
    this.service = service;
    this.instance = instance;
    this.errno = code;
    this.tls = tls;
  }
}

export function isUpstreamConnectionError(error: unknown): error is UpstreamConnectionError {
  return error instanceof UpstreamConnectionError;
}
