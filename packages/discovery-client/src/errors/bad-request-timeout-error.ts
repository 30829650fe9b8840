/**
 * A request arrived with a deadline header that is not 1 to 8 digits (`deadline/request-timeout-header.ts`).
 * A `TypeError`, as every bad input the library refuses; the deadline guard answers it with a 400.
 */
export class BadRequestTimeoutError extends TypeError {
  readonly code = 'ERR_BAD_REQUEST_TIMEOUT';
  /** The value received (at most its first 40 characters in the message). */
  readonly value: string;

  constructor(header: string, value: string) {
    super(`Expected the ${header} header to be 1 to 8 digits (whole milliseconds), got ${JSON.stringify(value.slice(0, 40))}`);
    this.name = 'BadRequestTimeoutError';
    this.value = value;
  }
}

export function isBadRequestTimeoutError(error: unknown): error is BadRequestTimeoutError {
  return error instanceof BadRequestTimeoutError;
}
