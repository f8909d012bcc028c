#include "store/store.h"

#include <filesystem>
#include <sstream>

#include "embedded_files.inc"

namespace dsar::store {

namespace {

constexpr const char* kRequestColumns =
    "seq, id, reference, type, state, jurisdiction, subject_json, subject_email, subject_account, requester_json, "
    "channel, received_at, due_at, details_json, identity_verified, duplicate_of, language, version, workflow_id, "
    "workflow_hash, created_at, updated_at, ack_due_at, extensions, paused_at, paused_days";

RequestRow ReadRequest(const Statement& s) {
  RequestRow r;
  r.seq = s.Int(0);
  r.id = s.Text(1);
  r.reference = s.Text(2);
  r.type = s.Text(3);
  r.state = s.Text(4);
  r.jurisdiction = s.Text(5);
  r.subject_json = s.Text(6);
  r.subject_email = s.Text(7);
  r.subject_account = s.Text(8);
  r.requester_json = s.Text(9);
  r.channel = s.Text(10);
  r.received_at = s.Int(11);
  r.due_at = s.OptInt(12);
  r.details_json = s.Text(13);
  r.identity_verified = s.Int(14) != 0;
  r.duplicate_of = s.Text(15);
  r.language = s.Text(16);
  r.version = s.Int(17);
  r.workflow_id = s.Text(18);
  r.workflow_hash = s.Text(19);
  r.created_at = s.Int(20);
  r.updated_at = s.Int(21);
  r.ack_due_at = s.OptInt(22);
  r.extensions = static_cast<int>(s.Int(23));
  r.paused_at = s.OptInt(24);
  r.paused_days = static_cast<int>(s.Int(25));
  return r;
}

template <typename Row, typename Reader>
Result<std::vector<Row>> Collect(Statement& s, Reader read) {
  std::vector<Row> rows;
  while (s.Step()) rows.push_back(read(s));
  if (!s.status().ok()) return s.status();
  return rows;
}

constexpr const char* kOutboxColumns =
    "id, request_id, transition_seq, template, to_json, subject, body, carries_secret, message_id, in_reply_to, "
    "created_at, attempts, next_attempt_at, delivered_at, last_error, body_html, language, failed_at, references_ids";

OutboxRow ReadOutbox(const Statement& s) {
  OutboxRow o;
  o.id = s.Int(0);
  o.request_id = s.Text(1);
  o.transition_seq = s.OptInt(2);
  o.template_name = s.Text(3);
  o.to_json = s.Text(4);
  o.subject = s.Text(5);
  o.body = s.OptText(6);
  o.carries_secret = s.Int(7) != 0;
  o.message_id = s.Text(8);
  o.in_reply_to = s.Text(9);
  o.created_at = s.Int(10);
  o.attempts = static_cast<int>(s.Int(11));
  o.next_attempt_at = s.Int(12);
  o.delivered_at = s.OptInt(13);
  o.last_error = s.Text(14);
  o.body_html = s.OptText(15);
  o.language = s.Text(16);
  o.failed_at = s.OptInt(17);
  std::istringstream refs(s.Text(18));
  for (std::string id; refs >> id;) o.references.push_back(id);
  return o;
}

constexpr const char* kJobColumns =
    "id, request_id, kind, step, idempotency_key, status, attempts, created_at, finished_at, result_json, error";

JobRow ReadJob(const Statement& s) {
  JobRow j;
  j.id = s.Int(0);
  j.request_id = s.Text(1);
  j.kind = s.Text(2);
  j.step = s.Text(3);
  j.idempotency_key = s.Text(4);
  j.status = s.Text(5);
  j.attempts = static_cast<int>(s.Int(6));
  j.created_at = s.Int(7);
  j.finished_at = s.OptInt(8);
  j.result_json = s.Text(9);
  j.error = s.Text(10);
  return j;
}

constexpr const char* kHoldColumns =
    "id, subject_email, account_id, matter, reason, placed_by, placed_at, released_at, released_by, release_reason, "
    "scope_table, scope_category, ground";

HoldRow ReadHold(const Statement& s) {
  HoldRow h;
  h.id = s.Text(0);
  h.subject_email = s.Text(1);
  h.account_id = s.Text(2);
  h.matter = s.Text(3);
  h.reason = s.Text(4);
  h.placed_by = s.Text(5);
  h.placed_at = s.Int(6);
  h.released_at = s.OptInt(7);
  h.released_by = s.Text(8);
  h.release_reason = s.Text(9);
  h.scope_table = s.Text(10);
  h.scope_category = s.Text(11);
  h.ground = s.Text(12);
  return h;
}

}  // namespace

// ---- requests ----

Status Tx::InsertRequest(const RequestRow& r) {
  Statement s(c_,
              "INSERT INTO requests (id, reference, type, state, jurisdiction, subject_json, subject_email, "
              "subject_account, requester_json, channel, received_at, due_at, details_json, identity_verified, "
              "duplicate_of, language, version, workflow_id, workflow_hash, created_at, updated_at, ack_due_at, "
              "extensions, paused_at, paused_days) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.Bind(1, r.id).Bind(2, r.reference).Bind(3, r.type).Bind(4, r.state).BindOrNull(5, r.jurisdiction);
  s.Bind(6, r.subject_json).Bind(7, r.subject_email).BindOrNull(8, r.subject_account).BindOrNull(9, r.requester_json);
  s.Bind(10, r.channel).Bind(11, r.received_at).Bind(12, r.due_at).Bind(13, r.details_json);
  s.Bind(14, r.identity_verified).BindOrNull(15, r.duplicate_of).BindOrNull(16, r.language).Bind(17, r.version);
  s.Bind(18, r.workflow_id).Bind(19, r.workflow_hash).Bind(20, r.created_at).Bind(21, r.updated_at);
  s.Bind(22, r.ack_due_at).Bind(23, r.extensions).Bind(24, r.paused_at).Bind(25, r.paused_days);
  return s.Run();
}

Result<RequestRow> Tx::GetRequest(const std::string& key) {
  Statement s(c_, std::string("SELECT ") + kRequestColumns + " FROM requests WHERE id = ?1 OR reference = ?1");
  s.Bind(1, key);
  if (s.Step()) return ReadRequest(s);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no request " + key);
}

Status Tx::UpdateRequest(const RequestRow& r, std::int64_t expected_version) {
  Statement s(c_,
              "UPDATE requests SET state = ?1, version = ?2, identity_verified = ?3, jurisdiction = ?4, due_at = ?5, "
              "duplicate_of = ?6, updated_at = ?7, details_json = ?8, ack_due_at = ?11, extensions = ?12, "
              "paused_at = ?13, paused_days = ?14, received_at = ?15 WHERE id = ?9 AND version = ?10");
  s.Bind(1, r.state).Bind(2, r.version).Bind(3, r.identity_verified).BindOrNull(4, r.jurisdiction).Bind(5, r.due_at);
  s.BindOrNull(6, r.duplicate_of).Bind(7, r.updated_at).Bind(8, r.details_json).Bind(9, r.id).Bind(10, expected_version);
  s.Bind(11, r.ack_due_at).Bind(12, r.extensions).Bind(13, r.paused_at).Bind(14, r.paused_days).Bind(15, r.received_at);
  if (Status st = s.Run(); !st.ok()) return st;
  if (c_.Changes() != 1)
    return Status::Conflict("request " + r.id + " is no longer at version " + std::to_string(expected_version));
  return Status::Ok();
}

Result<std::vector<RequestRow>> Tx::ListRequests(const RequestFilter& f) {
  std::string sql = std::string("SELECT ") + kRequestColumns + " FROM requests WHERE seq > ?1";
  if (!f.state.empty()) sql += " AND state = ?2";
  if (!f.type.empty()) sql += " AND type = ?3";
  if (!f.jurisdiction.empty()) sql += " AND jurisdiction = ?4";
  if (!f.subject_email.empty()) sql += " AND subject_email = ?5";
  // Overdue: a deadline passed on a request that still counts down (not final, not a duplicate,
  // clock running) — the same meaning as days_left < 0 and the overdue reminders.
  const std::string counting = "due_at IS NOT NULL AND paused_at IS NULL AND state NOT IN "
                               "('completed', 'denied', 'cancelled', 'duplicate')";
  if (f.overdue.has_value())
    sql += *f.overdue ? " AND " + counting + " AND due_at < ?6" : " AND NOT (" + counting + " AND due_at < ?6)";
  if (f.due_before.has_value()) sql += " AND due_at IS NOT NULL AND due_at < ?7";
  sql += " ORDER BY seq LIMIT ?8";
  Statement s(c_, sql);
  s.Bind(1, f.after_seq);
  if (!f.state.empty()) s.Bind(2, f.state);
  if (!f.type.empty()) s.Bind(3, f.type);
  if (!f.jurisdiction.empty()) s.Bind(4, f.jurisdiction);
  if (!f.subject_email.empty()) s.Bind(5, f.subject_email);
  if (f.overdue.has_value()) s.Bind(6, f.now);
  if (f.due_before.has_value()) s.Bind(7, *f.due_before);
  s.Bind(8, f.limit);
  return Collect<RequestRow>(s, ReadRequest);
}

Result<std::vector<RequestRow>> Tx::OpenRequestsFor(const std::string& subject_email, const std::string& type,
                                                    const std::vector<std::string>& final_states) {
  std::string sql = std::string("SELECT ") + kRequestColumns +
                    " FROM requests WHERE subject_email = ?1 AND type = ?2 AND state <> 'duplicate'";
  for (size_t i = 0; i < final_states.size(); ++i) sql += " AND state <> ?" + std::to_string(i + 3);
  sql += " ORDER BY seq";
  Statement s(c_, sql);
  s.Bind(1, subject_email).Bind(2, type);
  for (size_t i = 0; i < final_states.size(); ++i) s.Bind(static_cast<int>(i + 3), final_states[i]);
  return Collect<RequestRow>(s, ReadRequest);
}

Result<std::vector<RequestRow>> Tx::RequestsInState(const std::string& state, const std::string& subject_email,
                                                    const std::string& account_id) {
  std::string sql = std::string("SELECT ") + kRequestColumns + " FROM requests WHERE (?1 = '' OR state = ?1) AND (";
  sql += "(?2 <> '' AND subject_email = ?2) OR (?3 <> '' AND subject_account = ?3)) ORDER BY seq";
  Statement s(c_, sql);
  s.Bind(1, state).Bind(2, subject_email).Bind(3, account_id);
  return Collect<RequestRow>(s, ReadRequest);
}

// ---- transitions ----

Result<std::int64_t> Tx::AppendTransition(const TransitionRow& t) {
  Statement s(c_,
              "INSERT INTO transitions (request_id, version, from_state, to_state, event, actor, reason, data_json, "
              "effects_json, at, workflow_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  s.Bind(1, t.request_id).Bind(2, t.version).Bind(3, t.from_state).Bind(4, t.to_state).Bind(5, t.event);
  s.Bind(6, t.actor).BindOrNull(7, t.reason).Bind(8, t.data_json).Bind(9, t.effects_json).Bind(10, t.at);
  s.Bind(11, t.workflow_hash);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.LastInsertRowid();
}

Result<std::vector<TransitionRow>> Tx::Transitions(const std::string& request_id) {
  Statement s(c_,
              "SELECT seq, request_id, version, from_state, to_state, event, actor, reason, data_json, effects_json, "
              "at, workflow_hash FROM transitions WHERE request_id = ? ORDER BY version");
  s.Bind(1, request_id);
  return Collect<TransitionRow>(s, [](const Statement& s) {
    TransitionRow t;
    t.seq = s.Int(0);
    t.request_id = s.Text(1);
    t.version = s.Int(2);
    t.from_state = s.OptText(3);
    t.to_state = s.Text(4);
    t.event = s.Text(5);
    t.actor = s.Text(6);
    t.reason = s.Text(7);
    t.data_json = s.Text(8);
    t.effects_json = s.Text(9);
    t.at = s.Int(10);
    t.workflow_hash = s.Text(11);
    return t;
  });
}

// ---- workflow definitions ----

Status Tx::PutWorkflowDefinition(const std::string& hash, const std::string& workflow_id, int version,
                                 const std::string& source_path, const std::string& source, Millis now) {
  Statement s(c_,
              "INSERT OR IGNORE INTO workflow_definitions (hash, workflow_id, version, source_path, source, first_seen) "
              "VALUES (?,?,?,?,?,?)");
  s.Bind(1, hash).Bind(2, workflow_id).Bind(3, version).Bind(4, source_path).Bind(5, source).Bind(6, now);
  return s.Run();
}

Result<std::string> Tx::WorkflowSource(const std::string& hash) {
  Statement s(c_, "SELECT source FROM workflow_definitions WHERE hash = ?");
  s.Bind(1, hash);
  if (s.Step()) return s.Text(0);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no workflow definition " + hash);
}

// ---- idempotency ----

Result<std::optional<std::pair<std::string, std::string>>> Tx::FindIdempotencyKey(const std::string& key) {
  Statement s(c_, "SELECT fingerprint, request_id FROM idempotency_keys WHERE key = ?");
  s.Bind(1, key);
  if (s.Step()) return std::optional(std::make_pair(s.Text(0), s.Text(1)));
  if (!s.status().ok()) return s.status();
  return std::optional<std::pair<std::string, std::string>>();
}

Status Tx::PutIdempotencyKey(const std::string& key, const std::string& fingerprint, const std::string& request_id,
                             Millis now) {
  Statement s(c_, "INSERT INTO idempotency_keys (key, fingerprint, request_id, created_at) VALUES (?,?,?,?)");
  s.Bind(1, key).Bind(2, fingerprint).Bind(3, request_id).Bind(4, now);
  return s.Run();
}

// ---- outbox ----

Result<std::int64_t> Tx::InsertOutbox(const OutboxRow& o) {
  Statement s(c_,
              "INSERT INTO outbox (request_id, transition_seq, template, to_json, subject, body, carries_secret, "
              "message_id, in_reply_to, created_at, attempts, next_attempt_at, body_html, language, references_ids) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,?,?)");
  s.BindOrNull(1, o.request_id).Bind(2, o.transition_seq).Bind(3, o.template_name).Bind(4, o.to_json);
  s.Bind(5, o.subject).Bind(6, o.body).Bind(7, o.carries_secret).Bind(8, o.message_id).BindOrNull(9, o.in_reply_to);
  s.Bind(10, o.created_at).Bind(11, o.next_attempt_at).Bind(12, o.body_html).BindOrNull(13, o.language);
  std::string refs;
  for (const std::string& id : o.references) refs += (refs.empty() ? "" : " ") + id;
  s.BindOrNull(14, refs);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.LastInsertRowid();
}

Result<std::vector<OutboxRow>> Tx::PendingOutbox(Millis now, int limit) {
  Statement s(c_, std::string("SELECT ") + kOutboxColumns +
                      " FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? "
                      "ORDER BY next_attempt_at, id LIMIT ?");
  s.Bind(1, now).Bind(2, limit);
  return Collect<OutboxRow>(s, ReadOutbox);
}

Status Tx::MarkOutboxDelivered(std::int64_t id, Millis now) {
  Statement s(c_,
              "UPDATE outbox SET delivered_at = ?1, attempts = attempts + 1, last_error = NULL, "
              "body = CASE WHEN carries_secret THEN NULL ELSE body END, "
              "body_html = CASE WHEN carries_secret THEN NULL ELSE body_html END WHERE id = ?2");
  s.Bind(1, now).Bind(2, id);
  return s.Run();
}

Status Tx::MarkOutboxGaveUp(std::int64_t id, const std::string& error, Millis now) {
  Statement s(c_,
              "UPDATE outbox SET failed_at = ?1, attempts = attempts + 1, last_error = ?2, "
              "body = CASE WHEN carries_secret THEN NULL ELSE body END, "
              "body_html = CASE WHEN carries_secret THEN NULL ELSE body_html END WHERE id = ?3");
  s.Bind(1, now).Bind(2, error).Bind(3, id);
  return s.Run();
}

Status Tx::MarkOutboxFailed(std::int64_t id, const std::string& error, Millis next_attempt_at) {
  Statement s(c_, "UPDATE outbox SET attempts = attempts + 1, last_error = ?1, next_attempt_at = ?2 WHERE id = ?3");
  s.Bind(1, error).Bind(2, next_attempt_at).Bind(3, id);
  return s.Run();
}

Result<std::vector<OutboxRow>> Tx::OutboxFor(const std::string& request_id) {
  Statement s(c_, std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<OutboxRow>(s, ReadOutbox);
}

Result<std::optional<std::string>> Tx::RequestForMessageId(const std::string& message_id) {
  Statement s(c_, "SELECT request_id FROM outbox WHERE message_id = ?");
  s.Bind(1, message_id);
  if (s.Step()) return std::optional<std::string>(s.Text(0));
  if (!s.status().ok()) return s.status();
  return std::optional<std::string>();
}

// ---- timers ----

Status Tx::InsertTimer(const TimerRow& t) {
  Statement s(c_, "INSERT INTO timers (request_id, state, event, fire_at, kind) VALUES (?,?,?,?,?)");
  s.Bind(1, t.request_id).Bind(2, t.state).Bind(3, t.event).Bind(4, t.fire_at).Bind(5, t.kind);
  return s.Run();
}

Status Tx::CancelTimers(const std::string& request_id, const std::vector<std::string>& kinds, Millis now) {
  for (const std::string& kind : kinds) {
    Statement s(c_,
                "UPDATE timers SET cancelled_at = ? WHERE request_id = ? AND kind = ? AND fired_at IS NULL "
                "AND cancelled_at IS NULL");
    s.Bind(1, now).Bind(2, request_id).Bind(3, kind);
    if (Status st = s.Run(); !st.ok()) return st;
  }
  return Status::Ok();
}

namespace {
TimerRow ReadTimer(const Statement& s) { return TimerRow{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5)}; }
}  // namespace

Result<std::vector<TimerRow>> Tx::PendingTimers(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, state, event, fire_at, kind FROM timers WHERE request_id = ? AND fired_at IS NULL "
              "AND cancelled_at IS NULL ORDER BY fire_at, id");
  s.Bind(1, request_id);
  return Collect<TimerRow>(s, ReadTimer);
}

Result<std::vector<TimerRow>> Tx::DueTimers(Millis now, int limit) {
  Statement s(c_,
              "SELECT id, request_id, state, event, fire_at, kind FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL "
              "AND fire_at <= ? ORDER BY fire_at, id LIMIT ?");
  s.Bind(1, now).Bind(2, limit);
  return Collect<TimerRow>(s, ReadTimer);
}

Status Tx::MarkTimerFired(std::int64_t id, Millis now) {
  Statement s(c_, "UPDATE timers SET fired_at = ? WHERE id = ? AND fired_at IS NULL");
  s.Bind(1, now).Bind(2, id);
  return s.Run();
}

// ---- jobs ----

Status Tx::InsertJob(const JobRow& j) {
  Statement s(c_,
              "INSERT OR IGNORE INTO jobs (request_id, kind, step, idempotency_key, status, created_at) "
              "VALUES (?,?,?,?,?,?)");
  s.Bind(1, j.request_id).Bind(2, j.kind).Bind(3, j.step).Bind(4, j.idempotency_key).Bind(5, j.status);
  s.Bind(6, j.created_at);
  return s.Run();
}

Result<std::vector<JobRow>> Tx::PendingJobs(int limit) {
  Statement s(c_, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE status = 'pending' ORDER BY id LIMIT ?");
  s.Bind(1, limit);
  return Collect<JobRow>(s, ReadJob);
}

Status Tx::ClaimJob(std::int64_t id) {
  Statement s(c_, "UPDATE jobs SET status = 'running' WHERE id = ? AND status = 'pending'");
  s.Bind(1, id);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes() == 1 ? Status::Ok() : Status::Conflict("job " + std::to_string(id) + " is not pending");
}

Result<int> Tx::ReleaseRunningJobs() {
  Statement s(c_, "UPDATE jobs SET status = 'pending' WHERE status = 'running'");
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes();
}

Result<std::vector<JobRow>> Tx::JobsFor(const std::string& request_id) {
  Statement s(c_, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<JobRow>(s, ReadJob);
}

Result<std::vector<JobRow>> Tx::DoneJobsMentioning(const std::string& step, const std::string& text) {
  Statement s(c_, std::string("SELECT ") + kJobColumns +
                      " FROM jobs WHERE step = ?1 AND status = 'done' AND instr(result_json, ?2) > 0 ORDER BY id");
  s.Bind(1, step).Bind(2, text);
  return Collect<JobRow>(s, ReadJob);
}

Status Tx::FinishJob(std::int64_t id, const std::string& status, const std::string& result_json,
                     const std::string& error, Millis now) {
  Statement s(c_,
              "UPDATE jobs SET status = ?1, result_json = ?2, error = ?3, finished_at = ?4, attempts = attempts + 1 "
              "WHERE id = ?5");
  s.Bind(1, status).BindOrNull(2, result_json).BindOrNull(3, error).Bind(4, now).Bind(5, id);
  return s.Run();
}

Result<std::vector<JobRow>> Tx::OpenTasks(int limit) {
  Statement s(c_, std::string("SELECT ") + kJobColumns +
                      " FROM jobs WHERE kind = 'task' AND status = 'open' ORDER BY id LIMIT ?");
  s.Bind(1, limit);
  return Collect<JobRow>(s, ReadJob);
}

// ---- step ledger, callbacks, evidence (migration 013) ----

namespace {

constexpr const char* kLedgerColumns =
    "id, request_id, action, system, table_name, kind, idempotency_key, status, runs, job_id, task_job_id, "
    "deadline_at, result_json, error, started_at, finished_at";

LedgerRow ReadLedger(const Statement& s) {
  LedgerRow r;
  r.id = s.Int(0);
  r.request_id = s.Text(1);
  r.action = s.Text(2);
  r.system = s.Text(3);
  r.table_name = s.Text(4);
  r.kind = s.Text(5);
  r.idempotency_key = s.Text(6);
  r.status = s.Text(7);
  r.runs = static_cast<int>(s.Int(8));
  r.job_id = s.OptInt(9);
  r.task_job_id = s.OptInt(10);
  r.deadline_at = s.OptInt(11);
  r.result_json = s.Text(12);
  r.error = s.Text(13);
  r.started_at = s.Int(14);
  r.finished_at = s.OptInt(15);
  return r;
}

constexpr const char* kCallbackColumns =
    "id, ledger_id, request_id, token_hash, created_at, expires_at, used_at, outcome";

CallbackRow ReadCallback(const Statement& s) {
  CallbackRow c;
  c.id = s.Int(0);
  c.ledger_id = s.Int(1);
  c.request_id = s.Text(2);
  c.token_hash = s.Text(3);
  c.created_at = s.Int(4);
  c.expires_at = s.Int(5);
  c.used_at = s.OptInt(6);
  c.outcome = s.Text(7);
  return c;
}

}  // namespace

Result<std::optional<LedgerRow>> Tx::LedgerByKey(const std::string& key) {
  Statement s(c_, std::string("SELECT ") + kLedgerColumns + " FROM step_ledger WHERE idempotency_key = ?");
  s.Bind(1, key);
  std::optional<LedgerRow> out;
  if (s.Step()) out = ReadLedger(s);
  if (!s.status().ok()) return s.status();
  return out;
}

Result<LedgerRow> Tx::LedgerById(std::int64_t id) {
  Statement s(c_, std::string("SELECT ") + kLedgerColumns + " FROM step_ledger WHERE id = ?");
  s.Bind(1, id);
  if (s.Step()) return ReadLedger(s);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no step " + std::to_string(id));
}

Result<std::vector<LedgerRow>> Tx::LedgerFor(const std::string& request_id) {
  Statement s(c_, std::string("SELECT ") + kLedgerColumns + " FROM step_ledger WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<LedgerRow>(s, ReadLedger);
}

Result<std::int64_t> Tx::LedgerStart(const LedgerRow& r, Millis now) {
  auto existing = LedgerByKey(r.idempotency_key);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    if ((*existing)->status == "done") return Status::Conflict("step " + r.idempotency_key + " is done");
    Statement u(c_,
                "UPDATE step_ledger SET status = 'running', runs = runs + 1, job_id = ?1, error = NULL, "
                "deadline_at = NULL, started_at = ?2, finished_at = NULL WHERE id = ?3");
    u.Bind(1, r.job_id).Bind(2, now).Bind(3, (*existing)->id);
    if (Status st = u.Run(); !st.ok()) return st;
    return (*existing)->id;
  }
  Statement s(c_,
              "INSERT INTO step_ledger (request_id, action, system, table_name, kind, idempotency_key, status, runs, "
              "job_id, started_at) VALUES (?,?,?,?,?,?,'running',1,?,?)");
  s.Bind(1, r.request_id).Bind(2, r.action).Bind(3, r.system).Bind(4, r.table_name).Bind(5, r.kind);
  s.Bind(6, r.idempotency_key).Bind(7, r.job_id).Bind(8, now);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.LastInsertRowid();
}

Status Tx::LedgerFinish(std::int64_t id, const std::string& status, const std::string& result_json,
                        const std::string& error, Millis now) {
  Statement s(c_,
              "UPDATE step_ledger SET status = ?1, result_json = ?2, error = ?3, finished_at = ?4, deadline_at = NULL "
              "WHERE id = ?5");
  s.Bind(1, status).BindOrNull(2, result_json).BindOrNull(3, error).Bind(4, now).Bind(5, id);
  return s.Run();
}

Status Tx::LedgerWait(std::int64_t id, std::optional<std::int64_t> task_job_id, std::optional<Millis> deadline_at) {
  Statement s(c_, "UPDATE step_ledger SET status = 'waiting', task_job_id = ?1, deadline_at = ?2 WHERE id = ?3");
  s.Bind(1, task_job_id).Bind(2, deadline_at).Bind(3, id);
  return s.Run();
}

Result<std::vector<LedgerRow>> Tx::LedgerOverdue(Millis now, int limit) {
  Statement s(c_, std::string("SELECT ") + kLedgerColumns +
                      " FROM step_ledger WHERE status = 'waiting' AND deadline_at IS NOT NULL AND deadline_at < ?1 "
                      "ORDER BY deadline_at, id LIMIT ?2");
  s.Bind(1, now).Bind(2, limit);
  return Collect<LedgerRow>(s, ReadLedger);
}

Status Tx::InsertCallback(const CallbackRow& c) {
  Statement s(c_,
              "INSERT INTO webhook_callbacks (ledger_id, request_id, token_hash, created_at, expires_at) "
              "VALUES (?,?,?,?,?)");
  s.Bind(1, c.ledger_id).Bind(2, c.request_id).Bind(3, c.token_hash).Bind(4, c.created_at).Bind(5, c.expires_at);
  return s.Run();
}

Result<std::optional<CallbackRow>> Tx::CallbackByHash(const std::string& token_hash) {
  Statement s(c_, std::string("SELECT ") + kCallbackColumns + " FROM webhook_callbacks WHERE token_hash = ?");
  s.Bind(1, token_hash);
  std::optional<CallbackRow> out;
  if (s.Step()) out = ReadCallback(s);
  if (!s.status().ok()) return s.status();
  return out;
}

Status Tx::UseCallback(std::int64_t id, Millis now, const std::string& outcome) {
  Statement s(c_, "UPDATE webhook_callbacks SET used_at = ?1, outcome = ?2 WHERE id = ?3 AND used_at IS NULL");
  s.Bind(1, now).Bind(2, outcome).Bind(3, id);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes() == 1 ? Status::Ok() : Status::Conflict("the callback was used already");
}

Status Tx::CloseCallbacks(std::int64_t ledger_id, Millis now, const std::string& outcome) {
  Statement s(c_, "UPDATE webhook_callbacks SET used_at = ?1, outcome = ?2 WHERE ledger_id = ?3 AND used_at IS NULL");
  s.Bind(1, now).Bind(2, outcome).Bind(3, ledger_id);
  return s.Run();
}

Status Tx::InsertEvidence(const EvidenceRow& e) {
  Statement s(c_,
              "INSERT INTO task_evidence (request_id, task_job_id, note, file_path, sha256, size, content_type, actor, at) "
              "VALUES (?,?,?,?,?,?,?,?,?)");
  s.Bind(1, e.request_id).Bind(2, e.task_job_id).BindOrNull(3, e.note).BindOrNull(4, e.file_path);
  s.BindOrNull(5, e.sha256);
  if (e.file_path.empty()) s.BindNull(6); else s.Bind(6, e.size);
  s.BindOrNull(7, e.content_type).Bind(8, e.actor).Bind(9, e.at);
  return s.Run();
}

Result<std::vector<EvidenceRow>> Tx::EvidenceFor(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, task_job_id, note, file_path, sha256, size, content_type, actor, at "
              "FROM task_evidence WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<EvidenceRow>(s, [](const Statement& q) {
    EvidenceRow e;
    e.id = q.Int(0);
    e.request_id = q.Text(1);
    e.task_job_id = q.Int(2);
    e.note = q.Text(3);
    e.file_path = q.Text(4);
    e.sha256 = q.Text(5);
    e.size = q.OptInt(6).value_or(0);
    e.content_type = q.Text(7);
    e.actor = q.Text(8);
    e.at = q.Int(9);
    return e;
  });
}

// ---- verifications ----

Status Tx::InsertVerification(const VerificationRow& v) {
  Statement s(c_,
              "INSERT INTO verifications (request_id, code_hash, issued_at, expires_at, attempts, max_attempts) "
              "VALUES (?,?,?,?,0,?)");
  s.Bind(1, v.request_id).Bind(2, v.code_hash).Bind(3, v.issued_at).Bind(4, v.expires_at).Bind(5, v.max_attempts);
  return s.Run();
}

Result<std::optional<VerificationRow>> Tx::LatestVerification(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, code_hash, issued_at, expires_at, attempts, max_attempts, consumed_at, locked_at "
              "FROM verifications WHERE request_id = ? ORDER BY id DESC LIMIT 1");
  s.Bind(1, request_id);
  if (s.Step()) {
    VerificationRow v;
    v.id = s.Int(0);
    v.request_id = s.Text(1);
    v.code_hash = s.Text(2);
    v.issued_at = s.Int(3);
    v.expires_at = s.Int(4);
    v.attempts = static_cast<int>(s.Int(5));
    v.max_attempts = static_cast<int>(s.Int(6));
    v.consumed_at = s.OptInt(7);
    v.locked_at = s.OptInt(8);
    return std::optional(v);
  }
  if (!s.status().ok()) return s.status();
  return std::optional<VerificationRow>();
}

Status Tx::UpdateVerification(const VerificationRow& v) {
  Statement s(c_, "UPDATE verifications SET attempts = ?, consumed_at = ?, locked_at = ? WHERE id = ?");
  s.Bind(1, v.attempts).Bind(2, v.consumed_at).Bind(3, v.locked_at).Bind(4, v.id);
  return s.Run();
}

Result<int> Tx::VerificationCount(const std::string& request_id) {
  Statement s(c_, "SELECT count(*) FROM verifications WHERE request_id = ?");
  s.Bind(1, request_id);
  if (s.Step()) return static_cast<int>(s.Int(0));
  if (!s.status().ok()) return s.status();
  return 0;
}

// ---- authorized agents, data points ----

Status Tx::InsertAgentAuthorization(const AgentAuthorizationRow& a) {
  Statement s(c_,
              "INSERT INTO agent_authorizations (request_id, kind, note, evidence_ref, recorded_by, recorded_at) "
              "VALUES (?,?,?,?,?,?)");
  s.Bind(1, a.request_id).Bind(2, a.kind).Bind(3, a.note).BindOrNull(4, a.evidence_ref).Bind(5, a.recorded_by);
  s.Bind(6, a.recorded_at);
  return s.Run();
}

namespace {
Result<std::vector<AgentAuthorizationRow>> ReadAgentAuthorizations(Statement& s) {
  std::vector<AgentAuthorizationRow> out;
  while (s.Step()) {
    AgentAuthorizationRow a;
    a.id = s.Int(0);
    a.request_id = s.Text(1);
    a.kind = s.Text(2);
    a.note = s.Text(3);
    a.evidence_ref = s.Text(4);
    a.recorded_by = s.Text(5);
    a.recorded_at = s.Int(6);
    out.push_back(std::move(a));
  }
  if (!s.status().ok()) return s.status();
  return out;
}
}  // namespace

Result<std::vector<AgentAuthorizationRow>> Tx::AgentAuthorizationsFor(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, kind, note, COALESCE(evidence_ref, ''), recorded_by, recorded_at "
              "FROM agent_authorizations WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return ReadAgentAuthorizations(s);
}

Result<std::vector<AgentAuthorizationRow>> Tx::AgentAuthorizationsForRequests(const std::vector<std::string>& request_ids) {
  if (request_ids.empty()) return std::vector<AgentAuthorizationRow>{};
  // One SQL text whatever the number of ids: the ids travel as one JSON array.
  std::string ids = "[";
  for (const auto& id : request_ids) {
    ids += ids.size() > 1 ? ",\"" : "\"";
    for (char ch : id) {
      if (ch == '"' || ch == '\\') ids += '\\';
      if (static_cast<unsigned char>(ch) >= 0x20) ids += ch;  // ids are printable ASCII
    }
    ids += "\"";
  }
  ids += "]";
  Statement s(c_,
              "SELECT id, request_id, kind, note, COALESCE(evidence_ref, ''), recorded_by, recorded_at "
              "FROM agent_authorizations WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY request_id, id");
  s.Bind(1, ids);
  return ReadAgentAuthorizations(s);
}

namespace {
std::string NamesJson(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& n : names) {
    if (out.size() > 1) out += ",";
    out += "\"";
    for (char ch : n)
      if (ch != '"' && ch != '\\') out += ch;  // point names are snake_case
    out += "\"";
  }
  return out + "]";
}
std::vector<std::string> NamesFromJson(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  bool in = false;
  for (char ch : text) {
    if (ch == '"') {
      if (in) out.push_back(cur);
      cur.clear();
      in = !in;
    } else if (in) {
      cur += ch;
    }
  }
  return out;
}
}  // namespace

