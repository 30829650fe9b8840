import type { Pool } from 'pg';
import { NotFoundError } from '../shared/http-errors.js';
import { missingUserError, takenError, toUser } from './users-store.js';
import type { User, UserRow, UsersStore } from './users-store.js';

/** Translates a unique violation (SQLSTATE 23505) into a 409 naming the field. */
function uniqueConflict(error: unknown, username: string, email: string): never {
  const postgres = error as { code?: unknown; constraint?: unknown };
  if (postgres.code === '23505') throw takenError(postgres.constraint === 'users_email_key' ? 'email' : 'username', username, email);
  throw error;
}

/** The users table in PostgreSQL (unique indexes on `lower(username)` and `lower(email)`). */
export class PostgresUsersStore implements UsersStore {
  constructor(private readonly pool: Pool) {}

  async create(username: string, email: string): Promise<User> {
    const now = new Date().toISOString();
    try {
      const { rows } = await this.pool.query<UserRow>(
        'INSERT INTO users (username, email, karma, active, created_at, updated_at) VALUES ($1, $2, 0, true, $3, $3) RETURNING *',
        [username, email, now],
      );
      return toUser(rows[0] as UserRow);
    } catch (error) {
      uniqueConflict(error, username, email);
    }
  }

  async get(username: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users WHERE lower(username) = lower($1)', [username]);
    return rows[0] && toUser(rows[0]);
  }

  async updateEmail(username: string, email: string): Promise<User> {
    let row: UserRow | undefined;
    try {
      const result = await this.pool.query<UserRow>(
        'UPDATE users SET email = $1, updated_at = $2 WHERE lower(username) = lower($3) AND active RETURNING *',
        [email, new Date().toISOString(), username],
      );
      row = result.rows[0];
    } catch (error) {
      uniqueConflict(error, username, email);
    }
    if (row) return toUser(row);
    throw missingUserError(username, (await this.get(username)) !== undefined);
  }

  async addKarma(username: string, delta: number): Promise<User> {
    const { rows } = await this.pool.query<UserRow>(
      'UPDATE users SET karma = karma + $1, updated_at = $2 WHERE lower(username) = lower($3) AND active RETURNING *',
      [delta, new Date().toISOString(), username],
    );
    if (rows[0]) return toUser(rows[0]);
    throw missingUserError(username, (await this.get(username)) !== undefined);
  }

  async setActive(username: string, active: boolean): Promise<User> {
    const { rows } = await this.pool.query<UserRow>(
      'UPDATE users SET active = $1, updated_at = $2 WHERE lower(username) = lower($3) RETURNING *',
      [active, new Date().toISOString(), username],
    );
    if (!rows[0]) throw new NotFoundError(`user ${username} not found`);
    return toUser(rows[0]);
  }
}
