import type { Pool } from 'pg';
import { SUMMARY_COLUMNS, toPost, toSummary } from './posts-store.js';
import type { NewPost, Post, PostRow, PostSummary, PostsStore, SummaryRow } from './posts-store.js';

/** The posts table in PostgreSQL. */
export class PostgresPostsStore implements PostsStore {
  constructor(private readonly pool: Pool) {}

  async create(post: NewPost): Promise<Post> {
    const { rows } = await this.pool.query<PostRow>(
      'INSERT INTO posts (title, text, community, url, username, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [post.title, post.text ?? '', post.community, post.url ?? null, post.username, new Date().toISOString()],
    );
    return toPost(rows[0] as PostRow);
  }

  async get(id: number): Promise<Post | undefined> {
    const { rows } = await this.pool.query<PostRow>('SELECT * FROM posts WHERE id = $1', [id]);
    return rows[0] && toPost(rows[0]);
  }

  async delete(id: number): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM posts WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async recent(limit: number, community?: string): Promise<PostSummary[]> {
    const { rows } =
      community === undefined
        ? await this.pool.query<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM posts ORDER BY id DESC LIMIT $1`, [limit])
        : await this.pool.query<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM posts WHERE community = $1 ORDER BY id DESC LIMIT $2`, [community, limit]);
    return rows.map(toSummary);
  }
}