Status Tx::InsertDataPointAttempt(const DataPointAttemptRow& a) {
  Statement s(c_,
              "INSERT INTO data_point_attempts (request_id, at, offered, matched, matched_count, required, "
              "signed_declaration, success) VALUES (?,?,?,?,?,?,?,?)");
  s.Bind(1, a.request_id).Bind(2, a.at).Bind(3, NamesJson(a.offered)).Bind(4, NamesJson(a.matched));
  s.Bind(5, static_cast<std::int64_t>(a.matched.size())).Bind(6, static_cast<std::int64_t>(a.required));
  s.Bind(7, static_cast<std::int64_t>(a.signed_declaration ? 1 : 0)).Bind(8, static_cast<std::int64_t>(a.success ? 1 : 0));
  return s.Run();
}

Result<std::vector<DataPointAttemptRow>> Tx::DataPointAttemptsFor(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, at, offered, matched, required, signed_declaration, success "
              "FROM data_point_attempts WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  std::vector<DataPointAttemptRow> out;
  while (s.Step()) {
    DataPointAttemptRow a;
    a.id = s.Int(0);
    a.request_id = s.Text(1);
    a.at = s.Int(2);
    a.offered = NamesFromJson(s.Text(3));
    a.matched = NamesFromJson(s.Text(4));
    a.required = static_cast<int>(s.Int(5));
    a.signed_declaration = s.Int(6) != 0;
    a.success = s.Int(7) != 0;
    out.push_back(std::move(a));
  }
  if (!s.status().ok()) return s.status();
  return out;
}

