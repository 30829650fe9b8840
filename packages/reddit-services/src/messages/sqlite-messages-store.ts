import type { Database, Statement } from 'better-sqlite3';
import { sentAt, toMessage } from './messages-store.js';
import type { Message, MessageRow, MessagesStore, NewMessage } from './messages-store.js';

/** The messages table in SQLite, through prepared statements only. */
export class SqliteMessagesStore implements MessagesStore {
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
    this.inboxStatement = db.prepare('SELECT * FROM messages WHERE to_user = ? COLLATE NOCASE ORDER BY id DESC LIMIT ?');
  }

  async send(message: NewMessage): Promise<Message> {
    return toMessage(this.insertStatement.get(message.from, message.to, sentAt(message), message.contents, message.flag ?? null) as MessageRow);
  }

  async get(id: number): Promise<Message | undefined> {
    const row = this.getStatement.get(id) as MessageRow | undefined;
    return row && toMessage(row);
  }

  async delete(id: number): Promise<boolean> {
    return this.deleteStatement.run(id).changes > 0;
  }

  async setFavorite(id: number, favorite: boolean): Promise<Message | undefined> {
    const row = this.favoriteStatement.get(favorite ? 1 : 0, id) as MessageRow | undefined;
    return row && toMessage(row);
  }

  async inbox(username: string, limit: number): Promise<Message[]> {
    return (this.inboxStatement.all(username, limit) as MessageRow[]).map(toMessage);
  }
}
