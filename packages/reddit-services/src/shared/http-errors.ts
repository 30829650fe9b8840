/**
 * Errors a handler throws to answer with a 4xx. The error middleware turns them into
 * `{ "error": message, "details": details }` with their status; anything else becomes a 500
 * without a stack trace.
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** 400: the request is malformed (wrong types, missing or unknown fields, bad ids, bad JSON). */
export class BadRequestError extends HttpError {
  override readonly name = 'BadRequestError';
  constructor(message: string, details?: unknown) {
    super(400, 'BAD_REQUEST', message, details);
  }
}

/** 404: the object does not exist in this service. */
export class NotFoundError extends HttpError {
  override readonly name = 'NotFoundError';
  constructor(message: string, details?: unknown) {
    super(404, 'NOT_FOUND', message, details);
  }
}

/** 405: the path exists but not with this method; `details.allow` lists those it has (the `Allow` header too). */
export class MethodNotAllowedError extends HttpError {
  override readonly name = 'MethodNotAllowedError';
  constructor(method: string, path: string, allow: string[]) {
    super(405, 'METHOD_NOT_ALLOWED', `method ${method} not allowed for ${path}`, { allow });
  }
}

/** 409: the request conflicts with stored data (duplicate username, deactivated user, ...). */
export class ConflictError extends HttpError {
  override readonly name = 'ConflictError';
  constructor(message: string, details?: unknown) {
    super(409, 'CONFLICT', message, details);
  }
}

/** 503: this instance sheds load or a dependency is unavailable. */
export class ServiceUnavailableError extends HttpError {
  override readonly name = 'ServiceUnavailableError';
  constructor(message: string, details?: unknown) {
    super(503, 'UNAVAILABLE', message, details);
  }
}