Result<int> Tx::CountRequestsSince(const std::string& subject_email, const std::string& type, Millis since) {
  Statement s(c_, "SELECT count(*) FROM requests WHERE subject_email = ? AND type = ? AND created_at >= ?");
  s.Bind(1, subject_email).Bind(2, type).Bind(3, since);
  if (s.Step()) return static_cast<int>(s.Int(0));
  return s.status();
}

// ---- legal holds ----

Status Tx::InsertHold(const HoldRow& h) {
  Statement s(c_,
              "INSERT INTO legal_holds (id, subject_email, account_id, matter, reason, placed_by, placed_at, "
              "scope_table, scope_category, ground) VALUES (?,?,?,?,?,?,?,?,?,?)");
  s.Bind(1, h.id).BindOrNull(2, h.subject_email).BindOrNull(3, h.account_id).Bind(4, h.matter).Bind(5, h.reason);
  s.Bind(6, h.placed_by).Bind(7, h.placed_at).BindOrNull(8, h.scope_table).BindOrNull(9, h.scope_category);
  s.Bind(10, h.ground);
  return s.Run();
}

Result<HoldRow> Tx::GetHold(const std::string& id) {
  Statement s(c_, std::string("SELECT ") + kHoldColumns + " FROM legal_holds WHERE id = ?");
  s.Bind(1, id);
  if (s.Step()) return ReadHold(s);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no legal hold " + id);
}

