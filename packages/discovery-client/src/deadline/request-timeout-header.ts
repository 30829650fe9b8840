import { BadRequestTimeoutError } from '../errors/bad-request-timeout-error.js';

/**
 * The wire format of deadline propagation, both sides: the request header that tells a server how long its
 * caller will still wait for this attempt.
 *
 * Modelled on gRPC's `grpc-timeout` (PROTOCOL-HTTP2.md: a relative timeout of at most 8 digits, so no clock
 * has to agree with another) and Envoy's `x-envoy-expected-rq-timeout-ms` (whole milliseconds, set on the
 * request to the upstream so it can give up early). One unit only, milliseconds, as Envoy's header.
 */

/**
 * `x-request-timeout-ms: <ms>`: how long the caller will still wait for this attempt, in whole milliseconds,
 * relative to when the server reads it. The library sends it on every attempt (the attempt's own timeout:
 * `min(timeout, the call's remaining deadline)`).
 */
export const REQUEST_TIMEOUT_HEADER = 'x-request-timeout-ms';

/** The largest value the header carries, ms (8 digits, as gRPC's TimeoutValue; about 27.8 hours). */
export const MAX_REQUEST_TIMEOUT_MS = 99_999_999;

/** 1 to 8 ASCII digits; `0` means "no time left". */
const VALUE = /^[0-9]{1,8}$/;

/**
 * The header's value for `ms`: whole milliseconds, rounded down (the server never believes it has more time
 * than the caller gives), at most {@link MAX_REQUEST_TIMEOUT_MS}, at least 0.
 */
export function formatRequestTimeout(ms: number): string {
  if (!(ms > 0)) return '0';
  return String(ms >= MAX_REQUEST_TIMEOUT_MS ? MAX_REQUEST_TIMEOUT_MS : Math.floor(ms));
}

/**
 * The header's value as node:http hands it over (`req.headers['x-request-timeout-ms']`): the milliseconds, or
 * `undefined` when the header is absent. Surrounding blanks are allowed (HTTP's optional whitespace).
 * @throws BadRequestTimeoutError for anything else: a sign, a fraction, a unit, more than 8 digits, an empty
 *   value, or the header twice (node:http joins repeats with ", "). grpc-js refuses a malformed `grpc-timeout`
 *   too rather than run without a deadline.
 */
export function parseRequestTimeout(value: string | readonly string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : value.join(', ');
  if (!VALUE.test(text)) throw new BadRequestTimeoutError(REQUEST_TIMEOUT_HEADER, text);
  return Number(text);
}

/** Whether `name` is {@link REQUEST_TIMEOUT_HEADER} in any letter case. */
export function isRequestTimeoutHeader(name: string): boolean {
  return name.length === REQUEST_TIMEOUT_HEADER.length && name.toLowerCase() === REQUEST_TIMEOUT_HEADER;
}

/**
 * The request's headers as a flat `[name, value, ...]` list (undici's form) with {@link REQUEST_TIMEOUT_HEADER}
 * last, set to the attempt's `timeoutMs`; a value the caller set under that name in any case is kept when
 * it is smaller (a malformed one is replaced). `headers` is read, never changed: it is shared by every attempt.
 */
export function headersWithRequestTimeout(headers: Readonly<Record<string, string>>, timeoutMs: number): string[] {
  const list: string[] = [];
  let ms = timeoutMs;
  for (const name in headers) {
    const value = headers[name]!;
    if (isRequestTimeoutHeader(name)) {
      ms = Math.min(ms, callerRequestTimeout(value));
      continue;
    }
    list.push(name, value);
  }
  list.push(REQUEST_TIMEOUT_HEADER, formatRequestTimeout(ms));
  return list;
}

/** A caller-set header's milliseconds; Infinity (ours wins) when it is malformed. */
function callerRequestTimeout(value: string): number {
  try {
    return parseRequestTimeout(value) ?? Infinity;
  } catch {
    return Infinity;
  }
}
