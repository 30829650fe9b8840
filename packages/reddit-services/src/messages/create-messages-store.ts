import type { ServiceDatabase } from '../shared/database.js';
import { SqliteMessagesStore } from './sqlite-messages-store.js';
import { PostgresMessagesStore } from './postgres-messages-store.js';
import type { MessagesStore } from './messages-store.js';

/** The messages store on the database's engine: SQLite or PostgreSQL. */
export function createMessagesStore(database: ServiceDatabase): MessagesStore {
  return database.engine === 'sqlite' ? new SqliteMessagesStore(database.sqlite) : new PostgresMessagesStore(database.pool);
}
