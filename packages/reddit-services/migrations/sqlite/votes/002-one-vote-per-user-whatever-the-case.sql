-- Usernames are one identity regardless of case in every service (users already compares them so):
-- `Alice_x` and `alice_x` voting on one post is one vote. SQLite cannot change a column's collation
-- in place, so the table is rebuilt; of earlier votes that differ only in case the latest one stays,
-- and the counts are recomputed from the rows kept.
CREATE TABLE votes_nocase (
  post_id INTEGER NOT NULL REFERENCES post_scores (post_id) ON DELETE CASCADE,
  username TEXT NOT NULL COLLATE NOCASE,
  direction INTEGER NOT NULL CHECK (direction IN (-1, 1)),
  voted_at TEXT NOT NULL,
  PRIMARY KEY (post_id, username)
) STRICT, WITHOUT ROWID;

INSERT INTO votes_nocase (post_id, username, direction, voted_at)
SELECT post_id, username, direction, voted_at FROM votes AS v
WHERE NOT EXISTS (
  SELECT 1 FROM votes AS w
  WHERE w.post_id = v.post_id AND lower(w.username) = lower(v.username)
    AND (w.voted_at > v.voted_at OR (w.voted_at = v.voted_at AND w.username < v.username))
);

DROP TABLE votes;
ALTER TABLE votes_nocase RENAME TO votes;

UPDATE post_scores SET
  up = (SELECT COUNT(*) FROM votes WHERE votes.post_id = post_scores.post_id AND direction = 1),
  down = (SELECT COUNT(*) FROM votes WHERE votes.post_id = post_scores.post_id AND direction = -1);

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
