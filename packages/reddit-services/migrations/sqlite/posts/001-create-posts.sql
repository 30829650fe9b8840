-- Posts: the newest first, overall and per community (ids grow with time, one file shared by all instances).
CREATE TABLE posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 40000),
  community TEXT NOT NULL CHECK (length(community) BETWEEN 2 AND 32),
  url TEXT CHECK (url IS NULL OR length(url) <= 2048),
  username TEXT NOT NULL CHECK (length(username) BETWEEN 3 AND 32),
  created_at TEXT NOT NULL
) STRICT;

CREATE INDEX posts_by_community ON posts (community, id DESC);
