// Timers: state timeouts and reminders, fired by the scheduler.
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

// ---- timers ----

Status SqliteTx::InsertTimer(const TimerRow& t) {
  Statement s(c_, "INSERT INTO timers (request_id, state, event, fire_at, kind) VALUES (?,?,?,?,?)");
  s.Bind(1, t.request_id).Bind(2, t.state).Bind(3, t.event).Bind(4, t.fire_at).Bind(5, t.kind);
  return s.Run();
}

Status SqliteTx::CancelTimers(const std::string& request_id, const std::vector<std::string>& kinds, Millis now) {
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
TimerRow ReadTimer(const Statement& s) {
  TimerRow t;
  ReadColumns(s, t.id, t.request_id, t.state, t.event, t.fire_at, t.kind);
  return t;
}
}  // namespace

Result<std::vector<TimerRow>> SqliteTx::PendingTimers(const std::string& request_id) {
  Statement s(c_,
              "SELECT id, request_id, state, event, fire_at, kind FROM timers WHERE request_id = ? AND fired_at IS NULL "
              "AND cancelled_at IS NULL ORDER BY fire_at, id");
  s.Bind(1, request_id);
  return Collect<TimerRow>(s, ReadTimer);
}

Result<std::vector<TimerRow>> SqliteTx::DueTimers(Millis now, int limit) {
  Statement s(c_,
              "SELECT id, request_id, state, event, fire_at, kind FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL "
              "AND fire_at <= ? ORDER BY fire_at, id LIMIT ?");
  s.Bind(1, now).Bind(2, limit);
  return Collect<TimerRow>(s, ReadTimer);
}

Status SqliteTx::MarkTimerFired(std::int64_t id, Millis now) {
  Statement s(c_, "UPDATE timers SET fired_at = ? WHERE id = ? AND fired_at IS NULL");
  s.Bind(1, now).Bind(2, id);
  return s.Run();
}

}  // namespace dsar::store
