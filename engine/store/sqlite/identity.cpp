// Identity: verification codes, authorized agents, data-point attempts, the opt-out fraud count,
// and API tokens (hashes only).
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

// ---- verifications ----

Status SqliteTx::InsertVerification(const VerificationRow& v) {
  Statement s(c_,
              "INSERT INTO verifications (request_id, code_hash, issued_at, expires_at, attempts, max_attempts) "
              "VALUES (?,?,?,?,0,?)");
  s.Bind(1, v.request_id).Bind(2, v.code_hash).Bind(3, v.issued_at).Bind(4, v.expires_at).Bind(5, v.max_attempts);
  return s.Run();
}

Result<std::optional<VerificationRow>> SqliteTx::LatestVerification(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, code_hash, issued_at, expires_at, attempts, max_attempts, consumed_at, locked_at "
              "FROM verifications WHERE request_id = ? ORDER BY id DESC LIMIT 1");
  s.Bind(1, request_id);
  if (s.Step()) {
    VerificationRow v;
    ReadColumns(s, v.id, v.request_id, v.code_hash, v.issued_at, v.expires_at, v.attempts, v.max_attempts,
                v.consumed_at, v.locked_at);
    return std::optional(v);
  }
  if (!s.status().ok()) return s.status();
  return std::optional<VerificationRow>();
}

Status SqliteTx::UpdateVerification(const VerificationRow& v) {
  Statement s(c_, "UPDATE verifications SET attempts = ?, consumed_at = ?, locked_at = ? WHERE id = ?");
  s.Bind(1, v.attempts).Bind(2, v.consumed_at).Bind(3, v.locked_at).Bind(4, v.id);
  return s.Run();
}

Result<int> SqliteTx::VerificationCount(const std::string& request_id) {
  Statement s(c_, "SELECT count(*) FROM verifications WHERE request_id = ?");
  s.Bind(1, request_id);
  if (s.Step()) return static_cast<int>(s.Int(0));
  if (!s.status().ok()) return s.status();
  return 0;
}

// ---- authorized agents, data points ----

Status SqliteTx::InsertAgentAuthorization(const AgentAuthorizationRow& a) {
  Statement s(c_,
              "INSERT INTO agent_authorizations (request_id, kind, note, evidence_ref, recorded_by, recorded_at) "
              "VALUES (?,?,?,?,?,?)");
  s.Bind(1, a.request_id).Bind(2, a.kind).Bind(3, a.note).BindOrNull(4, a.evidence_ref).Bind(5, a.recorded_by);
  s.Bind(6, a.recorded_at);
  return s.Run();
}

Result<std::vector<AgentAuthorizationRow>> SqliteTx::AgentAuthorizationsFor(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, kind, note, COALESCE(evidence_ref, ''), recorded_by, recorded_at "
              "FROM agent_authorizations WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<AgentAuthorizationRow>(s, [](const Statement& q) {
    AgentAuthorizationRow a;
    ReadColumns(q, a.id, a.request_id, a.kind, a.note, a.evidence_ref, a.recorded_by, a.recorded_at);
    return a;
  });
}

Result<std::vector<AgentAuthorizationRow>> SqliteTx::AgentAuthorizationsForRequests(
    const std::vector<std::string>& request_ids) {
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
  return Collect<AgentAuthorizationRow>(s, [](const Statement& q) {
    AgentAuthorizationRow a;
    ReadColumns(q, a.id, a.request_id, a.kind, a.note, a.evidence_ref, a.recorded_by, a.recorded_at);
    return a;
  });
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

Status SqliteTx::InsertDataPointAttempt(const DataPointAttemptRow& a) {
  Statement s(c_,
              "INSERT INTO data_point_attempts (request_id, at, offered, matched, matched_count, required, "
              "signed_declaration, success) VALUES (?,?,?,?,?,?,?,?)");
  s.Bind(1, a.request_id).Bind(2, a.at).Bind(3, NamesJson(a.offered)).Bind(4, NamesJson(a.matched));
  s.Bind(5, static_cast<std::int64_t>(a.matched.size())).Bind(6, static_cast<std::int64_t>(a.required));
  s.Bind(7, static_cast<std::int64_t>(a.signed_declaration ? 1 : 0)).Bind(8, static_cast<std::int64_t>(a.success ? 1 : 0));
  return s.Run();
}

Result<std::vector<DataPointAttemptRow>> SqliteTx::DataPointAttemptsFor(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, at, offered, matched, required, signed_declaration, success "
              "FROM data_point_attempts WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<DataPointAttemptRow>(s, [](const Statement& q) {
    DataPointAttemptRow a;
    std::string offered, matched;
    ReadColumns(q, a.id, a.request_id, a.at, offered, matched, a.required, a.signed_declaration, a.success);
    a.offered = NamesFromJson(offered);
    a.matched = NamesFromJson(matched);
    return a;
  });
}

Result<int> SqliteTx::CountRequestsSince(const std::string& subject_email, const std::string& type, Millis since) {
  Statement s(c_, "SELECT count(*) FROM requests WHERE subject_email = ? AND type = ? AND created_at >= ?");
  s.Bind(1, subject_email).Bind(2, type).Bind(3, since);
  if (s.Step()) return static_cast<int>(s.Int(0));
  return s.status();
}

// ---- API tokens ----

Status SqliteTx::InsertToken(const std::string& name, const std::string& token_hash, Millis now) {
  Statement s(c_, "INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?,?,?)");
  s.Bind(1, name).Bind(2, token_hash).Bind(3, now);
  return s.Run();
}

Result<std::optional<std::string>> SqliteTx::TokenName(const std::string& token_hash) {
  Statement s(c_, "SELECT name FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL");
  s.Bind(1, token_hash);
  if (s.Step()) return std::optional<std::string>(s.Text(0));
  if (!s.status().ok()) return s.status();
  return std::optional<std::string>();
}

}  // namespace dsar::store
