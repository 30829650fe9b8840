import { BadRequestError } from './http-errors.js';

/** One field of a request body or query string. */
export type FieldSpec =
  | { type: 'string'; required?: boolean; minLength?: number; maxLength: number; pattern?: RegExp; hint?: string; format?: 'email' | 'url' | 'date-time' }
  | { type: 'integer'; required?: boolean; minimum: number; maximum: number }
  | { type: 'boolean'; required?: boolean }
  | { type: 'enum'; required?: boolean; values: readonly string[] };

export type FieldSpecs = Record<string, FieldSpec>;

/** One problem found in the input, reported in `details`. */
export interface FieldProblem {
  field: string;
  problem: string;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
export const COMMUNITY_PATTERN = /^[A-Za-z0-9_]{2,32}$/;
const ID_PATTERN = /^[1-9][0-9]{0,15}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function checkField(name: string, spec: FieldSpec, value: unknown, problems: FieldProblem[]): unknown {
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') {
        problems.push({ field: name, problem: `must be a string, got ${describe(value)}` });
        return undefined;
      }
      const min = spec.minLength ?? 1;
      if (value.includes('\u0000')) problems.push({ field: name, problem: 'must not contain NUL characters' });
      else if (value.length < min) problems.push({ field: name, problem: `must be at least ${min} characters` });
      else if (value.length > spec.maxLength) problems.push({ field: name, problem: `must be at most ${spec.maxLength} characters` });
      else if (spec.pattern && !spec.pattern.test(value)) problems.push({ field: name, problem: spec.hint ?? `must match ${spec.pattern.source}` });
      else if (spec.format === 'email' && !EMAIL_PATTERN.test(value)) problems.push({ field: name, problem: 'must be an email address' });
      else if (spec.format === 'url' && !isHttpUrl(value)) problems.push({ field: name, problem: 'must be an http or https URL' });
      else if (spec.format === 'date-time' && !(DATE_TIME_PATTERN.test(value) && Number.isFinite(Date.parse(value)))) {
        problems.push({ field: name, problem: 'must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z' });
      }
      return value;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        problems.push({ field: name, problem: `must be an integer, got ${describe(value)}` });
      } else if (value < spec.minimum || value > spec.maximum) {
        problems.push({ field: name, problem: `must be between ${spec.minimum} and ${spec.maximum}` });
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push({ field: name, problem: `must be a boolean, got ${describe(value)}` });
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        problems.push({ field: name, problem: `must be one of ${spec.values.join(', ')}` });
      }
      return value;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Checks a parsed JSON body against `specs`: it must be an object, every required field present
 * with the right type and size, and no field that `specs` does not name. Throws a 400 listing
 * every problem at once.
 */
export function validateBody<T>(body: unknown, specs: FieldSpecs): T {
  if (body === undefined) {
    throw new BadRequestError('request body must be a JSON object sent with Content-Type: application/json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError(`request body must be a JSON object, got ${describe(body)}`);
  }
  const problems: FieldProblem[] = [];
  const input = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(specs, key)) problems.push({ field: key, problem: 'unknown field' });
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = input[name];
    if (value === undefined) {
      if (spec.required) problems.push({ field: name, problem: 'is required' });
      continue;
    }
    out[name] = checkField(name, spec, value, problems);
  }
  if (problems.length > 0) throw new BadRequestError('invalid request body', problems);
  return out as T;
}

/** Query-string parameters: strings only (integers parsed from decimal), unknown names rejected. */
export function validateQuery<T>(query: unknown, specs: FieldSpecs): T {
  const input = (query ?? {}) as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(specs, key)) problems.push({ field: key, problem: 'unknown query parameter' });
  }
  for (const [name, spec] of Object.entries(specs)) {
    const raw = input[name];
    if (raw === undefined) {
      if (spec.required) problems.push({ field: name, problem: 'is required' });
      continue;
    }
    if (typeof raw !== 'string') {
      problems.push({ field: name, problem: 'must be given once' });
      continue;
    }
    if (spec.type === 'integer') {
      if (!/^-?\d{1,16}$/.test(raw)) {
        problems.push({ field: name, problem: `must be an integer, got "${raw.slice(0, 40)}"` });
        continue;
      }
      out[name] = checkField(name, spec, Number(raw), problems);
    } else {
      out[name] = checkField(name, spec, raw, problems);
    }
  }
  if (problems.length > 0) throw new BadRequestError('invalid query string', problems);
  return out as T;
}

/** A numeric id from the path: a positive decimal integer without sign or leading zero. */
export function parseId(raw: string | undefined, what = 'id'): number {
  if (raw === undefined || !ID_PATTERN.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new BadRequestError(`${what} must be a positive integer`, [{ field: what, problem: `got "${String(raw).slice(0, 40)}"` }]);
  }
  return Number(raw);
}

/** A username from the path. */
export function parseUsername(raw: string | undefined): string {
  if (raw === undefined || !USERNAME_PATTERN.test(raw)) {
    throw new BadRequestError('username must be 3 to 32 letters, digits, "_" or "-"', [
      { field: 'username', problem: `got "${String(raw).slice(0, 40)}"` },
    ]);
  }
  return raw;
}

/** A list size `n` from the query string. */
export const DEFAULT_LIST_SIZE = 25;
export const MAX_LIST_SIZE = 100;
export const LIST_SIZE: FieldSpec = { type: 'integer', minimum: 1, maximum: MAX_LIST_SIZE };
