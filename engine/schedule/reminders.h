// Deadline reminders (issue 3): staff are reminded at the start of the controller's local day N
// days before the due day (Config::reminder_days_before), then warned when a request is overdue,
// and every day after while it stays overdue (the timers fire in the timer worker).
//
// Thread safety: runs inside the caller's transaction.
#pragma once

#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "schedule/deadline_policy.h"
#include "store/store.h"

namespace dsar::service {

// Cancels the request's pending staff_reminder and overdue timers and schedules the ones still
// ahead of `now`: one per entry of `days_before`, and the first overdue warning (the first instant
// after the due day). None without a countdown (final, duplicate, paused, no deadline).
Status ScheduleDeadlineReminders(store::Tx& tx, const store::RequestRow& r, Millis now, const DeadlinePolicy& policy,
                                 const std::vector<int>& days_before);

}  // namespace dsar::service
