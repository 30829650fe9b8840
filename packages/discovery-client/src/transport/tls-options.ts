import { createHash } from 'node:crypto';
import { bad, checkBoolean, checkObject } from '../options/checker.js';

/**
 * TLS to the instances of one service (those whose scheme is `https`: an `https://` static URL, or a Consul
 * instance with meta `scheme: https` or tag `scheme=https`). The fields are Node's `tls.connect()` options of
 * the same names, handed to undici's connector (`buildConnector`) and to got's `https.Agent` alike.
 *
 * @example
 * discovery.service('inventory', { tls: { ca: readFileSync('ca.pem'), cert: readFileSync('client.pem'), key: readFileSync('client-key.pem') } });
 */
export interface TlsOptions {
  /**
   * PEM CA certificate(s) the instances' certificates must chain to (replaces Node's bundled CAs).
   * @default Node's bundled CAs (`tls.rootCertificates`)
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * PEM client certificate chain, for instances that require mutual TLS; needs `key`.
   * @default undefined (no client certificate)
   */
  cert?: string | Buffer;
  /**
   * PEM private key of `cert`.
   * @default undefined
   */
  key?: string | Buffer;
  /**
   * Server name sent in SNI and checked against the instance's certificate (Consul registers addresses,
   * seldom the names certificates carry).
   * @default the instance's address when it is a host name; none for an IP address
   */
  servername?: string;
  /**
   * Verify the instance's certificate against `ca` and the server name. `false` is for experiments only.
   * @default true
   */
  rejectUnauthorized?: boolean;
}

/** {@link TlsOptions} checked and copied (`rejectUnauthorized` filled in). */
export interface ResolvedTlsOptions {
  readonly ca?: string | Buffer | Array<string | Buffer>;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
}

const TLS_KEYS = ['ca', 'cert', 'key', 'servername', 'rejectUnauthorized'] as const;

function isPem(value: unknown): value is string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

/** Checks the `tls` option. @throws TypeError naming the field (`tls.cert`, ...). */
export function resolveTlsOptions(input: unknown): ResolvedTlsOptions | undefined {
  if (input === undefined) return undefined;
  checkObject('tls', input, TLS_KEYS);
  const tls = input as TlsOptions;
  if (tls.ca !== undefined && !isPem(tls.ca) && !(Array.isArray(tls.ca) && tls.ca.every(isPem))) {
    throw bad('tls.ca', 'a PEM string or Buffer, or an array of them', tls.ca);
  }
  if (tls.cert !== undefined && !isPem(tls.cert)) throw bad('tls.cert', 'a PEM string or Buffer', tls.cert);
  if (tls.key !== undefined && !isPem(tls.key)) throw bad('tls.key', 'a PEM string or Buffer', tls.key);
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new TypeError(`Expected \`tls.cert\` and \`tls.key\` together (a client certificate needs its key), got only \`tls.${tls.cert === undefined ? 'key' : 'cert'}\``);
  }
  if (tls.servername !== undefined && (typeof tls.servername !== 'string' || tls.servername === '')) {
    throw bad('tls.servername', 'a non-empty string', tls.servername);
  }
  return Object.freeze({
    ...(tls.ca === undefined ? {} : { ca: Array.isArray(tls.ca) ? [...tls.ca] : tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    rejectUnauthorized: checkBoolean('tls.rejectUnauthorized', tls.rejectUnauthorized, true),
  });
}

/** A short digest of the options: services with equal TLS options share a transport (and its pools). */
export function tlsOptionsKey(tls: ResolvedTlsOptions | undefined): string {
  if (tls === undefined) return '';
  const text = (v: string | Buffer | Array<string | Buffer> | undefined): unknown =>
    v === undefined ? null : Array.isArray(v) ? v.map((x) => x.toString()) : v.toString();
  return createHash('sha256')
    .update(JSON.stringify([text(tls.ca), text(tls.cert), text(tls.key), tls.servername ?? null, tls.rejectUnauthorized]))
    .digest('base64url')
    .slice(0, 16);
}
