// Inbound mail: one row per message taken in, its raw bytes in inbound_raw (migration 006).
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

// ---- inbound mail ----

Result<std::int64_t> SqliteTx::InsertInbound(const InboundRow& m, std::string_view raw) {
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
    ReadColumns(s, m.id, m.message_id, m.sha256, m.size, m.received_at, m.intake_at, m.outcome, m.request_id,
                m.detail, m.content_sha256, m.maildir_name, m.raw_purged_at);
    return std::optional(m);
  }
  if (!s.status().ok()) return s.status();
  return std::optional<InboundRow>();
}

}  // namespace

Result<std::optional<InboundRow>> SqliteTx::FindInboundByMessageId(const std::string& message_id,
                                                              const std::string& content_sha256) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns +
                      " FROM inbound_messages WHERE message_id = ?1 AND content_sha256 = ?2 AND outcome <> 'redelivery' "
                      "ORDER BY id LIMIT 1");
  s.Bind(1, message_id).Bind(2, content_sha256);
  return FirstInbound(s);
}

Result<std::optional<InboundRow>> SqliteTx::FindInboundBySha256(const std::string& sha256) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns +
                      " FROM inbound_messages WHERE sha256 = ?1 AND outcome NOT IN ('redelivery', 'refused') "
                      "ORDER BY id LIMIT 1");
  s.Bind(1, sha256);
  return FirstInbound(s);
}

Result<std::optional<InboundRow>> SqliteTx::FindInboundByMaildirName(const std::string& maildir_name) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns + " FROM inbound_messages WHERE maildir_name = ?1");
  s.Bind(1, maildir_name);
  return FirstInbound(s);
}

Result<std::vector<InboundRow>> SqliteTx::ListInbound(const std::string& outcome, std::int64_t after_id, int limit) {
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

Result<std::optional<InboundRow>> SqliteTx::GetInbound(std::int64_t id) {
  Statement s(c_, std::string("SELECT ") + kInboundColumns + " FROM inbound_messages WHERE id = ?1");
  s.Bind(1, id);
  return FirstInbound(s);
}

Result<std::string> SqliteTx::InboundRaw(std::int64_t id) {
  Statement s(c_, "SELECT raw FROM inbound_raw WHERE message_row = ?1");
  s.Bind(1, id);
  if (s.Step()) return s.Text(0);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no inbound message " + std::to_string(id));
}

Status SqliteTx::SetInboundOutcome(std::int64_t id, const std::string& outcome, const std::string& request_id,
                             const std::string& detail) {
  Statement s(c_, "UPDATE inbound_messages SET outcome = ?, request_id = ?, detail = ? WHERE id = ?");
  s.Bind(1, outcome).BindOrNull(2, request_id).BindOrNull(3, detail).Bind(4, id);
  return s.Run();
}

}  // namespace dsar::store
