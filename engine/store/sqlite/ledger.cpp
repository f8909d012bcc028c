// The step ledger, webhook callbacks and task evidence (migration 013).
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

// ---- step ledger, callbacks, evidence (migration 013) ----

namespace {

constexpr const char* kLedgerColumns =
    "id, request_id, action, system, table_name, kind, idempotency_key, status, runs, job_id, task_job_id, "
    "deadline_at, result_json, error, started_at, finished_at";

LedgerRow ReadLedger(const Statement& s) {
  LedgerRow r;
  ReadColumns(s, r.id, r.request_id, r.action, r.system, r.table_name, r.kind, r.idempotency_key, r.status, r.runs,
              r.job_id, r.task_job_id, r.deadline_at, r.result_json, r.error, r.started_at, r.finished_at);
  return r;
}

constexpr const char* kCallbackColumns =
    "id, ledger_id, request_id, token_hash, created_at, expires_at, used_at, outcome";

CallbackRow ReadCallback(const Statement& s) {
  CallbackRow c;
  ReadColumns(s, c.id, c.ledger_id, c.request_id, c.token_hash, c.created_at, c.expires_at, c.used_at, c.outcome);
  return c;
}

}  // namespace

Result<std::optional<LedgerRow>> SqliteTx::LedgerByKey(const std::string& key) {
  Statement s(c_, std::string("SELECT ") + kLedgerColumns + " FROM step_ledger WHERE idempotency_key = ?");
  s.Bind(1, key);
  std::optional<LedgerRow> out;
  if (s.Step()) out = ReadLedger(s);
  if (!s.status().ok()) return s.status();
  return out;
}

Result<LedgerRow> SqliteTx::LedgerById(std::int64_t id) {
  Statement s(c_, std::string("SELECT ") + kLedgerColumns + " FROM step_ledger WHERE id = ?");
  s.Bind(1, id);
  if (s.Step()) return ReadLedger(s);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no step " + std::to_string(id));
}

Result<std::vector<LedgerRow>> SqliteTx::LedgerFor(const std::string& request_id) {
  Statement s(c_, std::string("SELECT ") + kLedgerColumns + " FROM step_ledger WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<LedgerRow>(s, ReadLedger);
}

Result<std::int64_t> SqliteTx::LedgerStart(const LedgerRow& r, Millis now) {
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

Status SqliteTx::LedgerFinish(std::int64_t id, const std::string& status, const std::string& result_json,
                        const std::string& error, Millis now) {
  Statement s(c_,
              "UPDATE step_ledger SET status = ?1, result_json = ?2, error = ?3, finished_at = ?4, deadline_at = NULL "
              "WHERE id = ?5");
  s.Bind(1, status).BindOrNull(2, result_json).BindOrNull(3, error).Bind(4, now).Bind(5, id);
  return s.Run();
}

Status SqliteTx::LedgerWait(std::int64_t id, std::optional<std::int64_t> task_job_id, std::optional<Millis> deadline_at) {
  Statement s(c_, "UPDATE step_ledger SET status = 'waiting', task_job_id = ?1, deadline_at = ?2 WHERE id = ?3");
  s.Bind(1, task_job_id).Bind(2, deadline_at).Bind(3, id);
  return s.Run();
}

Result<std::vector<LedgerRow>> SqliteTx::LedgerOverdue(Millis now, int limit) {
  Statement s(c_, std::string("SELECT ") + kLedgerColumns +
                      " FROM step_ledger WHERE status = 'waiting' AND deadline_at IS NOT NULL AND deadline_at < ?1 "
                      "ORDER BY deadline_at, id LIMIT ?2");
  s.Bind(1, now).Bind(2, limit);
  return Collect<LedgerRow>(s, ReadLedger);
}

Status SqliteTx::InsertCallback(const CallbackRow& c) {
  Statement s(c_,
              "INSERT INTO webhook_callbacks (ledger_id, request_id, token_hash, created_at, expires_at) "
              "VALUES (?,?,?,?,?)");
  s.Bind(1, c.ledger_id).Bind(2, c.request_id).Bind(3, c.token_hash).Bind(4, c.created_at).Bind(5, c.expires_at);
  return s.Run();
}

Result<std::optional<CallbackRow>> SqliteTx::CallbackByHash(const std::string& token_hash) {
  Statement s(c_, std::string("SELECT ") + kCallbackColumns + " FROM webhook_callbacks WHERE token_hash = ?");
  s.Bind(1, token_hash);
  std::optional<CallbackRow> out;
  if (s.Step()) out = ReadCallback(s);
  if (!s.status().ok()) return s.status();
  return out;
}

Status SqliteTx::UseCallback(std::int64_t id, Millis now, const std::string& outcome) {
  Statement s(c_, "UPDATE webhook_callbacks SET used_at = ?1, outcome = ?2 WHERE id = ?3 AND used_at IS NULL");
  s.Bind(1, now).Bind(2, outcome).Bind(3, id);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes() == 1 ? Status::Ok() : Status::Conflict("the callback was used already");
}

Status SqliteTx::CloseCallbacks(std::int64_t ledger_id, Millis now, const std::string& outcome) {
  Statement s(c_, "UPDATE webhook_callbacks SET used_at = ?1, outcome = ?2 WHERE ledger_id = ?3 AND used_at IS NULL");
  s.Bind(1, now).Bind(2, outcome).Bind(3, ledger_id);
  return s.Run();
}

Status SqliteTx::InsertEvidence(const EvidenceRow& e) {
  Statement s(c_,
              "INSERT INTO task_evidence (request_id, task_job_id, note, file_path, sha256, size, content_type, actor, at) "
              "VALUES (?,?,?,?,?,?,?,?,?)");
  s.Bind(1, e.request_id).Bind(2, e.task_job_id).BindOrNull(3, e.note).BindOrNull(4, e.file_path);
  s.BindOrNull(5, e.sha256);
  if (e.file_path.empty()) s.BindNull(6); else s.Bind(6, e.size);
  s.BindOrNull(7, e.content_type).Bind(8, e.actor).Bind(9, e.at);
  return s.Run();
}

Result<std::vector<EvidenceRow>> SqliteTx::EvidenceFor(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, task_job_id, note, file_path, sha256, size, content_type, actor, at "
              "FROM task_evidence WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<EvidenceRow>(s, [](const Statement& q) {
    EvidenceRow e;
    // (size is NULL for a note without a file: read as 0)
    ReadColumns(q, e.id, e.request_id, e.task_job_id, e.note, e.file_path, e.sha256, e.size, e.content_type, e.actor,
                e.at);
    return e;
  });
}

}  // namespace dsar::store
