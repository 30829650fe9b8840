
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

/** A row of `messages` on either engine. */
export interface MessageRow {
  id: number;
  from_user: string;
  to_user: string;
  sent_at: string | Date;
  contents: string;
  flag: string | null;
  favorite: number | boolean;
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    from: row.from_user,
    to: row.to_user,
    timestamp: new Date(row.sent_at).toISOString(),
    contents: row.contents,
    flag: row.flag,
    favorite: row.favorite === 1 || row.favorite === true,
  };
}

/** When a message counts as sent: the given time in UTC, else now. */
export function sentAt(message: NewMessage): string {
  return message.timestamp === undefined ? new Date().toISOString() : new Date(message.timestamp).toISOString();
}

/** The messages of the messages service, the same on both engines. */
export interface MessagesStore {
  send(message: NewMessage): Promise<Message>;
  get(id: number): Promise<Message | undefined>;
  delete(id: number): Promise<boolean>;
  setFavorite(id: number, favorite: boolean): Promise<Message | undefined>;
  /** The newest messages sent to `username`, whatever the case it was written in. */
  inbox(username: string, limit: number): Promise<Message[]>;
}
