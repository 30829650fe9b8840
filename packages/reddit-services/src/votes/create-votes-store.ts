import type { ServiceDatabase } from '../shared/database.js';
import { SqliteVotesStore } from './sqlite-votes-store.js';
import { PostgresVotesStore } from './postgres-votes-store.js';
import type { VotesStore } from './votes-store.js';

/** The votes store on the database's engine: SQLite or PostgreSQL. */
export function createVotesStore(database: ServiceDatabase): VotesStore {
  return database.engine === 'sqlite' ? new SqliteVotesStore(database.sqlite) : new PostgresVotesStore(database.pool);
}
