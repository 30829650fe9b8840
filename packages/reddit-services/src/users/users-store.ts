import type { Database, Statement } from 'better-sqlite3';
import { ConflictError, NotFoundError } from '../shared/http-errors.js';

export interface User {
  username: string;
  email: string;
  karma: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

interface UserRow {
  username: string;
  email: string;
  karma: number;
  active: number;
  created_at: string;
  updated_at: string;
}

function toUser(row: UserRow): User {
  return { username: row.username, email: row.email, karma: row.karma, active: row.active === 1, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Translates a UNIQUE violation into a 409 naming the field. */
function uniqueConflict(error: unknown, username: string, email: string): never {
  const sqlite = error as { code?: unknown; message?: unknown };
  if (sqlite.code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof sqlite.message === 'string') {
    const field = sqlite.message.includes('users.email') ? 'email' : 'username';
    throw new ConflictError(`${field} already taken`, { field, value: field === 'email' ? email : username });
  }
  throw error;
}

/** The users table, through prepared statements only. */
export class UsersStore {
  private readonly insertStatement: Statement;
  private readonly getStatement: Statement;
  private readonly updateEmailStatement: Statement;
  private readonly karmaStatement: Statement;
  private readonly deactivateStatement: Statement;

  constructor(db: Database) {
    this.insertStatement = db.prepare(
      'INSERT INTO users (username, email, karma, active, created_at, updated_at) VALUES (?, ?, 0, 1, ?, ?) RETURNING *',
    );
    this.getStatement = db.prepare('SELECT * FROM users WHERE username = ?');
    this.updateEmailStatement = db.prepare('UPDATE users SET email = ?, updated_at = ? WHERE username = ? AND active = 1 RETURNING *');
    this.karmaStatement = db.prepare('UPDATE users SET karma = karma + ?, updated_at = ? WHERE username = ? AND active = 1 RETURNING *');
    this.deactivateStatement = db.prepare('UPDATE users SET active = 0, updated_at = ? WHERE username = ? RETURNING *');
  }

  create(username: string, email: string): User {
    const now = new Date().toISOString();
    try {
      return toUser(this.insertStatement.get(username, email, now, now) as UserRow);
    } catch (error) {
      uniqueConflict(error, username, email);
    }
  }

  get(username: string): User | undefined {
    const row = this.getStatement.get(username) as UserRow | undefined;
    return row && toUser(row);
  }

  updateEmail(username: string, email: string): User {
    let row: UserRow | undefined;
    try {
      row = this.updateEmailStatement.get(email, new Date().toISOString(), username) as UserRow | undefined;
    } catch (error) {
      uniqueConflict(error, username, email);
    }
    return row ? toUser(row) : this.explainMissing(username);
  }

  /** Adds `delta` (negative to decrement) to an active user's karma in one statement. */
  addKarma(username: string, delta: number): User {
    const row = this.karmaStatement.get(delta, new Date().toISOString(), username) as UserRow | undefined;
    return row ? toUser(row) : this.explainMissing(username);
  }

  /** Deactivating twice is not an error. */
  deactivate(username: string): User {
    const row = this.deactivateStatement.get(new Date().toISOString(), username) as UserRow | undefined;
    if (!row) throw new NotFoundError(`user ${username} not found`);
    return toUser(row);
  }

  private explainMissing(username: string): never {
    if (this.get(username)) throw new ConflictError(`user ${username} is deactivated`, { username });
    throw new NotFoundError(`user ${username} not found`);
  }
}
