// Workers: the effects that leave the process, run after their transaction committed
// (transactional outbox), each reporting its outcome back as an event.
//
//   DeliverOutbox  writes each pending outbox mail into a Maildir (development transport:
//                  `<maildir>/new/<message-id>`), then marks it delivered. The file name is the
//                  mail's Message-ID, so a crash between writing and marking cannot deliver a
//                  mail twice: the next run finds the file and only marks it.
//   RunJobs        runs pending fulfillment steps (Fulfiller, idempotent), then commits the
//                  job's result with the `fulfilled` / `step_failed` event in one transaction.
//                  An erasure re-checks legal holds first (`hold_active`).
//   FireTimers     fires each due timer once, in fire_at order: marking it fired and applying its
//                  event (a state timeout) or queueing its mail (a reminder) commit together.
//                  Reminders: staff N days before the due day; an overdue warning to staff and
//                  the escalation contact, then daily while overdue (after downtime, one warning,
//                  and the next from now); the requester's reminder to confirm their request.
//
// Each returns how many items it handled. Thread safety: call from one worker thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/status.h"
#include "fulfillment/fulfillment.h"
#include "service/request_service.h"

namespace dsar::service {

class Workers {
 public:
  Workers(RequestService& svc, std::shared_ptr<fulfillment::Fulfiller> fulfiller)
      : svc_(svc), fulfiller_(std::move(fulfiller)) {}

  Result<int> DeliverOutbox();
  Result<int> RunJobs();
  Result<int> FireTimers();
  // All three once; returns the total handled.
  Result<int> RunOnce();
  // At start: jobs left `running` by a crash go back to `pending` (their steps are idempotent).
  Result<int> Recover();

  // Test hook (environment DSAR_TEST_CRASH=after_maildir_write): the process exits at once
  // after a mail file is written and before the outbox row is marked delivered.
  void TEST_CrashAfterMaildirWrite(bool on) { crash_after_maildir_write_ = on; }
  // Test hook (DSAR_TEST_CRASH=after_timers:N): the process exits at once after the Nth timer's
  // transaction commits.
  void TEST_CrashAfterTimers(int n) { crash_after_timers_ = n; }

 private:
  Status FireReminder(store::Tx& tx, const store::RequestRow& r, const store::TimerRow& t, Millis now);

  RequestService& svc_;
  std::shared_ptr<fulfillment::Fulfiller> fulfiller_;
  bool crash_after_maildir_write_ = false;
  int crash_after_timers_ = 0;
};

// Renders an outbox row as an RFC 5322 message (UTF-8, 8bit).
std::string RenderMessage(const store::OutboxRow& o, const std::string& from, Millis date);

}  // namespace dsar::service
