import type { ServiceDatabase } from '../shared/database.js';
import { SqliteUsersStore } from './sqlite-users-store.js';
import { PostgresUsersStore } from './postgres-users-store.js';
import type { UsersStore } from './users-store.js';

/** The users store on the database's engine: SQLite or PostgreSQL. */
export function createUsersStore(database: ServiceDatabase): UsersStore {
  return database.engine === 'sqlite' ? new SqliteUsersStore(database.sqlite) : new PostgresUsersStore(database.pool);
}
