-- One row per post that has been voted on, with its counts kept by triggers on `votes`.
CREATE TABLE post_scores (
  post_id INTEGER PRIMARY KEY,
  community TEXT NOT NULL,
  up INTEGER NOT NULL DEFAULT 0 CHECK (up >= 0),
  down INTEGER NOT NULL DEFAULT 0 CHECK (down >= 0),
  score INTEGER GENERATED ALWAYS AS (up - down) STORED
) STRICT;

CREATE INDEX post_scores_by_score ON post_scores (score DESC, post_id DESC);
CREATE INDEX post_scores_by_community ON post_scores (community, score DESC, post_id DESC);

-- One vote per user per post: a retry or a double click updates the same row.
CREATE TABLE votes (
  post_id INTEGER NOT NULL REFERENCES post_scores (post_id) ON DELETE CASCADE,
  username TEXT NOT NULL,
  direction INTEGER NOT NULL CHECK (direction IN (-1, 1)),
  voted_at TEXT NOT NULL,
  PRIMARY KEY (post_id, username)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER votes_after_insert AFTER INSERT ON votes BEGIN
  UPDATE post_scores SET up = up + (NEW.direction = 1), down = down + (NEW.direction = -1)
  WHERE post_id = NEW.post_id;
END;

CREATE TRIGGER votes_after_update AFTER UPDATE OF direction ON votes BEGIN
  UPDATE post_scores
  SET up = up - (OLD.direction = 1) + (NEW.direction = 1), down = down - (OLD.direction = -1) + (NEW.direction = -1)
  WHERE post_id = NEW.post_id;
END;

CREATE TRIGGER votes_after_delete AFTER DELETE ON votes BEGIN
  UPDATE post_scores SET up = up - (OLD.direction = 1), down = down - (OLD.direction = -1)
  WHERE post_id = OLD.post_id;
END;
