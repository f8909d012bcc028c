-- 010: legal holds in depth (issue 5 §3). A hold covers a data subject (by email or account id),
-- a table or data category of the systems map (everyone's rows there), or both (only that
-- person's rows there); `matter` groups the holds of one legal matter. `ground` is one of a fixed
-- list (service/holds: legal_claims = GDPR Art. 17(3)(e), legal_obligation = Art. 17(3)(b), ...).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt, rows kept (holds placed
-- before this migration were subject holds for legal claims).
CREATE TABLE legal_holds_010 (
  id             TEXT PRIMARY KEY,
  subject_email  TEXT,                   -- normalised; NULL when the hold names no person
  account_id     TEXT,
  matter         TEXT NOT NULL,
  reason         TEXT NOT NULL,
  placed_by      TEXT NOT NULL,
  placed_at      INTEGER NOT NULL,
  released_at    INTEGER,
  released_by    TEXT,
  release_reason TEXT,
  scope_table    TEXT,                   -- a table of the systems map; NULL = not limited to one
  scope_category TEXT,                   -- a table category of the systems map; NULL = any
  ground         TEXT NOT NULL DEFAULT 'legal_claims',
  CHECK (subject_email IS NOT NULL OR account_id IS NOT NULL OR scope_table IS NOT NULL OR scope_category IS NOT NULL)
);
INSERT INTO legal_holds_010 (id, subject_email, account_id, matter, reason, placed_by, placed_at, released_at,
                             released_by, release_reason, ground)
  SELECT id, subject_email, account_id, matter, reason, placed_by, placed_at, released_at, released_by,
         release_reason, 'legal_claims' FROM legal_holds;
DROP TABLE legal_holds;
ALTER TABLE legal_holds_010 RENAME TO legal_holds;
CREATE INDEX legal_holds_active ON legal_holds(released_at, subject_email, account_id);
CREATE INDEX legal_holds_matter ON legal_holds(matter);
