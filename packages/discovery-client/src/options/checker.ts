/**
 * The one option checker every layer's options use: each check names the option it rejects
 * (`Expected \`retry.limit\` to be a finite number >= 0, got -1`) and throws a `TypeError`.
 */

/** HTTP methods the library sends (RFC 9110 methods, without CONNECT and TRACE). */
export const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A value as an error message shows it. */
export function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `Expected \`option\` to be <expected>, got <value>`. */
export function bad(option: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${option}\` to be ${expected}, got ${show(value)}`);
}

/** A number >= `min` (finite unless `allowInfinity`). */
export function checkNumber(option: string, value: unknown, min: number, allowInfinity = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (!allowInfinity && !Number.isFinite(value))) {
    throw bad(option, `a ${allowInfinity ? '' : 'finite '}number >= ${min}`, value);
  }
  return value;
}

/** An integer >= `min`. */
export function checkInteger(option: string, value: unknown, min: number): number {
  const number = checkNumber(option, value, min);
  if (!Number.isInteger(number)) throw bad(option, `an integer >= ${min}`, number);
  return number;
}

/** A number from `min` to `max`. */
export function checkRange(option: string, value: unknown, min: number, max: number): number {
  const number = checkNumber(option, value, min);
  if (number > max) throw bad(option, `a number from ${min} to ${max}`, number);
  return number;
}

/**
 * `value` is undefined or a plain object whose keys are all in `known` (a misspelt option is an error, not
 * ignored). `option` is the object's own name (`retry`), or `options` for the top level.
 */
export function checkObject(option: string, value: unknown, known?: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(option, 'an object', value);
  if (!known) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`Unknown option \`${option === 'options' ? key : `${option}.${key}`}\` (known: ${known.join(', ')})`);
    }
  }
}

/** An object of strings (headers, meta), copied; undefined stays undefined. */
export function checkStringRecord(option: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  checkObject(option, value);
  for (const [key, v] of Object.entries(value as object)) {
    if (typeof v !== 'string') throw bad(`${option}.${key}`, 'a string', v);
  }
  return { ...(value as Record<string, string>) };
}

/** A boolean, or `fallback` when undefined. */
export function checkBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw bad(option, 'a boolean', value);
  return value;
}
