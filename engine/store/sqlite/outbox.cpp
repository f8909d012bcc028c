// The outbox: mail queued in the transaction that decided it, delivered after the commit.
#include "store/sqlite/sqlite_tx.h"

#include <sstream>

#include "store/sqlite/read_rows.h"

namespace dsar::store {

namespace {

constexpr const char* kOutboxColumns =
    "id, request_id, transition_seq, template, to_json, subject, body, carries_secret, message_id, in_reply_to, "
    "created_at, attempts, next_attempt_at, delivered_at, last_error, body_html, language, failed_at, references_ids";

OutboxRow ReadOutbox(const Statement& s) {
  OutboxRow o;
  ReadColumns(s, o.id, o.request_id, o.transition_seq, o.template_name, o.to_json, o.subject, o.body,
              o.carries_secret, o.message_id, o.in_reply_to, o.created_at, o.attempts, o.next_attempt_at,
              o.delivered_at, o.last_error, o.body_html, o.language, o.failed_at);
  std::istringstream refs(s.Text(18));
  for (std::string id; refs >> id;) o.references.push_back(id);
  return o;
}

}  // namespace

// ---- outbox ----

Result<std::int64_t> SqliteTx::InsertOutbox(const OutboxRow& o) {
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

Result<std::vector<OutboxRow>> SqliteTx::PendingOutbox(Millis now, int limit) {
  Statement s(c_, std::string("SELECT ") + kOutboxColumns +
                      " FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? "
                      "ORDER BY next_attempt_at, id LIMIT ?");
  s.Bind(1, now).Bind(2, limit);
  return Collect<OutboxRow>(s, ReadOutbox);
}

Status SqliteTx::MarkOutboxDelivered(std::int64_t id, Millis now) {
  Statement s(c_,
              "UPDATE outbox SET delivered_at = ?1, attempts = attempts + 1, last_error = NULL, "
              "body = CASE WHEN carries_secret THEN NULL ELSE body END, "
              "body_html = CASE WHEN carries_secret THEN NULL ELSE body_html END WHERE id = ?2");
  s.Bind(1, now).Bind(2, id);
  return s.Run();
}

Status SqliteTx::MarkOutboxGaveUp(std::int64_t id, const std::string& error, Millis now) {
  Statement s(c_,
              "UPDATE outbox SET failed_at = ?1, attempts = attempts + 1, last_error = ?2, "
              "body = CASE WHEN carries_secret THEN NULL ELSE body END, "
              "body_html = CASE WHEN carries_secret THEN NULL ELSE body_html END WHERE id = ?3");
  s.Bind(1, now).Bind(2, error).Bind(3, id);
  return s.Run();
}

Status SqliteTx::MarkOutboxFailed(std::int64_t id, const std::string& error, Millis next_attempt_at) {
  Statement s(c_, "UPDATE outbox SET attempts = attempts + 1, last_error = ?1, next_attempt_at = ?2 WHERE id = ?3");
  s.Bind(1, error).Bind(2, next_attempt_at).Bind(3, id);
  return s.Run();
}

Result<std::vector<OutboxRow>> SqliteTx::OutboxFor(const std::string& request_id) {
  Statement s(c_, std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<OutboxRow>(s, ReadOutbox);
}

Result<std::optional<std::string>> SqliteTx::RequestForMessageId(const std::string& message_id) {
  Statement s(c_, "SELECT request_id FROM outbox WHERE message_id = ?");
  s.Bind(1, message_id);
  if (s.Step()) return std::optional<std::string>(s.Text(0));
  if (!s.status().ok()) return s.status();
  return std::optional<std::string>();
}

}  // namespace dsar::store
