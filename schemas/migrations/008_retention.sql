-- 008: records retention (issue 5 §8). A request's records are kept 24 months after it closed
-- (Cal. Code Regs. tit. 11 § 7101(a)), then purged by the scheduler; raw mail and verification
-- material earlier, on configurable periods. What is left of a purged request is a tombstone
-- without personal data, for the metrics a business must keep (§ 7102).

-- The append-only history may be deleted only for a request being purged: the purge names it
-- here, deletes, and removes the name in the same transaction.
CREATE TABLE purge_authorizations (
  request_id TEXT PRIMARY KEY
);
DROP TRIGGER transitions_no_delete;
CREATE TRIGGER transitions_no_delete BEFORE DELETE ON transitions
  WHEN NOT EXISTS (SELECT 1 FROM purge_authorizations WHERE request_id = OLD.request_id)
  BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;

CREATE TABLE purged_requests (
  reference     TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  jurisdiction  TEXT,
  final_state   TEXT NOT NULL,
  received_at   INTEGER NOT NULL,
  closed_at     INTEGER NOT NULL,
  purged_at     INTEGER NOT NULL
);

-- When a message's raw bytes were purged (its metadata and outcome stay).
ALTER TABLE inbound_messages ADD COLUMN raw_purged_at INTEGER;

CREATE INDEX requests_closed ON requests(state, updated_at);
CREATE INDEX inbound_request ON inbound_messages(request_id);
