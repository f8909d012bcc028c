-- 013: the per-request step ledger, webhook callbacks and task evidence (issue 5 §4).
--
-- A fulfillment job (one `fulfill: <action>` effect) is made of steps, one per system, table and
-- action of the systems map (the company database: one per table for erase, one for the other
-- actions; a webhook system, a processor or a manual system: one each). Each step has one row
-- here, keyed by its idempotency key "<request id>/<action>/<system>/<table>" (table "" when the
-- step is not about one table): a step that is `done` is never run again for the request, so a
-- `retry` resumes at the failed step, and the job's result is assembled from these rows alone.
CREATE TABLE step_ledger (
  id              INTEGER PRIMARY KEY,
  request_id      TEXT NOT NULL REFERENCES requests(id),
  action          TEXT NOT NULL,           -- erase, export_access, opt_out_sale, ...
  system          TEXT NOT NULL,           -- company_db, or a system / processor name of the map
  table_name      TEXT NOT NULL DEFAULT '',
  kind            TEXT NOT NULL,           -- sqlite, webhook, processor, manual
  idempotency_key TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'waiting')),
  runs            INTEGER NOT NULL DEFAULT 0,  -- times the step was started (skipped when done)
  job_id          INTEGER,                     -- the job that last ran it
  task_job_id     INTEGER,                     -- manual: the staff task (jobs row, kind 'task')
  deadline_at     INTEGER,                     -- waiting for a callback until (UTC ms)
  result_json     TEXT,                        -- what the step did (done), as the system said it
  error           TEXT,                        -- why it failed (failed)
  started_at      INTEGER NOT NULL,
  finished_at     INTEGER
);
CREATE INDEX step_ledger_request ON step_ledger(request_id, id);
CREATE INDEX step_ledger_waiting ON step_ledger(status, deadline_at);

-- One-time callback tokens of webhook steps that complete later: only the token's keyed hash
-- is stored (HMAC-SHA-256 under the server key, domain "callback:"); a token works once, until
-- expires_at.
CREATE TABLE webhook_callbacks (
  id          INTEGER PRIMARY KEY,
  ledger_id   INTEGER NOT NULL REFERENCES step_ledger(id),
  request_id  TEXT NOT NULL REFERENCES requests(id),
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  outcome     TEXT                             -- completed, failed (as the callback said), expired, replaced
);
CREATE INDEX webhook_callbacks_request ON webhook_callbacks(request_id);

-- Evidence staff give when they complete a task: a note, or a file stored under the evidence
-- folder (owner-only permissions) named by its SHA-256.
CREATE TABLE task_evidence (
  id           INTEGER PRIMARY KEY,
  request_id   TEXT NOT NULL REFERENCES requests(id),
  task_job_id  INTEGER NOT NULL,
  note         TEXT,
  file_path    TEXT,
  sha256       TEXT,
  size         INTEGER,
  content_type TEXT,
  actor        TEXT NOT NULL,
  at           INTEGER NOT NULL
);
CREATE INDEX task_evidence_request ON task_evidence(request_id);
