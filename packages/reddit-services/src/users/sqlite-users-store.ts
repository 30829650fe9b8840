import type { Database, Statement } from 'better-sqlite3';
import { NotFoundError } from '../shared/http-errors.js';
import { missingUserError, takenError, toUser } from './users-store.js';
import type { User, UserRow, UsersStore } from './users-store.js';

/** Translates a UNIQUE violation into a 409 naming the field. */
function uniqueConflict(error: unknown, username: string, email: string): never {
  const sqlite = error as { code?: unknown; message?: unknown };
  if (sqlite.code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof sqlite.message === 'string') {
    throw takenError(sqlite.message.includes('users.email') ? 'email' : 'username', username, email);
  }
  throw error;
}

/** The users table in SQLite (`COLLATE NOCASE` columns), through prepared statements only. */
export class SqliteUsersStore implements UsersStore {
  private readonly insertStatement: Statement;
  private readonly getStatement: Statement;
  private readonly updateEmailStatement: Statement;
  private readonly karmaStatement: Statement;
  private readonly activeStatement: Statement;

  constructor(db: Database) {
    this.insertStatement = db.prepare(
      'INSERT INTO users (username, email, karma, active, created_at, updated_at) VALUES (?, ?, 0, 1, ?, ?) RETURNING *',
    );
    this.getStatement = db.prepare('SELECT * FROM users WHERE username = ?');
    this.updateEmailStatement = db.prepare('UPDATE users SET email = ?, updated_at = ? WHERE username = ? AND active = 1 RETURNING *');
    this.karmaStatement = db.prepare('UPDATE users SET karma = karma + ?, updated_at = ? WHERE username = ? AND active = 1 RETURNING *');
    this.activeStatement = db.prepare('UPDATE users SET active = ?, updated_at = ? WHERE username = ? RETURNING *');
  }

  async create(username: string, email: string): Promise<User> {
    const now = new Date().toISOString();
    try {
      return toUser(this.insertStatement.get(username, email, now, now) as UserRow);
    } catch (error) {
      uniqueConflict(error, username, email);
    }
  }

  async get(username: string): Promise<User | undefined> {
    const row = this.getStatement.get(username) as UserRow | undefined;
    return row && toUser(row);
  }

  async updateEmail(username: string, email: string): Promise<User> {
    let row: UserRow | undefined;
    try {
      row = this.updateEmailStatement.get(email, new Date().toISOString(), username) as UserRow | undefined;
    } catch (error) {
      uniqueConflict(error, username, email);
    }
    if (row) return toUser(row);
    throw missingUserError(username, (await this.get(username)) !== undefined);
  }

  async addKarma(username: string, delta: number): Promise<User> {
    const row = this.karmaStatement.get(delta, new Date().toISOString(), username) as UserRow | undefined;
    if (row) return toUser(row);
    throw missingUserError(username, (await this.get(username)) !== undefined);
  }

  async setActive(username: string, active: boolean): Promise<User> {
    const row = this.activeStatement.get(active ? 1 : 0, new Date().toISOString(), username) as UserRow | undefined;
    if (!row) throw new NotFoundError(`user ${username} not found`);
    return toUser(row);
  }
}
