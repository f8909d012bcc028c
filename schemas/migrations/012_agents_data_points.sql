-- 012: authorized agents and data-point verification (issue 5 §1-§2).

-- An authorized agent's authority, recorded by staff (Cal. Code Regs. tit. 11 § 7063):
-- `signed_permission` (§ 7063(a)(1); the data subject must also verify themselves, (a)(2)) or
-- `power_of_attorney` (§ 7063(b); Cal. Prob. Code §§ 4121-4130) or `parental_responsibility` (a
-- parent or guardian of a child: § 7070; GDPR Art. 8). `evidence_ref` points to where
-- the document is kept (a document id), never the document itself. Deleted with the request by
-- the records-retention purge (Tx::PurgeRequest).
CREATE TABLE agent_authorizations (
  id           INTEGER PRIMARY KEY,
  request_id   TEXT NOT NULL REFERENCES requests(id),
  kind         TEXT NOT NULL CHECK (kind IN ('signed_permission', 'power_of_attorney', 'parental_responsibility')),
  note         TEXT NOT NULL,
  evidence_ref TEXT,
  recorded_by  TEXT NOT NULL,
  recorded_at  INTEGER NOT NULL
);
CREATE INDEX agent_authorizations_request ON agent_authorizations(request_id);

-- One attempt at verification by matching data points (Cal. Code Regs. tit. 11 § 7062): only
-- the names of the points offered and matched and their counts, never the values offered.
CREATE TABLE data_point_attempts (
  id                 INTEGER PRIMARY KEY,
  request_id         TEXT NOT NULL REFERENCES requests(id),
  at                 INTEGER NOT NULL,
  offered            TEXT NOT NULL,   -- JSON array of point names, sorted
  matched            TEXT NOT NULL,   -- JSON array of point names, sorted
  matched_count      INTEGER NOT NULL,
  required           INTEGER NOT NULL,
  signed_declaration INTEGER NOT NULL,
  success            INTEGER NOT NULL
);
CREATE INDEX data_point_attempts_request ON data_point_attempts(request_id);
