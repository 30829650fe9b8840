import type { Database, Statement } from 'better-sqlite3';

/** A post as stored and returned by `GET /posts/{id}`. */
export interface Post {
  id: number;
  title: string;
  text: string;
  community: string;
  url: string | null;
  username: string;
  createdAt: string;
}

/** What lists return: a post without its text and URL. */
export type PostSummary = Omit<Post, 'text' | 'url'>;

export interface NewPost {
  title: string;
  text?: string;
  community: string;
  url?: string;
  username: string;
}

interface PostRow {
  id: number;
  title: string;
  text: string;
  community: string;
  url: string | null;
  username: string;
  created_at: string;
}

type SummaryRow = Omit<PostRow, 'text' | 'url'>;

const SUMMARY_COLUMNS = 'id, title, community, username, created_at';

function toPost(row: PostRow): Post {
  return { id: row.id, title: row.title, text: row.text, community: row.community, url: row.url, username: row.username, createdAt: row.created_at };
}

function toSummary(row: SummaryRow): PostSummary {
  return { id: row.id, title: row.title, community: row.community, username: row.username, createdAt: row.created_at };
}

/** The posts table, through prepared statements only. */
export class PostsStore {
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

  create(post: NewPost): Post {
    const row = this.insertStatement.get(post.title, post.text ?? '', post.community, post.url ?? null, post.username, new Date().toISOString()) as PostRow;
    return toPost(row);
  }

  get(id: number): Post | undefined {
    const row = this.getStatement.get(id) as PostRow | undefined;
    return row && toPost(row);
  }

  delete(id: number): boolean {
    return this.deleteStatement.run(id).changes > 0;
  }

  /** The `limit` newest posts, in one community or overall. */
  recent(limit: number, community?: string): PostSummary[] {
    const rows = (community === undefined ? this.recentStatement.all(limit) : this.recentInCommunityStatement.all(community, limit)) as SummaryRow[];
    return rows.map(toSummary);
  }
}
