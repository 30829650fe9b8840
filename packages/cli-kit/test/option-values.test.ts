import { describe, expect, it } from '@jest/globals';
import { readChoice, readNumber, readOption, UsageError } from '../src/index.js';

describe('readNumber', () => {
  it('returns the default when the option is absent, the number when it is in range', () => {
    expect(readNumber('--count', undefined, { default: 3, integer: true, min: 1, max: 99 })).toBe(3);
    expect(readNumber('--count', '7', { default: 3, integer: true, min: 1, max: 99 })).toBe(7);
    expect(readNumber('--rate', '0.5', { default: 100, above: 0 })).toBe(0.5);
  });

  it('names the option, the rule and the value it got', () => {
    expect(() => readNumber('--count', 'two', { default: 1, integer: true, min: 1, max: 999 })).toThrow(new UsageError('--count must be a whole number from 1 to 999, got "two"'));
    expect(() => readNumber('--count', '1.5', { default: 1, integer: true, min: 1, max: 999 })).toThrow('--count must be a whole number from 1 to 999, got "1.5"');
    expect(() => readNumber('--rate', '0', { default: 1, above: 0, max: 10 })).toThrow('--rate must be a number above 0 and at most 10, got "0"');
    expect(() => readNumber('--reps', '', { default: 1, integer: true, min: 1 })).toThrow('--reps must be a whole number >= 1, got ""');
  });
});

describe('readOption and readChoice', () => {
  it('converts with the given rule and turns its error into a UsageError', () => {
    const ms = (value: string): number => {
      if (!/^\d+ms$/.test(value)) throw new TypeError('not ms');
      return Number.parseInt(value, 10);
    };
    expect(readOption('--interval', undefined, '5ms', ms, 'a duration such as 500ms')).toBe(5);
    expect(() => readOption('--interval', 'soon', '5ms', ms, 'a duration such as 500ms')).toThrow(new UsageError('--interval must be a duration such as 500ms, got "soon"'));
  });

  it('accepts one of the choices only', () => {
    expect(readChoice('--database', undefined, ['sqlite', 'postgres'], 'sqlite')).toBe('sqlite');
    expect(() => readChoice('--database', 'mysql', ['sqlite', 'postgres'], 'sqlite')).toThrow('--database must be sqlite or postgres, got "mysql"');
  });
});
