import type { Database, Statement } from 'better-sqlite3';

export interface Message {
  id: number;
  from: string;
  to: string;
  timestamp: string;
  contents: string;
  flag: string | null;
  favorite: boolean;
}

export interface NewMessage {
  from: string;
  to: string;
  contents: string;
  flag?: string;
  timestamp?: string;
}

interface MessageRow {
  id: number;
  from_user: string;
  to_user: string;
  sent_at: string;
  contents: string;
  flag: string | null;
  favorite: number;
}

function toMessage(row: MessageRow): Message {
  return { id: row.id, from: row.from_user, to: row.to_user, timestamp: row.sent_at, contents: row.contents, flag: row.flag, favorite: row.favorite === 1 };
}

/** The messages table, through prepared statements only. */
export class MessagesStore {
  private readonly insertStatement: Statement;
  private readonly getStatement: Statement;
  private readonly deleteStatement: Statement;
  private readonly favoriteStatement: Statement;
  private readonly inboxStatement: Statement;

  constructor(db: Database) {
    this.insertStatement = db.prepare('INSERT INTO messages (from_user, to_user, sent_at, contents, flag) VALUES (?, ?, ?, ?, ?) RETURNING *');
    this.getStatement = db.prepare('SELECT * FROM messages WHERE id = ?');
    this.deleteStatement = db.prepare('DELETE FROM messages WHERE id = ?');
    this.favoriteStatement = db.prepare('UPDATE messages SET favorite = ? WHERE id = ? RETURNING *');
    this.inboxStatement = db.prepare('SELECT * FROM messages WHERE to_user = ? ORDER BY id DESC LIMIT ?');
  }

  send(message: NewMessage): Message {
    const timestamp = message.timestamp === undefined ? new Date().toISOString() : new Date(message.timestamp).toISOString();
    return toMessage(this.insertStatement.get(message.from, message.to, timestamp, message.contents, message.flag ?? null) as MessageRow);
  }

  get(id: number): Message | undefined {
    const row = this.getStatement.get(id) as MessageRow | undefined;
    return row && toMessage(row);
  }

  delete(id: number): boolean {
    return this.deleteStatement.run(id).changes > 0;
  }

  setFavorite(id: number, favorite: boolean): Message | undefined {
    const row = this.favoriteStatement.get(favorite ? 1 : 0, id) as MessageRow | undefined;
    return row && toMessage(row);
  }

  /** The newest messages sent to `username`. */
  inbox(username: string, limit: number): Message[] {
    return (this.inboxStatement.all(username, limit) as MessageRow[]).map(toMessage);
  }
}
