-- An inbox is found whatever the case of the name (usernames are one identity regardless of case).
DROP INDEX messages_by_recipient;
CREATE INDEX messages_by_recipient ON messages (to_user COLLATE NOCASE, id DESC);
