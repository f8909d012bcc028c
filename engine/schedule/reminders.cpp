#include "schedule/reminders.h"

#include <algorithm>

namespace dsar::service {

Status ScheduleDeadlineReminders(store::Tx& tx, const store::RequestRow& r, Millis now, const DeadlinePolicy& policy,
                                 const std::vector<int>& days_before) {
  if (Status s = tx.CancelTimers(r.id, {"staff_reminder", "overdue"}, now); !s.ok()) return s;
  if (!policy.DaysLeft(r, now).has_value() || r.paused_at) return Status::Ok();
  const Millis due = *r.due_at;
  for (int days : days_before) {
    const Millis at = policy.StartOfLocalDay(due, -days);
    if (at > now)
      if (Status s = tx.InsertTimer({0, r.id, r.state, "staff_reminder", at, "staff_reminder"}); !s.ok()) return s;
  }
  // Overdue: the first instant after the due day, then (when fired) the start of each next day.
  return tx.InsertTimer({0, r.id, r.state, "staff_overdue", std::max(due + 1, now), "overdue"});
}

}  // namespace dsar::service
