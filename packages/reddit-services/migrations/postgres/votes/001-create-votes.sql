-- One row per post that has been voted on, with its counts kept by a trigger on `votes`.
CREATE TABLE post_scores (
  post_id bigint PRIMARY KEY,
  community text NOT NULL,
  up integer NOT NULL DEFAULT 0 CHECK (up >= 0),
  down integer NOT NULL DEFAULT 0 CHECK (down >= 0),
  score integer GENERATED ALWAYS AS (up - down) STORED
);

CREATE INDEX post_scores_by_score ON post_scores (score DESC, post_id DESC);
CREATE INDEX post_scores_by_community ON post_scores (community, score DESC, post_id DESC);

-- One vote per user per post, whatever the case of the name: a retry or a double click updates the same row.
CREATE TABLE votes (
  post_id bigint NOT NULL REFERENCES post_scores (post_id) ON DELETE CASCADE,
  username text NOT NULL,
  direction smallint NOT NULL CHECK (direction IN (-1, 1)),
  voted_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX votes_one_per_user ON votes (post_id, lower(username));

CREATE FUNCTION votes_keep_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE post_scores SET up = up - (OLD.direction = 1)::int, down = down - (OLD.direction = -1)::int
    WHERE post_id = OLD.post_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE post_scores SET up = up + (NEW.direction = 1)::int, down = down + (NEW.direction = -1)::int
    WHERE post_id = NEW.post_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER votes_keep_counts AFTER INSERT OR DELETE OR UPDATE OF direction ON votes
  FOR EACH ROW EXECUTE FUNCTION votes_keep_counts();
