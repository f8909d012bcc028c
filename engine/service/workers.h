// Workers: the effects that leave the process, run after their transaction committed
// (transactional outbox), each reporting its outcome back as an event.
//
//   DeliverOutbox  composes each due outbox mail (mail/compose.h) and hands it to the mail
//                  transport (mail_transport.h: Maildir or SMTP), then marks it delivered. A
//                  failed attempt is retried with exponential backoff (mail_retry_initial,
//                  doubling, at most mail_retry_max); a permanent failure (a 5xx reply, a mail
//                  that cannot be composed, or mail_max_attempts attempts spent) marks the row
//                  failed and records a `mail_failed` event on its request, in one transaction,
//                  so staff see it in the request's history. When the relay cannot be reached
//                  the round stops (the other mails wait for the next one).
//   RunJobs        runs pending fulfillment jobs, then commits the job's result with its event
//                  in one transaction. An erasure re-checks legal holds first (`hold_active`).
//                  A job (one `fulfill: <action>` effect) is a plan of steps (issue 5 §4), each
//                  recorded in the request's step ledger (store::LedgerRow, migration 013) under
//                  the idempotency key "<request id>/<action>/<system>/<table>":
//                    company_db / <table>   erase: one step per table of the systems map, in map
//                                           order (Fulfiller::RunUnit); other actions: one step, table ""
//                    <system> (webhook)     a signed POST (webhook.h), for the systems of the map
//                                           whose `actions` name the action
//                    <system> (manual)      a task for staff (`task_opened`: the request waits in
//                                           awaiting_task; `complete_task` resumes the job)
//                    <processor>            a webhook to each processor whose `receives` names the
//                                           request type (GDPR Art. 19; Cal. Code Regs. tit. 11
//                                           § 7022(b)(3), § 7026(f))
//                  A step that is done is never run again (a retry resumes at the failed step);
//                  the first failure ends the job with `step_failed` (data: system, table, action,
//                  kind, ledger_step, cause), which puts the request in `error`; `fulfilled`
//                  carries the summary assembled from the ledger's results alone, so a resumed
//                  job reports what an undisturbed one does.
//                  A crash while a step runs leaves it `running`: Recover releases the job and the
//                  step starts again (runs + 1); the company database's journal still makes each
//                  table's erasure happen once, and a webhook gets the same Idempotency-Key. A
//                  step completed by callback waits from before its POST, so a callback that
//                  beats the answer is not lost.
//   ExpireCallbacks  webhook steps still waiting for their callback after the deadline
//                  (callback_timeout) fail: the token stops working and `step_failed` is applied.
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
#include "mail/compose.h"
#include "service/mail_transport.h"
#include "requests/engine.h"
#include "service/webhook.h"

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
  void TEST_BeforeHoldCheck(std::function<void(const std::string& table)> fn) { before_hold_check_ = std::move(fn); }
  // The webhook client (default: libcurl).
  void SetWebhookClient(std::unique_ptr<WebhookClient> client) { webhooks_ = std::move(client); }

  // The ledger's name of the company database (the systems map's tables).
  static constexpr const char* kCompanySystem = "company_db";

 private:
  struct PlanOutcome {
    enum class Kind { kDone, kFailed, kWaitingTask, kWaitingCallback };
    Kind kind = Kind::kDone;
    fulfillment::StepResult result;  // kDone
    store::LedgerRow step;           // the step that failed or waits
    std::string cause;               // kFailed
    std::string task, instructions;  // kWaitingTask
  };
  // The steps of `job`, in order (ledger rows not yet stored).
  std::vector<store::LedgerRow> Plan(const store::JobRow& job) const;
  // `corrections`: the approved changes a `correct` step applies (empty for the other steps).
  PlanOutcome RunPlan(const store::JobRow& job, const store::RequestRow& request, const DataSubject& subject,
                      Millis now, const std::vector<fulfillment::CorrectionChange>& corrections);
  Status FireReminder(store::Tx& tx, const store::RequestRow& r, const store::TimerRow& t, Millis now);
  // Marks `o` failed for good and records `mail_failed` on its request.
  Status GiveUp(const store::OutboxRow& o, const std::string& why, Millis now);

  Engine& svc_;
  std::shared_ptr<fulfillment::Fulfiller> fulfiller_;
  std::unique_ptr<MailTransport> transport_;
  std::unique_ptr<WebhookClient> webhooks_;
  bool crash_after_send_ = false;
  int crash_after_timers_ = 0;
  std::function<void(const std::string&)> before_hold_check_;
  Millis next_purge_ = 0;
};

// An outbox row as the message to compose (mail/compose.h), from `from`, dated when it was queued.
mail::OutgoingMail OutgoingFor(const store::OutboxRow& o, const std::string& from);

// When a mail that failed its `attempts`-th attempt (1-based) at `now` is tried again:
// now + initial * 2^(attempts-1), the wait capped at `max`.
Millis NextAttempt(Millis now, int attempts, Millis initial, Millis max);

}  // namespace dsar::service
