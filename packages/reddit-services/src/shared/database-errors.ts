/**
 * What a database error means for the caller, the same on both engines:
 * - `busy`: a lock was held longer than the timeout, or PostgreSQL aborted a transaction to break a
 *   deadlock or serialization conflict; retrying later works (503 + Retry-After).
 * - `unavailable`: the database cannot be reached or has no free connection (503 + Retry-After).
 * - `conflict`: a constraint (unique, foreign key, check) refused the write (409).
 * - `invalid`: the value cannot be stored as text (PostgreSQL refuses NUL) (400).
 * `undefined` for anything else (a 500).
 *
 * Codes: SQLite extended result codes (https://www.sqlite.org/rescode.html), PostgreSQL SQLSTATE
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
export type DatabaseErrorKind = 'busy' | 'unavailable' | 'conflict' | 'invalid';

const POSTGRES_KINDS: Record<string, DatabaseErrorKind> = {
  '40001': 'busy', // serialization_failure
  '40P01': 'busy', // deadlock_detected
  '55P03': 'busy', // lock_not_available (lock_timeout)
  '57P01': 'unavailable', // admin_shutdown
  '57P03': 'unavailable', // cannot_connect_now
  '53300': 'unavailable', // too_many_connections
  '08000': 'unavailable',
  '08003': 'unavailable',
  '08006': 'unavailable',
  '23505': 'conflict', // unique_violation
  '23503': 'conflict', // foreign_key_violation
  '23514': 'conflict', // check_violation
  '22021': 'invalid', // character_not_in_repertoire (NUL)
  '22P05': 'invalid', // untranslatable_character
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

export function classifyDatabaseError(error: unknown): DatabaseErrorKind | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'string') {
    if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') return 'busy';
    if (code.startsWith('SQLITE_CONSTRAINT')) return 'conflict';
    const postgres = POSTGRES_KINDS[code];
    if (postgres) return postgres;
    if (NETWORK_CODES.has(code)) return 'unavailable';
  }
  // node-postgres: the pool had no free connection in time, or the connection ended under a query.
  if (/^timeout exceeded when trying to connect$|^Connection terminated/.test(message)) return 'unavailable';
  return undefined;
}
