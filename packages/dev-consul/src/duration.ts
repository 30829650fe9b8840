/**
 * Go `time.Duration` parsing and formatting. Consul reads durations in request bodies and query
 * strings with `time.ParseDuration` and prints them with `Duration.String()`, so we do the same,
 * error texts included. Values are nanoseconds held in a JS number (exact up to ~104 days).
 */

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Nanoseconds per millisecond. */
export const NS_PER_MS = 1e6;

/** Error thrown by {@link parseGoDuration}, carrying Go's exact message. */
export class DurationParseError extends Error {
  override readonly name = 'DurationParseError';
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses a Go duration string (`"10s"`, `"1m30s"`, `"-1.5h"`, `"0"`) into nanoseconds.
 * @throws DurationParseError with Go's message, e.g. `time: unknown unit "x" in duration "10x"`.
 */
export function parseGoDuration(input: string): number {
  const orig = input;
  let s = input;
  let neg = false;
  if (s !== '') {
    const c = s[0];
    if (c === '-' || c === '+') {
      neg = c === '-';
      s = s.slice(1);
    }
  }
  if (s === '0') return 0;
  if (s === '') throw new DurationParseError(`time: invalid duration ${quote(orig)}`);
  let total = 0;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw new DurationParseError(`time: invalid duration ${quote(orig)}`);
    let i = 0;
    while (isDigit(s[i])) i++;
    const intPart = s.slice(0, i);
    s = s.slice(i);
    let fracPart = '';
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (isDigit(s[j])) j++;
      fracPart = s.slice(0, j);
      post = j > 0;
      s = s.slice(j);
    }
    if (intPart === '' && !post) throw new DurationParseError(`time: invalid duration ${quote(orig)}`);
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    if (k === 0) throw new DurationParseError(`time: missing unit in duration ${quote(orig)}`);
    const unitName = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[unitName];
    if (unit === undefined) {
      throw new DurationParseError(`time: unknown unit ${quote(unitName)} in duration ${quote(orig)}`);
    }
    const value = Number(intPart === '' ? '0' : intPart) * unit + (fracPart === '' ? 0 : Number(`0.${fracPart}`) * unit);
    total += value;
    if (total > 9.223372036854775e18) throw new DurationParseError(`time: invalid duration ${quote(orig)}`);
  }
  total = Math.round(total);
  return neg ? -total : total;
}

function trimFraction(whole: bigint, frac: bigint, digits: number): string {
  if (frac === 0n) return whole.toString();
  const f = frac.toString().padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${f}`;
}

/** Formats nanoseconds the way Go's `time.Duration.String()` does (`"10s"`, `"1m30s"`, `"1h0m0s"`, `"500ms"`). */
export function formatGoDuration(nanoseconds: number): string {
  let ns = BigInt(Math.round(nanoseconds));
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${trimFraction(ns / 1_000n, ns % 1_000n, 3)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${trimFraction(ns / 1_000_000n, ns % 1_000_000n, 6)}ms`;
  const totalSeconds = ns / 1_000_000_000n;
  const fracNs = ns % 1_000_000_000n;
  const h = totalSeconds / 3600n;
  const m = (totalSeconds % 3600n) / 60n;
  const sec = totalSeconds % 60n;
  const secText = `${trimFraction(sec, fracNs, 9)}s`;
  if (h > 0n) return `${sign}${h}h${m}m${secText}`;
  if (m > 0n) return `${sign}${m}m${secText}`;
  return `${sign}${secText}`;
}
