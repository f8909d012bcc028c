// Records retention (issue 5 §8): closed requests, purges and their tombstones.
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

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

Result<std::vector<RequestRow>> SqliteTx::ClosedRequests(const std::vector<std::string>& final_states, Millis closed_before,
                                                   int limit) {
  Statement s(c_, std::string("SELECT ") + kRequestColumns + " FROM requests WHERE updated_at < ?1" +
                      InFinal("state", final_states, 3) + " ORDER BY updated_at, seq LIMIT ?2");
  s.Bind(1, closed_before).Bind(2, static_cast<std::int64_t>(limit));
  BindFinal(s, final_states, 3);
  return Collect<RequestRow>(s, ReadRequest);
}

Status SqliteTx::PurgeRequest(const RequestRow& r, Millis now) {
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

Result<int> SqliteTx::PurgeRawMail(const std::vector<std::string>& final_states, Millis closed_before, Millis unlinked_before,
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

Result<int> SqliteTx::PurgeVerifications(const std::vector<std::string>& final_states, Millis closed_before) {
  Statement s(c_, "DELETE FROM verifications WHERE request_id IN (SELECT id FROM requests WHERE updated_at < ?1" +
                      InFinal("state", final_states, 2) + ")");
  s.Bind(1, closed_before);
  BindFinal(s, final_states, 2);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes();
}

}  // namespace dsar::store
