-- 011: expiring download links for access / portability packages (issue 5 §5).
-- The token itself is never stored: only its keyed hash (HMAC-SHA-256 under the server key,
-- DESIGN.md contract — secrets at rest). A link works until expires_at and for at most
-- max_downloads downloads; a newer link for the same request revokes the older ones. Once a
-- package's links have all expired the scheduler deletes the file and records file_deleted_at.
CREATE TABLE download_links (
  id              INTEGER PRIMARY KEY,
  request_id      TEXT NOT NULL REFERENCES requests(id),
  token_hash      TEXT NOT NULL UNIQUE,
  file_path       TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,          -- "system" at completion, "staff:<name>" for a new link
  expires_at      INTEGER NOT NULL,
  max_downloads   INTEGER NOT NULL,
  downloads       INTEGER NOT NULL DEFAULT 0,
  revoked_at      INTEGER,                -- a newer link replaced it
  file_deleted_at INTEGER                 -- the package file was deleted after expiry
);
CREATE INDEX download_links_request ON download_links(request_id);
CREATE INDEX download_links_expiry ON download_links(file_deleted_at, expires_at);

-- Every use of a /d/<token> URL. No IP address, user agent or token is kept (rate limiting is
-- in memory); an unknown token has no link.
CREATE TABLE download_attempts (
  id       INTEGER PRIMARY KEY,
  link_id  INTEGER REFERENCES download_links(id),
  at       INTEGER NOT NULL,
  outcome  TEXT NOT NULL CHECK (outcome IN ('ok', 'expired', 'exhausted', 'revoked', 'missing', 'unknown'))
);
CREATE INDEX download_attempts_link ON download_attempts(link_id);