Result<std::vector<HoldRow>> Tx::ListHolds(bool active_only) {
  Statement s(c_, std::string("SELECT ") + kHoldColumns + " FROM legal_holds" +
                      (active_only ? " WHERE released_at IS NULL" : "") + " ORDER BY placed_at, id");
  return Collect<HoldRow>(s, ReadHold);
}

Status Tx::ReleaseHold(const std::string& id, const std::string& by, const std::string& reason, Millis now) {
  Statement s(c_,
              "UPDATE legal_holds SET released_at = ?1, released_by = ?2, release_reason = ?3 "
              "WHERE id = ?4 AND released_at IS NULL");
  s.Bind(1, now).Bind(2, by).BindOrNull(3, reason).Bind(4, id);
  if (Status st = s.Run(); !st.ok()) return st;
  if (c_.Changes() != 1) return Status::Conflict("legal hold " + id + " is already released");
  return Status::Ok();
}

Result<int> Tx::ActiveHoldCount(const std::string& subject_email, const std::string& account_id) {
  Statement s(c_,
              "SELECT count(*) FROM legal_holds WHERE released_at IS NULL AND scope_table IS NULL AND "
              "scope_category IS NULL AND ((?1 <> '' AND subject_email = ?1) OR (?2 <> '' AND account_id = ?2))");
  s.Bind(1, subject_email).Bind(2, account_id);
  if (s.Step()) return static_cast<int>(s.Int(0));
  return s.status();
}

