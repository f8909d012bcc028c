// The requests table: one row per data subject request, versioned for optimistic updates.
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

RequestRow ReadRequest(const Statement& s) {
  RequestRow r;
  ReadColumns(s, r.seq, r.id, r.reference, r.type, r.state, r.jurisdiction, r.subject_json, r.subject_email,
              r.subject_account, r.requester_json, r.channel, r.received_at, r.due_at, r.details_json,
              r.identity_verified, r.duplicate_of, r.language, r.version, r.workflow_id, r.workflow_hash,
              r.created_at, r.updated_at, r.ack_due_at, r.extensions, r.paused_at, r.paused_days);
  return r;
}

// ---- requests ----

Status SqliteTx::InsertRequest(const RequestRow& r) {
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

Result<RequestRow> SqliteTx::GetRequest(const std::string& key) {
  Statement s(c_, std::string("SELECT ") + kRequestColumns + " FROM requests WHERE id = ?1 OR reference = ?1");
  s.Bind(1, key);
  if (s.Step()) return ReadRequest(s);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no request " + key);
}

Status SqliteTx::UpdateRequest(const RequestRow& r, std::int64_t expected_version) {
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

Result<std::vector<RequestRow>> SqliteTx::ListRequests(const RequestFilter& f) {
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

Result<std::vector<RequestRow>> SqliteTx::OpenRequestsFor(const std::string& subject_email, const std::string& type,
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

Result<std::vector<RequestRow>> SqliteTx::RequestsInState(const std::string& state, const std::string& subject_email,
                                                    const std::string& account_id) {
  std::string sql = std::string("SELECT ") + kRequestColumns + " FROM requests WHERE (?1 = '' OR state = ?1) AND (";
  sql += "(?2 <> '' AND subject_email = ?2) OR (?3 <> '' AND subject_account = ?3)) ORDER BY seq";
  Statement s(c_, sql);
  s.Bind(1, state).Bind(2, subject_email).Bind(3, account_id);
  return Collect<RequestRow>(s, ReadRequest);
}

}  // namespace dsar::store
