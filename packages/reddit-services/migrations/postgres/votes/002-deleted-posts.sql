-- Posts deleted in the posts service: their votes and counts are gone, and a vote on them is a 404.
CREATE TABLE deleted_posts (
  post_id bigint PRIMARY KEY,
  deleted_at timestamptz NOT NULL
);