Result<std::vector<HoldRow>> Tx::HoldsCovering(const std::string& subject_email, const std::string& account_id,
                                               const std::string& table, const std::string& category) {
  Statement s(c_, std::string("SELECT ") + kHoldColumns +
                      " FROM legal_holds WHERE released_at IS NULL"
                      // the person: named by the hold, or the hold names nobody
                      " AND ((subject_email IS NULL AND account_id IS NULL)"
                      "      OR (?1 <> '' AND subject_email = ?1) OR (?2 <> '' AND account_id = ?2))"
                      // the place: the hold is not limited, or names this table or category
                      " AND ((scope_table IS NULL AND scope_category IS NULL)"
                      "      OR scope_table = ?3 OR (?4 <> '' AND scope_category = ?4))"
                      " ORDER BY placed_at, id");
  s.Bind(1, subject_email).Bind(2, account_id).Bind(3, table).Bind(4, category);
  return Collect<HoldRow>(s, ReadHold);
}

Result<std::vector<HoldRow>> Tx::HoldsOfMatter(const std::string& matter) {
  Statement s(c_, std::string("SELECT ") + kHoldColumns + " FROM legal_holds WHERE matter = ? ORDER BY placed_at, id");
  s.Bind(1, matter);
  return Collect<HoldRow>(s, ReadHold);
}

