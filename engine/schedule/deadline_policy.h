// DeadlinePolicy: the deployment's legal deadlines — the jurisdiction rules and holiday
// calendars (workflows/jurisdictions/, workflows/calendars/), the controller's IANA time zone —
// applied to request rows. The calculus itself is pure (engine/core/deadline.h); this class only
// binds it to the configuration and to the row's fields.
//
// "Due" has one meaning everywhere (issue 3 §5): the stored `due_at` is the end of the due day in
// the controller's zone, as a UTC instant; the overdue filter, days_left and the reminders all
// read it. Final states and duplicates have no countdown.
//
// Thread safety: immutable after Load; share freely.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "workflow/config.h"
#include "core/deadline.h"
#include "store/store.h"

namespace dsar::service {

class DeadlinePolicy {
 public:
  static Result<std::shared_ptr<const DeadlinePolicy>> Load(const Config& config);
  ~DeadlinePolicy();

  // Sets r.due_at and r.ack_due_at from the row's jurisdiction, type, received_at, extensions and
  // paused days; clears both for a duplicate (contract — duplicates: no deadline of its own).
  void Apply(store::RequestRow& r) const;
  // Whether an extension may be taken at `now`: the jurisdiction has one left for this request
  // type and the first period has not ended (GDPR Art. 12(3); Cal. Code Regs. tit. 11 § 7021(b)).
  bool ExtensionAllowed(const store::RequestRow& r, Millis now) const;
  // Whether the clock may stop at `now` while waiting for the requester: the jurisdiction allows
  // it and the deadline has not passed (a pause never revives a missed deadline).
  bool PauseAllowed(const store::RequestRow& r, Millis now) const;
  // Whether the request's jurisdiction knows a stopped clock at all.
  bool ClockMayPause(const store::RequestRow& r) const;
  // True when the request's jurisdiction is unknown and the default rule applies: staff are asked
  // to set it (PATCH /requests/{id}), which recomputes the deadline from the same receipt time.
  bool NeedsJurisdiction(const store::RequestRow& r) const;
  // The period for answering an appeal of a refusal under the request's jurisdiction (Va. Code
  // § 59.1-578(C), ...); nullopt where the law gives no appeal.
  std::optional<Period> AppealPeriod(const store::RequestRow& r) const;
  // The legal source of the request's deadline (and of its extension, when extended).
  std::string Citation(const store::RequestRow& r) const;
  // Calendar days between the local dates of two instants (0 when on the same local day).
  int DaysBetween(Millis from, Millis to) const;
  // "YYYY-MM-DD": the local date of `t` in the controller's zone.
  std::string LocalDate(Millis t) const;
  // The first instant of the local day `days` days after the local day of `t` (negative: before).
  Millis StartOfLocalDay(Millis t, int days = 0) const;
  // Days from today (local) to the due day; negative when overdue; nullopt without a countdown
  // (no deadline, a final state, a duplicate, the clock stopped).
  std::optional<int> DaysLeft(const store::RequestRow& r, Millis now) const;
  const std::string& time_zone() const;

  struct Impl;

 private:
  explicit DeadlinePolicy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True for the states that end a request (contract — state names).
bool IsFinalState(const std::string& state);

}  // namespace dsar::service
