-- 001: the engine's first schema. Instants are INTEGER milliseconds since the Unix epoch, UTC.
-- Applied in one transaction by `dsar migrate` and at start; recorded in schema_migrations.

-- Every workflow definition a request has started under, by content hash (DESIGN.md §2).
CREATE TABLE workflow_definitions (
  hash        TEXT PRIMARY KEY,          -- lowercase hex SHA-256 of source
  workflow_id TEXT NOT NULL,
  version     INTEGER NOT NULL,
  source_path TEXT NOT NULL,
  source      TEXT NOT NULL,
  first_seen  INTEGER NOT NULL
);

CREATE TABLE requests (
  seq             INTEGER PRIMARY KEY,   -- insertion order; the keyset pagination key
  id              TEXT NOT NULL UNIQUE,  -- public id (UUID v4)
  reference       TEXT NOT NULL UNIQUE,  -- short, unguessable, shown to requesters (DSR-XXXX-XXXX)
  type            TEXT NOT NULL,
  state           TEXT NOT NULL,
  jurisdiction    TEXT,                  -- NULL when unknown
  subject_json    TEXT NOT NULL,
  subject_email   TEXT NOT NULL,         -- normalised (lower-case) data subject email, for matching
  subject_account TEXT,                  -- the data subject's account id when known
  requester_json  TEXT,
  channel         TEXT NOT NULL,
  received_at     INTEGER NOT NULL,
  due_at          INTEGER,
  details_json    TEXT NOT NULL DEFAULT '{}',
  identity_verified INTEGER NOT NULL DEFAULT 0,
  duplicate_of    TEXT REFERENCES requests(id),
  language        TEXT,
  version         INTEGER NOT NULL,      -- number of transitions; optimistic concurrency check
  workflow_id     TEXT NOT NULL,
  workflow_hash   TEXT NOT NULL REFERENCES workflow_definitions(hash),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX requests_subject ON requests(subject_email, type, state);
CREATE INDEX requests_state ON requests(state, seq);
CREATE INDEX requests_due ON requests(due_at);

-- Append-only history: the truth from which a request's state is replayed.
CREATE TABLE transitions (
  seq           INTEGER PRIMARY KEY,
  request_id    TEXT NOT NULL REFERENCES requests(id),
  version       INTEGER NOT NULL,        -- the request's version after this transition (1 = creation)
  from_state    TEXT,                    -- NULL for the creation
  to_state      TEXT NOT NULL,
  event         TEXT NOT NULL,
  actor         TEXT NOT NULL,
  reason        TEXT,
  data_json     TEXT NOT NULL DEFAULT '{}',
  effects_json  TEXT NOT NULL DEFAULT '[]',
  at            INTEGER NOT NULL,
  workflow_hash TEXT NOT NULL,
  UNIQUE (request_id, version)
);
CREATE TRIGGER transitions_no_update BEFORE UPDATE ON transitions
  BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;
CREATE TRIGGER transitions_no_delete BEFORE DELETE ON transitions
  BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;

CREATE TABLE idempotency_keys (
  key          TEXT PRIMARY KEY,
  fingerprint  TEXT NOT NULL,            -- SHA-256 of the request body it was first used with
  request_id   TEXT NOT NULL REFERENCES requests(id),
  created_at   INTEGER NOT NULL
);

-- Mail to send, written in the transition's transaction (transactional outbox).
CREATE TABLE outbox (
  id            INTEGER PRIMARY KEY,
  request_id    TEXT REFERENCES requests(id),
  transition_seq INTEGER REFERENCES transitions(seq),
  template      TEXT NOT NULL,
  to_json       TEXT NOT NULL,           -- recipients
  subject       TEXT NOT NULL,
  body          TEXT,                    -- NULL once delivered when it carried a secret
  carries_secret INTEGER NOT NULL DEFAULT 0,
  message_id    TEXT NOT NULL UNIQUE,    -- our Message-ID, without angle brackets
  in_reply_to   TEXT,
  created_at    INTEGER NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at  INTEGER,
  last_error    TEXT
);
CREATE INDEX outbox_pending ON outbox(delivered_at, next_attempt_at);

-- Timers, written when a transition enters a state with a timeout; cancelled on leaving.
CREATE TABLE timers (
  id           INTEGER PRIMARY KEY,
  request_id   TEXT NOT NULL REFERENCES requests(id),
  state        TEXT NOT NULL,            -- the state that set it
  event        TEXT NOT NULL,
  fire_at      INTEGER NOT NULL,
  fired_at     INTEGER,
  cancelled_at INTEGER
);
CREATE INDEX timers_due ON timers(fired_at, cancelled_at, fire_at);

-- Fulfillment steps and staff tasks.
CREATE TABLE jobs (
  id              INTEGER PRIMARY KEY,
  request_id      TEXT NOT NULL REFERENCES requests(id),
  kind            TEXT NOT NULL,         -- 'fulfill' or 'task'
  step            TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL,         -- pending, running, done, failed, open (task), closed (task)
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  result_json     TEXT,
  error           TEXT
);
CREATE INDEX jobs_pending ON jobs(status, id);

-- One-time verification codes: only a keyed hash (HMAC-SHA-256) is stored.
CREATE TABLE verifications (
  id           INTEGER PRIMARY KEY,
  request_id   TEXT NOT NULL REFERENCES requests(id),
  code_hash    TEXT NOT NULL,
  issued_at    INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  consumed_at  INTEGER,
  locked_at    INTEGER
);
CREATE INDEX verifications_request ON verifications(request_id, id);

CREATE TABLE legal_holds (
  id            TEXT PRIMARY KEY,
  subject_email TEXT,                    -- normalised
  account_id    TEXT,
  matter        TEXT NOT NULL,
  reason        TEXT NOT NULL,
  placed_by     TEXT NOT NULL,
  placed_at     INTEGER NOT NULL,
  released_at   INTEGER,
  released_by   TEXT,
  release_reason TEXT,
  CHECK (subject_email IS NOT NULL OR account_id IS NOT NULL)
);

-- Every inbound message, kept raw before it is classified.
CREATE TABLE inbound_messages (
  id           INTEGER PRIMARY KEY,
  message_id   TEXT,                     -- without angle brackets; NULL when absent
  sha256       TEXT NOT NULL,
  size         INTEGER NOT NULL,
  raw          BLOB NOT NULL,
  received_at  INTEGER NOT NULL,         -- our receipt time (contract: topmost Received, else intake time)
  intake_at    INTEGER NOT NULL,
  outcome      TEXT NOT NULL,            -- request, redelivery, reply, triage, unreadable
  request_id   TEXT REFERENCES requests(id),
  detail       TEXT
);
CREATE INDEX inbound_message_id ON inbound_messages(message_id);

CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  token_hash  TEXT NOT NULL UNIQUE,      -- HMAC-SHA-256 with the server secret
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
