// The append-only transitions table, the workflow definitions it pins (by hash) and the
// idempotency keys of request creation.
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

// ---- transitions ----

Result<std::int64_t> SqliteTx::AppendTransition(const TransitionRow& t) {
  Statement s(c_,
              "INSERT INTO transitions (request_id, version, from_state, to_state, event, actor, reason, data_json, "
              "effects_json, at, workflow_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  s.Bind(1, t.request_id).Bind(2, t.version).Bind(3, t.from_state).Bind(4, t.to_state).Bind(5, t.event);
  s.Bind(6, t.actor).BindOrNull(7, t.reason).Bind(8, t.data_json).Bind(9, t.effects_json).Bind(10, t.at);
  s.Bind(11, t.workflow_hash);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.LastInsertRowid();
}

Result<std::vector<TransitionRow>> SqliteTx::Transitions(const std::string& request_id) {
  Statement s(c_,
              "SELECT seq, request_id, version, from_state, to_state, event, actor, reason, data_json, effects_json, "
              "at, workflow_hash FROM transitions WHERE request_id = ? ORDER BY version");
  s.Bind(1, request_id);
  return Collect<TransitionRow>(s, [](const Statement& s) {
    TransitionRow t;
    ReadColumns(s, t.seq, t.request_id, t.version, t.from_state, t.to_state, t.event, t.actor, t.reason,
                t.data_json, t.effects_json, t.at, t.workflow_hash);
    return t;
  });
}

// ---- workflow definitions ----

Status SqliteTx::PutWorkflowDefinition(const std::string& hash, const std::string& workflow_id, int version,
                                 const std::string& source_path, const std::string& source, Millis now) {
  Statement s(c_,
              "INSERT OR IGNORE INTO workflow_definitions (hash, workflow_id, version, source_path, source, first_seen) "
              "VALUES (?,?,?,?,?,?)");
  s.Bind(1, hash).Bind(2, workflow_id).Bind(3, version).Bind(4, source_path).Bind(5, source).Bind(6, now);
  return s.Run();
}

Result<std::string> SqliteTx::WorkflowSource(const std::string& hash) {
  Statement s(c_, "SELECT source FROM workflow_definitions WHERE hash = ?");
  s.Bind(1, hash);
  if (s.Step()) return s.Text(0);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no workflow definition " + hash);
}

// ---- idempotency ----

Result<std::optional<std::pair<std::string, std::string>>> SqliteTx::FindIdempotencyKey(const std::string& key) {
  Statement s(c_, "SELECT fingerprint, request_id FROM idempotency_keys WHERE key = ?");
  s.Bind(1, key);
  if (s.Step()) return std::optional(std::make_pair(s.Text(0), s.Text(1)));
  if (!s.status().ok()) return s.status();
  return std::optional<std::pair<std::string, std::string>>();
}

Status SqliteTx::PutIdempotencyKey(const std::string& key, const std::string& fingerprint, const std::string& request_id,
                             Millis now) {
  Statement s(c_, "INSERT INTO idempotency_keys (key, fingerprint, request_id, created_at) VALUES (?,?,?,?)");
  s.Bind(1, key).Bind(2, fingerprint).Bind(3, request_id).Bind(4, now);
  return s.Run();
}

}  // namespace dsar::store
