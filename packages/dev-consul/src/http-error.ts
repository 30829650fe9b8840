/**
 * An error that becomes an HTTP answer: Consul's `HTTPError{StatusCode, Reason}`. The body is the bare
 * message as `text/plain`, no JSON, no trailing newline.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code = 'ERR_DEV_CONSUL_HTTP';

  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 400 Bad Request. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

/** 404 Not Found. */
export function notFound(message: string): HttpError {
  return new HttpError(404, message);
}

/** 500 Internal Server Error: what Consul answers for any error that is not an `HTTPError`. */
export function internalError(message: string): HttpError {
  return new HttpError(500, message);
}
