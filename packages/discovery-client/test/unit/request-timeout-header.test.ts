import { describe, expect, it } from '@jest/globals';
import { isRequestTimeoutHeader } from '../../src/deadline/request-timeout-header.js';
import {
  BadRequestTimeoutError,
  formatRequestTimeout,
  headersWithRequestTimeout,
  MAX_REQUEST_TIMEOUT_MS,
  parseRequestTimeout,
  REQUEST_TIMEOUT_HEADER,
} from '../../src/index.js';

describe('the x-request-timeout-ms header', () => {
  it('formats whole milliseconds, rounded down, from 0 to 8 digits', () => {
    expect(REQUEST_TIMEOUT_HEADER).toBe('x-request-timeout-ms');
    expect(formatRequestTimeout(1000)).toBe('1000');
    expect(formatRequestTimeout(999.9)).toBe('999');
    expect(formatRequestTimeout(1)).toBe('1');
    expect(formatRequestTimeout(0.4)).toBe('0');
    expect(formatRequestTimeout(-20)).toBe('0');
    expect(formatRequestTimeout(Number.NaN)).toBe('0');
    expect(formatRequestTimeout(MAX_REQUEST_TIMEOUT_MS + 1)).toBe('99999999');
    expect(formatRequestTimeout(Infinity)).toBe('99999999');
  });

  it('parses what it formats, blanks around the value allowed; absent is undefined', () => {
    expect(parseRequestTimeout('250')).toBe(250);
    expect(parseRequestTimeout(' 0 ')).toBe(0);
    expect(parseRequestTimeout('00000042')).toBe(42);
    expect(parseRequestTimeout('99999999')).toBe(MAX_REQUEST_TIMEOUT_MS);
    expect(parseRequestTimeout(undefined)).toBeUndefined();
    for (const ms of [0, 1, 37, 1000, 86_400_000]) expect(parseRequestTimeout(formatRequestTimeout(ms))).toBe(ms);
  });

  it.each(['-5', '1.5', '1e3', '250ms', '5S', '', ' ', 'abc', '123456789', '0x10', '+5', '1 000', '100, 200'])(
    'refuses %j with a BadRequestTimeoutError naming the header',
    (value) => {
      let error: unknown;
      try {
        parseRequestTimeout(value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BadRequestTimeoutError);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as BadRequestTimeoutError).code).toBe('ERR_BAD_REQUEST_TIMEOUT');
      expect((error as Error).message).toMatch(/^Expected the x-request-timeout-ms header to be 1 to 8 digits/);
    },
  );

  it('refuses the header given twice (node:http hands repeats of an unknown header as one joined value, or a list)', () => {
    expect(() => parseRequestTimeout(['100', '200'])).toThrow(BadRequestTimeoutError);
  });

  it('tells the header by name in any letter case', () => {
    expect(isRequestTimeoutHeader('X-Request-Timeout-Ms')).toBe(true);
    expect(isRequestTimeoutHeader('x-request-timeout-ms')).toBe(true);
    expect(isRequestTimeoutHeader('x-request-timeout')).toBe(false);
    expect(isRequestTimeoutHeader('x-request-timeout-mz')).toBe(false);
  });

  describe('the headers an attempt sends', () => {
    it('are the call headers with the attempt timeout last, the shared object left as it was', () => {
      const shared = Object.freeze({ accept: 'application/json', 'x-request-id': 'r1' });
      expect(headersWithRequestTimeout(shared, 750)).toEqual(['accept', 'application/json', 'x-request-id', 'r1', 'x-request-timeout-ms', '750']);
      expect(headersWithRequestTimeout({}, 1000)).toEqual(['x-request-timeout-ms', '1000']);
      expect(shared).toEqual({ accept: 'application/json', 'x-request-id': 'r1' });
    });

    it('keep a smaller value the caller set under the name in any case, once, in lower case', () => {
      expect(headersWithRequestTimeout({ 'X-Request-Timeout-Ms': '300' }, 1000)).toEqual(['x-request-timeout-ms', '300']);
      expect(headersWithRequestTimeout({ 'x-request-timeout-ms': '0' }, 1000)).toEqual(['x-request-timeout-ms', '0']);
    });

    it('replace a larger or malformed value the caller set', () => {
      expect(headersWithRequestTimeout({ 'x-request-timeout-ms': '5000' }, 1000)).toEqual(['x-request-timeout-ms', '1000']);
      expect(headersWithRequestTimeout({ 'X-REQUEST-TIMEOUT-MS': '-1' }, 1000)).toEqual(['x-request-timeout-ms', '1000']);
      expect(headersWithRequestTimeout({ 'x-request-timeout-ms': 'soon' }, 1000)).toEqual(['x-request-timeout-ms', '1000']);
    });
  });
});