// ---- inbound mail ----

Result<std::int64_t> Tx::InsertInbound(const InboundRow& m, std::string_view raw) {
  Statement s(c_,
              "INSERT INTO inbound_messages (message_id, sha256, size, received_at, intake_at, outcome, "
              "request_id, detail, content_sha256, maildir_name) VALUES (?,?,?,?,?,?,?,?,?,?)");
  s.BindOrNull(1, m.message_id).Bind(2, m.sha256).Bind(3, m.size).Bind(4, m.received_at);
  s.Bind(5, m.intake_at).Bind(6, m.outcome).BindOrNull(7, m.request_id).BindOrNull(8, m.detail);
  s.BindOrNull(9, m.content_sha256).BindOrNull(10, m.maildir_name);
  if (Status st = s.Run(); !st.ok()) return st;
  const std::int64_t id = c_.LastInsertRowid();
  Statement r(c_, "INSERT INTO inbound_raw (message_row, raw) VALUES (?, ?)");
  r.Bind(1, id).BindBlob(2, raw);
  if (Status st = r.Run(); !st.ok()) return st;
  return id;
}

namespace {

constexpr const char* kInboundColumns =
    "id, message_id, sha256, size, received_at, intake_at, outcome, request_id, detail, content_sha256, maildir_name, "
    "raw_purged_at";

// The first row of an inbound_messages query over kInboundColumns, or nullopt.
Result<std::optional<InboundRow>> FirstInbound(Statement& s) {
  if (s.Step()) {
    InboundRow m;
    m.id = s.Int(0);
    m.message_id = s.Text(1);
    m.sha256 = s.Text(2);
    m.size = s.Int(3);
    m.received_at = s.Int(4);
    m.intake_at = s.Int(5);
    m.outcome = s.Text(6);
    m.request_id = s.Text(7);
    m.detail = s.Text(8);
    m.content_sha256 = s.Text(9);
    m.maildir_name = s.Text(10);
    m.raw_purged_at = s.OptInt(11);
    return std::optional(m);
  }
  if (!s.status().ok()) return s.status();
  return std::optional<InboundRow>();
}

}  // namespace

Result<std::optional<InboundRow>> Tx::FindInboundByMessageId(const std::string& message_id,
                                                              const std::string& content_sha256) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns +
                      " FROM inbound_messages WHERE message_id = ?1 AND content_sha256 = ?2 AND outcome <> 'redelivery' "
                      "ORDER BY id LIMIT 1");
  s.Bind(1, message_id).Bind(2, content_sha256);
  return FirstInbound(s);
}

Result<std::optional<InboundRow>> Tx::FindInboundBySha256(const std::string& sha256) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns +
                      " FROM inbound_messages WHERE sha256 = ?1 AND outcome NOT IN ('redelivery', 'refused') "
                      "ORDER BY id LIMIT 1");
  s.Bind(1, sha256);
  return FirstInbound(s);
}

