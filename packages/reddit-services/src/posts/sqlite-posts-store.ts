import type { Database, Statement } from 'better-sqlite3';
import { SUMMARY_COLUMNS, toPost, toSummary } from './posts-store.js';
import type { NewPost, Post, PostRow, PostSummary, PostsStore, SummaryRow } from './posts-store.js';

/** The posts table in SQLite, through prepared statements only. */
export class SqlitePostsStore implements PostsStore {
  private readonly insertStatement: Statement;
  private readonly getStatement: Statement;
  private readonly deleteStatement: Statement;
  private readonly recentStatement: Statement;
  private readonly recentInCommunityStatement: Statement;

  constructor(db: Database) {
    this.insertStatement = db.prepare(
      'INSERT INTO posts (title, text, community, url, username, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
    );
    this.getStatement = db.prepare('SELECT * FROM posts WHERE id = ?');
    this.deleteStatement = db.prepare('DELETE FROM posts WHERE id = ?');
    this.recentStatement = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM posts ORDER BY id DESC LIMIT ?`);
    this.recentInCommunityStatement = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM posts WHERE community = ? ORDER BY id DESC LIMIT ?`);
  }

  async create(post: NewPost): Promise<Post> {
    const row = this.insertStatement.get(post.title, post.text ?? '', post.community, post.url ?? null, post.username, new Date().toISOString()) as PostRow;
    return toPost(row);
  }

  async get(id: number): Promise<Post | undefined> {
    const row = this.getStatement.get(id) as PostRow | undefined;
    return row && toPost(row);
  }

  async delete(id: number): Promise<boolean> {
    return this.deleteStatement.run(id).changes > 0;
  }

  async recent(limit: number, community?: string): Promise<PostSummary[]> {
    const rows = (community === undefined ? this.recentStatement.all(limit) : this.recentInCommunityStatement.all(community, limit)) as SummaryRow[];
    return rows.map(toSummary);
  }
}
