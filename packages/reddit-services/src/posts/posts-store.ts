
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

/** A row of `posts` on either engine. */
export interface PostRow {
  id: number;
  title: string;
  text: string;
  community: string;
  url: string | null;
  username: string;
  created_at: string | Date;
}

export type SummaryRow = Omit<PostRow, 'text' | 'url'>;

export const SUMMARY_COLUMNS = 'id, title, community, username, created_at';

export function toPost(row: PostRow): Post {
  return { id: row.id, title: row.title, text: row.text, community: row.community, url: row.url, username: row.username, createdAt: new Date(row.created_at).toISOString() };
}

export function toSummary(row: SummaryRow): PostSummary {
  return { id: row.id, title: row.title, community: row.community, username: row.username, createdAt: new Date(row.created_at).toISOString() };
}

/** The posts of the posts service, the same on both engines. */
export interface PostsStore {
  create(post: NewPost): Promise<Post>;
  get(id: number): Promise<Post | undefined>;
  /** False when there was no such post. */
  delete(id: number): Promise<boolean>;
  /** The `limit` newest posts, in one community or overall. */
  recent(limit: number, community?: string): Promise<PostSummary[]>;
}
