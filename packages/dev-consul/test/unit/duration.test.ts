import { describe, expect, it } from '@jest/globals';
import { formatGoDuration, parseGoDuration } from '../../src/duration.js';

describe('Go durations', () => {
  it('parses what time.ParseDuration accepts', () => {
    expect(parseGoDuration('10s')).toBe(10e9);
    expect(parseGoDuration('1m30s')).toBe(90e9);
    expect(parseGoDuration('1.5h')).toBe(5400e9);
    expect(parseGoDuration('500ms')).toBe(500e6);
    expect(parseGoDuration('2us')).toBe(2000);
    expect(parseGoDuration('3µs')).toBe(3000);
    expect(parseGoDuration('-5s')).toBe(-5e9);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('.5s')).toBe(5e8);
  });

  it('rejects with Go error texts', () => {
    expect(() => parseGoDuration('10x')).toThrow('time: unknown unit "x" in duration "10x"');
    expect(() => parseGoDuration('30')).toThrow('time: missing unit in duration "30"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
    expect(() => parseGoDuration('.s')).toThrow('time: invalid duration ".s"');
  });

  it('formats like Duration.String()', () => {
    expect(formatGoDuration(10e9)).toBe('10s');
    expect(formatGoDuration(90e9)).toBe('1m30s');
    expect(formatGoDuration(3600e9)).toBe('1h0m0s');
    expect(formatGoDuration(1.5e9)).toBe('1.5s');
    expect(formatGoDuration(500e6)).toBe('500ms');
    expect(formatGoDuration(1500)).toBe('1.5µs');
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(60e9)).toBe('1m0s');
  });
});
