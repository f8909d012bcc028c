-- 014: the suppression list (issue 5 §6: what follows an erasure). After a deletion request's
-- erasure, keyed hashes of the erased person's identifiers are kept here so that the company's
-- systems do not re-import or re-subscribe them (GDPR Art. 17 with Art. 19 and Recital 66; the
-- minimum kept for that purpose, GDPR Art. 5(1)(c); Cal. Civ. Code § 1798.105(c)-(d)).
-- No identifier is stored in clear: identifier_hash is HMAC-SHA-256 under the server key of
-- "suppression:<kind>:<normalized identifier>" (service/suppression.h). Rows outlive the request
-- (they are not purged with it); `reference` names the deletion request they came from.
CREATE TABLE suppression (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('email', 'account_id', 'phone')),
  identifier_hash TEXT NOT NULL,
  reference       TEXT NOT NULL,
  added_at        INTEGER NOT NULL,
  UNIQUE (kind, identifier_hash)
);
