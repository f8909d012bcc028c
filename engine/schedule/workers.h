// Workers: the effects that leave the process, run after their transaction committed
// (transactional outbox), each reporting its outcome back as an event. One loop over four jobs,
// each in its own file: the outbox (mail/outbox/worker.cpp), the step runner
// (fulfillment/step_runner.h), the timers (schedule/timers.cpp) and records retention
// (schedule/retention.cpp); the loop itself and crash recovery in schedule/workers.cpp.
//
//   DeliverOutbox  composes each due outbox mail (mail/compose.h) and hands it to the mail
//                  transport (mail/outbox/transport.h: Maildir or SMTP), then marks it delivered. A
//                  failed attempt is retried with exponential backoff (mail_retry_initial,
//                  doubling, at most mail_retry_max); a permanent failure (a 5xx reply, a mail
//                  that cannot be composed, or mail_max_attempts attempts spent) marks the row
//                  failed and records a `mail_failed` event on its request, in one transaction,
//                  so staff see it in the request's history. When the relay cannot be reached
//                  the round stops (the other mails wait for the next one).
//   RunJobs        runs pending fulfillment jobs, step by step, through the step runner
//                  (fulfillment/step_runner.h: the plan, the step ledger, retries, connectors).
//   ExpireCallbacks  webhook steps still waiting for their callback after the deadline fail
//                  (fulfillment/step_runner.h).
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
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/connectors/webhook.h"
#include "fulfillment/step_runner.h"
#include "mail/compose.h"
#include "mail/outbox/transport.h"
#include "requests/engine.h"

namespace dsar::service {

class Workers {
 public:
  // `transport` defaults to the Maildir transport into config().outbox_maildir.
  Workers(Engine& svc, std::shared_ptr<fulfillment::Fulfiller> fulfiller,
          std::unique_ptr<MailTransport> transport = nullptr);

  Result<int> DeliverOutbox();
  Result<int> RunJobs();
  Result<int> ExpireCallbacks();
  Result<int> FireTimers();
  // Records retention (issue 5 §8; config retention_*): whole requests closed longer than
  // retention_request_days ago (each in its own transaction, leaving a tombstone), then raw mail,
  // verification rows and package folders past their shorter periods. Returns how many items
  // were purged.
  Result<int> PurgeExpired();
  // Timers, expired callbacks, jobs and mail once, and the purge when an hour has passed since
  // the last; returns the total handled.
  Result<int> RunOnce();
  // At start: jobs left `running` by a crash go back to `pending` (their steps are idempotent).
  Result<int> Recover();

  // Test hook (environment DSAR_TEST_CRASH=after_send, or its older name after_maildir_write):
  // the process exits at once (status 42) after the transport accepted a mail and before the
  // outbox row is marked delivered.
  void TEST_CrashAfterSend(bool on) { crash_after_send_ = on; }
  // Test hook (DSAR_TEST_CRASH=after_timers:N): the process exits at once after the Nth timer's
  // transaction commits.
  void TEST_CrashAfterTimers(int n) { crash_after_timers_ = n; }
  // Test hook: called with the table's name right before the erase step reads the holds on it
  // (outside any store transaction), so a test can place a hold while a deletion runs.
  void TEST_BeforeHoldCheck(std::function<void(const std::string& table)> fn) {
    runner_->TEST_BeforeHoldCheck(std::move(fn));
  }
  // The webhook client (default: libcurl).
  void SetWebhookClient(std::unique_ptr<fulfillment::WebhookClient> client) {
    runner_->SetWebhookClient(std::move(client));
  }

 private:
  Status FireReminder(store::Tx& tx, const store::RequestRow& r, const store::TimerRow& t, Millis now);
  // Marks `o` failed for good and records `mail_failed` on its request.
  Status GiveUp(const store::OutboxRow& o, const std::string& why, Millis now);

  Engine& svc_;
  std::shared_ptr<fulfillment::Fulfiller> fulfiller_;
  std::unique_ptr<MailTransport> transport_;
  std::unique_ptr<fulfillment::StepHost> host_;  // the request service, as the step runner sees it
  std::unique_ptr<fulfillment::StepRunner> runner_;
  bool crash_after_send_ = false;
  int crash_after_timers_ = 0;
  Millis next_purge_ = 0;
};

// An outbox row as the message to compose (mail/compose.h), from `from`, dated when it was queued.
mail::OutgoingMail OutgoingFor(const store::OutboxRow& o, const std::string& from);

// When a mail that failed its `attempts`-th attempt (1-based) at `now` is tried again:
// now + initial * 2^(attempts-1), the wait capped at `max`.
Millis NextAttempt(Millis now, int attempts, Millis initial, Millis max);

}  // namespace dsar::service
