import type { Pool } from 'pg';
import { sentAt, toMessage } from './messages-store.js';
import type { Message, MessageRow, MessagesStore, NewMessage } from './messages-store.js';

/** The messages table in PostgreSQL. */
export class PostgresMessagesStore implements MessagesStore {
  constructor(private readonly pool: Pool) {}

  async send(message: NewMessage): Promise<Message> {
    const { rows } = await this.pool.query<MessageRow>(
      'INSERT INTO messages (from_user, to_user, sent_at, contents, flag) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [message.from, message.to, sentAt(message), message.contents, message.flag ?? null],
    );
    return toMessage(rows[0] as MessageRow);
  }

  async get(id: number): Promise<Message | undefined> {
    const { rows } = await this.pool.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [id]);
    return rows[0] && toMessage(rows[0]);
  }

  async delete(id: number): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM messages WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async setFavorite(id: number, favorite: boolean): Promise<Message | undefined> {
    const { rows } = await this.pool.query<MessageRow>('UPDATE messages SET favorite = $1 WHERE id = $2 RETURNING *', [favorite, id]);
    return rows[0] && toMessage(rows[0]);
  }

  async inbox(username: string, limit: number): Promise<Message[]> {
    const { rows } = await this.pool.query<MessageRow>('SELECT * FROM messages WHERE lower(to_user) = lower($1) ORDER BY id DESC LIMIT $2', [username, limit]);
    return rows.map(toMessage);
  }
}
