import { ConflictError, NotFoundError } from '../shared/http-errors.js';

export interface User {
  username: string;
  email: string;
  karma: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A row of `users` on either engine (SQLite: 0/1 and ISO text; PostgreSQL: boolean and timestamptz). */
export interface UserRow {
  username: string;
  email: string;
  karma: number;
  active: number | boolean;
  created_at: string | Date;
  updated_at: string | Date;
}

export function toUser(row: UserRow): User {
  return {
    username: row.username,
    email: row.email,
    karma: row.karma,
    active: row.active === 1 || row.active === true,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The 409 for a username or email another user has (both compared regardless of case). */
export function takenError(field: 'username' | 'email', username: string, email: string): ConflictError {
  return new ConflictError(`${field} already taken`, { field, value: field === 'email' ? email : username });
}

/** 409 when the user exists but is deactivated, 404 when there is none. */
export function missingUserError(username: string, exists: boolean): ConflictError | NotFoundError {
  return exists ? new ConflictError(`user ${username} is deactivated`, { username }) : new NotFoundError(`user ${username} not found`);
}

/**
 * The users of the users service, the same on both engines. Usernames and emails are unique and
 * looked up regardless of case; a user keeps the spelling it was created with.
 */
export interface UsersStore {
  /** @throws ConflictError when the username or email is taken */
  create(username: string, email: string): Promise<User>;
  get(username: string): Promise<User | undefined>;
  /** @throws NotFoundError, ConflictError (deactivated, or the email is taken) */
  updateEmail(username: string, email: string): Promise<User>;
  /** Adds `delta` (negative to decrement) to an active user's karma in one statement. @throws NotFoundError, ConflictError */
  addKarma(username: string, delta: number): Promise<User>;
  /** Sets `active`; doing it twice is not an error. @throws NotFoundError */
  setActive(username: string, active: boolean): Promise<User>;
}
