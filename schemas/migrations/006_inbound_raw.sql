-- 006: the raw bytes of an inbound message in a table of their own, so that recording its outcome
-- (an UPDATE of inbound_messages after classification) does not rewrite a message of up to 25 MiB
-- into the write-ahead log a second time. One row per inbound message, written in the same
-- transaction; never updated.
CREATE TABLE inbound_raw (
  message_row INTEGER PRIMARY KEY REFERENCES inbound_messages(id),
  raw         BLOB NOT NULL              -- as received (a refused message: its first 64 KiB)
);
INSERT INTO inbound_raw (message_row, raw) SELECT id, raw FROM inbound_messages;
ALTER TABLE inbound_messages DROP COLUMN raw;
