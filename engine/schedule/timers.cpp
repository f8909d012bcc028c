// Workers::FireTimers: state timeouts and reminders (schedule/workers.h documents the loop).
#include "schedule/workers.h"

#include "holds/holds.h"
#include "identity/codes.h"
#include "identity/suppression.h"
#include "requests/corrections.h"
#include "requests/tasks.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>


namespace dsar::service {

namespace json = boost::json;
namespace fs = std::filesystem;

Result<int> Workers::FireTimers() {
  std::vector<store::TimerRow> timers;
  const Millis now = svc_.clock().Now();
  Status s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.DueTimers(now, 50);
    if (!r.ok()) return r.status();
    timers = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  int fired = 0;
  for (const store::TimerRow& t : timers) {
    Status st = svc_.store().Transact([&](store::Tx& tx) -> Status {
      if (Status m = tx.MarkTimerFired(t.id, now); !m.ok()) return m;
      auto r = tx.GetRequest(t.request_id);
      if (!r.ok()) return r.status();
      store::RequestRow row = std::move(r.value());
      if (t.kind != "state") return FireReminder(tx, row, t, now);
      if (row.state != t.state) return Status::Ok();  // left the state: the timer no longer applies
      Event ev;
      ev.name = t.event;
      ev.actor = "timer";
      if (t.event == "verification_expired" && row.identity_verified) {
        // The data subject verified, but their agent's authority was never recorded (Cal. Code
        // Regs. tit. 11 § 7063(a)): denied for that, not for the verification.
        ev.data["reason_code"] = "agent_not_authorized";
        ev.reason = "the authorized agent's permission or power of attorney was not received in the time allowed";
      } else if (t.event == "verification_expired") {  // a denial: its reason from the fixed list (core/denial.h)
        ev.data["reason_code"] = "insufficient_verification";
        // Why, for the requester (the denied mail prints it): expired, locked, or never confirmed.
        auto why = VerificationFailure(svc_, tx, row);
        if (!why.ok()) return why.status();
        ev.reason = *why;
      }
      ev.data["timer"] = t.id;
      Status a = svc_.ApplyInTx(tx, row, ev, std::nullopt);
      return a.IsRefused() ? Status::Ok() : a;
    });
    if (!st.ok()) return st;
    ++fired;
    if (crash_after_timers_ > 0 && --crash_after_timers_ == 0) std::_Exit(43);
  }
  return fired;
}

Status Workers::FireReminder(store::Tx& tx, const store::RequestRow& r, const store::TimerRow& t, Millis now) {
  const DeadlinePolicy& deadlines = svc_.deadlines();
  const auto days_left = deadlines.DaysLeft(r, now);
  const auto& cfg = svc_.config();
  if (t.kind == "requester_reminder") {
    if (r.state != t.state) return Status::Ok();
    return svc_.QueueMail(tx, r, t.event, {}, std::nullopt, false);
  }
  if (!days_left || r.paused_at) return Status::Ok();  // no countdown any more: no reminder
  if (t.kind == "staff_reminder") {
    if (*days_left < 0) return Status::Ok();  // missed during downtime: the overdue warning says it now
    return svc_.QueueMail(tx, r, "staff_reminder", {{"days_left", std::to_string(*days_left)}}, std::nullopt, false,
                          {cfg.staff_mail});
  }
  // overdue: warn staff and the escalation contact, then again at the start of the next local day.
  // However long the downtime, one warning is sent and the next is scheduled from now.
  if (*days_left >= 0) return Status::Ok();
  if (Status s = svc_.QueueMail(tx, r, "staff_overdue", {{"days_overdue", std::to_string(-*days_left)}},
                                std::nullopt, false, {cfg.staff_mail, cfg.escalation_mail});
      !s.ok())
    return s;
  return tx.InsertTimer({0, r.id, r.state, t.event, deadlines.StartOfLocalDay(now, 1), "overdue"});
}

}  // namespace dsar::service