Result<std::optional<InboundRow>> Tx::FindInboundByMaildirName(const std::string& maildir_name) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns + " FROM inbound_messages WHERE maildir_name = ?1");
  s.Bind(1, maildir_name);
  return FirstInbound(s);
}

Result<std::vector<InboundRow>> Tx::ListInbound(const std::string& outcome, std::int64_t after_id, int limit) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns +
                      " FROM inbound_messages WHERE outcome = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
  s.Bind(1, outcome).Bind(2, after_id).Bind(3, static_cast<std::int64_t>(limit));
  std::vector<InboundRow> rows;
  while (true) {
    auto row = FirstInbound(s);
    if (!row.ok()) return row.status();
    if (!row->has_value()) break;
    rows.push_back(std::move(**row));
  }
  return rows;
}

Result<std::optional<InboundRow>> Tx::GetInbound(std::int64_t id) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns + " FROM inbound_messages WHERE id = ?1");
  s.Bind(1, id);
  return FirstInbound(s);
}

// ---- records retention ----

namespace {

// " AND <column> IN (?k, ?k+1, ...)" over the final states, bound from parameter `first`.
// " AND the request is closed": its `column` (a state) is one of `final_states`, or it is a
// duplicate whose primary is gone (purged: PurgeRequest unlinks its duplicates). Such a duplicate
// was answered through its primary and is kept no longer than it (records retention).
std::string InFinal(const char* column, const std::vector<std::string>& final_states, int first) {
  const std::string col(column);
  const std::string duplicate_of = col.substr(0, col.size() - std::string("state").size()) + "duplicate_of";
  std::string sql = " AND (" + col + " IN (";
  for (size_t i = 0; i < final_states.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(first + static_cast<int>(i));
  return sql + ") OR (" + col + " = 'duplicate' AND (" + duplicate_of + " IS NULL OR " + duplicate_of + " = '')))";
}

void BindFinal(Statement& s, const std::vector<std::string>& final_states, int first) {
  for (size_t i = 0; i < final_states.size(); ++i) s.Bind(first + static_cast<int>(i), final_states[i]);
}

}  // namespace

Result<std::vector<RequestRow>> Tx::ClosedRequests(const std::vector<std::string>& final_states, Millis closed_before,
                                                   int limit) {
  Statement s(c_, std::string("SELECT ") + kRequestColumns + " FROM requests WHERE updated_at < ?1" +
                      InFinal("state", final_states, 3) + " ORDER BY updated_at, seq LIMIT ?2");
  s.Bind(1, closed_before).Bind(2, static_cast<std::int64_t>(limit));
  BindFinal(s, final_states, 3);
  return Collect<RequestRow>(s, ReadRequest);
}

Status Tx::PurgeRequest(const RequestRow& r, Millis now) {
  static const char* kSteps[] = {
      "INSERT INTO purge_authorizations (request_id) VALUES (?1)",
      "DELETE FROM outbox WHERE request_id = ?1",
      "DELETE FROM timers WHERE request_id = ?1",
      "DELETE FROM jobs WHERE request_id = ?1",
      "DELETE FROM webhook_callbacks WHERE request_id = ?1",
      "DELETE FROM task_evidence WHERE request_id = ?1",
      "DELETE FROM step_ledger WHERE request_id = ?1",
      "DELETE FROM verifications WHERE request_id = ?1",
      "DELETE FROM agent_authorizations WHERE request_id = ?1",
      "DELETE FROM data_point_attempts WHERE request_id = ?1",
      "DELETE FROM idempotency_keys WHERE request_id = ?1",
      "DELETE FROM download_attempts WHERE link_id IN (SELECT id FROM download_links WHERE request_id = ?1)",
      "DELETE FROM download_links WHERE request_id = ?1",
      "DELETE FROM inbound_raw WHERE message_row IN (SELECT id FROM inbound_messages WHERE request_id = ?1)",
      "DELETE FROM inbound_messages WHERE request_id = ?1",
      "UPDATE requests SET duplicate_of = NULL WHERE duplicate_of = ?1",
      "DELETE FROM transitions WHERE request_id = ?1",
      "DELETE FROM requests WHERE id = ?1",
      "DELETE FROM purge_authorizations WHERE request_id = ?1",
  };
  for (const char* sql : kSteps) {
    Statement s(c_, sql);
    s.Bind(1, r.id);
    if (Status st = s.Run(); !st.ok()) return st;
  }
  Statement t(c_,
              "INSERT INTO purged_requests (reference, type, jurisdiction, final_state, received_at, closed_at, purged_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)");
  t.Bind(1, r.reference).Bind(2, r.type).BindOrNull(3, r.jurisdiction).Bind(4, r.state).Bind(5, r.received_at);
  t.Bind(6, r.updated_at).Bind(7, now);
  return t.Run();
}

Result<int> Tx::PurgeRawMail(const std::vector<std::string>& final_states, Millis closed_before, Millis unlinked_before,
                             Millis now, int limit) {
  Statement q(c_, "SELECT m.id FROM inbound_messages m LEFT JOIN requests r ON r.id = m.request_id "
                  "WHERE m.raw_purged_at IS NULL AND ((m.request_id IS NULL AND m.intake_at < ?1) OR "
                  "(r.updated_at < ?2" + InFinal("r.state", final_states, 4) + ")) ORDER BY m.id LIMIT ?3");
  q.Bind(1, unlinked_before).Bind(2, closed_before).Bind(3, static_cast<std::int64_t>(limit));
  BindFinal(q, final_states, 4);
  std::vector<std::int64_t> ids;
  while (q.Step()) ids.push_back(q.Int(0));
  if (!q.status().ok()) return q.status();
  for (std::int64_t id : ids) {
    Statement d(c_, "DELETE FROM inbound_raw WHERE message_row = ?1");
    d.Bind(1, id);
    if (Status st = d.Run(); !st.ok()) return st;
    Statement u(c_, "UPDATE inbound_messages SET raw_purged_at = ?1 WHERE id = ?2");
    u.Bind(1, now).Bind(2, id);
    if (Status st = u.Run(); !st.ok()) return st;
  }
  return static_cast<int>(ids.size());
}

Result<int> Tx::PurgeVerifications(const std::vector<std::string>& final_states, Millis closed_before) {
  Statement s(c_, "DELETE FROM verifications WHERE request_id IN (SELECT id FROM requests WHERE updated_at < ?1" +
                      InFinal("state", final_states, 2) + ")");
  s.Bind(1, closed_before);
  BindFinal(s, final_states, 2);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes();
}

Result<std::string> Tx::InboundRaw(std::int64_t id) {
  Statement s(c_, "SELECT raw FROM inbound_raw WHERE message_row = ?1");
  s.Bind(1, id);
  if (s.Step()) return s.Text(0);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no inbound message " + std::to_string(id));
}

Status Tx::SetInboundOutcome(std::int64_t id, const std::string& outcome, const std::string& request_id,
                             const std::string& detail) {
  Statement s(c_, "UPDATE inbound_messages SET outcome = ?, request_id = ?, detail = ? WHERE id = ?");
  s.Bind(1, outcome).BindOrNull(2, request_id).BindOrNull(3, detail).Bind(4, id);
  return s.Run();
}

// ---- tokens ----

// ---- download links ----

namespace {
constexpr const char* kLinkColumns =
    "id, request_id, token_hash, file_path, created_at, created_by, expires_at, max_downloads, downloads, "
    "revoked_at, file_deleted_at";

DownloadLinkRow ReadLink(Statement& s) {
  DownloadLinkRow l;
  l.id = s.Int(0);
  l.request_id = s.Text(1);
  l.token_hash = s.Text(2);
  l.file_path = s.Text(3);
  l.created_at = s.Int(4);
  l.created_by = s.Text(5);
  l.expires_at = s.Int(6);
  l.max_downloads = static_cast<int>(s.Int(7));
  l.downloads = static_cast<int>(s.Int(8));
  l.revoked_at = s.OptInt(9);
  l.file_deleted_at = s.OptInt(10);
  return l;
}
}  // namespace

Result<std::int64_t> Tx::InsertDownloadLink(const DownloadLinkRow& l) {
  Statement s(c_,
              "INSERT INTO download_links (request_id, token_hash, file_path, created_at, created_by, expires_at, "
              "max_downloads, downloads) VALUES (?,?,?,?,?,?,?,0)");
  s.Bind(1, l.request_id).Bind(2, l.token_hash).Bind(3, l.file_path).Bind(4, l.created_at).Bind(5, l.created_by);
  s.Bind(6, l.expires_at).Bind(7, l.max_downloads);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.LastInsertRowid();
}

Status Tx::RevokeDownloadLinks(const std::string& request_id, Millis now) {
  Statement s(c_, "UPDATE download_links SET revoked_at = ? WHERE request_id = ? AND revoked_at IS NULL");
  s.Bind(1, now).Bind(2, request_id);
  return s.Run();
}

Result<std::optional<DownloadLinkRow>> Tx::DownloadLinkByHash(const std::string& token_hash) {
  Statement s(c_, std::string("SELECT ") + kLinkColumns + " FROM download_links WHERE token_hash = ?");
  s.Bind(1, token_hash);
  if (s.Step()) return std::optional<DownloadLinkRow>(ReadLink(s));
  if (!s.status().ok()) return s.status();
  return std::optional<DownloadLinkRow>();
}

Result<std::vector<DownloadLinkRow>> Tx::DownloadLinksFor(const std::string& request_id) {
  Statement s(c_, std::string("SELECT ") + kLinkColumns + " FROM download_links WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  std::vector<DownloadLinkRow> out;
  while (s.Step()) out.push_back(ReadLink(s));
  if (!s.status().ok()) return s.status();
  return out;
}

Status Tx::CountDownload(std::int64_t link_id) {
  Statement s(c_, "UPDATE download_links SET downloads = downloads + 1 WHERE id = ?");
  s.Bind(1, link_id);
  return s.Run();
}

Status Tx::InsertDownloadAttempt(std::optional<std::int64_t> link_id, Millis at, const std::string& outcome) {
  Statement s(c_, "INSERT INTO download_attempts (link_id, at, outcome) VALUES (?,?,?)");
  s.Bind(1, link_id).Bind(2, at).Bind(3, outcome);
  return s.Run();
}

Result<std::vector<std::string>> Tx::ExpiredPackageFiles(Millis now, int limit) {
  Statement s(c_,
              "SELECT DISTINCT l.file_path FROM download_links l WHERE l.file_deleted_at IS NULL AND l.expires_at <= ?1 "
              "AND NOT EXISTS (SELECT 1 FROM download_links n WHERE n.file_path = l.file_path "
              "AND n.revoked_at IS NULL AND n.expires_at > ?1) LIMIT ?2");
  s.Bind(1, now).Bind(2, limit);
  std::vector<std::string> out;
  while (s.Step()) out.push_back(s.Text(0));
  if (!s.status().ok()) return s.status();
  return out;
}

Status Tx::MarkPackageDeleted(const std::string& file_path, Millis now) {
  Statement s(c_, "UPDATE download_links SET file_deleted_at = ? WHERE file_path = ? AND file_deleted_at IS NULL");
  s.Bind(1, now).Bind(2, file_path);
  return s.Run();
}

Status Tx::InsertToken(const std::string& name, const std::string& token_hash, Millis now) {
  Statement s(c_, "INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?,?,?)");
  s.Bind(1, name).Bind(2, token_hash).Bind(3, now);
  return s.Run();
}

Result<std::optional<std::string>> Tx::TokenName(const std::string& token_hash) {
  Statement s(c_, "SELECT name FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL");
  s.Bind(1, token_hash);
  if (s.Step()) return std::optional<std::string>(s.Text(0));
  if (!s.status().ok()) return s.status();
  return std::optional<std::string>();
}

// ---- Store ----

Result<std::unique_ptr<Store>> Store::Open(const Options& options) {
  std::unique_ptr<Store> store(new Store(options.path));
  const std::filesystem::path p(options.path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) return Status::IoError("cannot create " + p.parent_path().string() + ": " + ec.message());
  }
  if (Status s = store->conn_.Open(options.path, options.busy_timeout_ms); !s.ok()) return s;
  // secure_delete: deleted and overwritten content (a delivered mail's secret body) is zeroed in
  // the file instead of lingering in free space (DESIGN.md contract — secrets at rest).
  if (Status s = store->conn_.Exec(
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;");
      !s.ok())
    return s;
  if (options.migrate) {
    auto applied = store->Migrate();
    if (!applied.ok()) return applied.status();
  }
  return store;
}

Result<int> Store::Migrate() {
  std::lock_guard lock(mu_);
  if (Status s = conn_.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
      !s.ok())
    return s;
  int applied = 0;
  for (const EmbeddedFile& m : kEmbeddedMigrations) {
    if (Status s = conn_.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Statement check(conn_, "SELECT 1 FROM schema_migrations WHERE name = ?");
    check.Bind(1, m.name);
    const bool done = check.Step();
    if (!check.status().ok()) {
      conn_.Exec("ROLLBACK");
      return check.status();
    }
    if (done) {
      conn_.Exec("COMMIT");
      continue;
    }
    Status s = conn_.Exec(m.content);
    if (s.ok()) {
      Statement rec(conn_, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)");
      rec.Bind(1, m.name).Bind(2, SystemClock().Now());
      s = rec.Run();
    }
    if (s.ok()) s = conn_.Exec("COMMIT");
    if (!s.ok()) {
      conn_.Exec("ROLLBACK");
      return Status::IoError(std::string("migration ") + m.name + " failed: " + s.message());
    }
    ++applied;
  }
  return applied;
}

Status Store::Transact(const std::function<Status(Tx&)>& fn) {
  std::lock_guard lock(mu_);
  if (Status s = conn_.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  Tx tx(conn_);
  Status s = fn(tx);
  if (s.ok() && fail_commit_countdown_ > 0 && --fail_commit_countdown_ == 0)
    s = Status::IoError("injected commit failure (TEST_FailCommitAfter)");
  if (s.ok()) s = conn_.Exec("COMMIT");
  if (!s.ok()) conn_.Exec("ROLLBACK");
  return s;
}

Status Store::CheckpointTruncate() {
  std::lock_guard lock(mu_);
  return conn_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Status Store::Read(const std::function<Status(Tx&)>& fn) {
  std::lock_guard lock(mu_);
  Tx tx(conn_);
  return fn(tx);
}

}  // namespace dsar::store
