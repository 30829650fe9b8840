CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  from_user TEXT NOT NULL CHECK (length(from_user) BETWEEN 3 AND 32),
  to_user TEXT NOT NULL CHECK (length(to_user) BETWEEN 3 AND 32),
  sent_at TEXT NOT NULL,
  contents TEXT NOT NULL CHECK (length(contents) BETWEEN 1 AND 10000),
  flag TEXT CHECK (flag IS NULL OR length(flag) <= 32),
  favorite INTEGER NOT NULL DEFAULT 0 CHECK (favorite IN (0, 1))
) STRICT;

CREATE INDEX messages_by_recipient ON messages (to_user, id DESC);
