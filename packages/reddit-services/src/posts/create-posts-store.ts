import type { ServiceDatabase } from '../shared/database.js';
import { SqlitePostsStore } from './sqlite-posts-store.js';
import { PostgresPostsStore } from './postgres-posts-store.js';
import type { PostsStore } from './posts-store.js';

/** The posts store on the database's engine: SQLite or PostgreSQL. */
export function createPostsStore(database: ServiceDatabase): PostsStore {
  return database.engine === 'sqlite' ? new SqlitePostsStore(database.sqlite) : new PostgresPostsStore(database.pool);
}
