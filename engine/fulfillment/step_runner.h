// The step runner: runs pending fulfillment jobs as plans of steps (issue 5 §4), then commits
// the job's result with its event in one transaction (transactional outbox: the effects that
// leave the process run after the transaction that scheduled them committed).
//
//   RunJobs        An erasure re-checks legal holds first (`hold_active`). A job (one
//                  `fulfill: <action>` effect) is a plan of steps, each recorded in the request's
//                  step ledger (store::LedgerRow, migration 013) under the idempotency key
//                  "<request id>/<action>/<system>/<table>", and run by the Connector registered
//                  for its kind (connector.h):
//                    company_db / <table>   erase: one step per table of the systems map, in map
//                                           order (Fulfiller::RunUnit); other actions: one step, table ""
//                    <system> (webhook)     a signed POST (connectors/webhook.h), for the systems of
//                                           the map whose `actions` name the action
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
//                  A crash while a step runs leaves it `running`: the workers' Recover releases
//                  the job and the step starts again (runs + 1); the company database's journal
//                  still makes each table's erasure happen once, and a webhook gets the same
//                  Idempotency-Key. A step completed by callback waits from before its POST, so a
//                  callback that beats the answer is not lost.
//   ExpireCallbacks  webhook steps still waiting for their callback after the deadline
//                  (callback_timeout) fail: the token stops working and `step_failed` is applied.
//
// Each returns how many items it handled; an error is the store's (the job stays as it was).
// What the runner needs from the request side (applying events, the pinned workflow, secrets,
// the suppression list) comes through StepHost, so it does not depend on the request service.
// Thread safety: call from one worker thread.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/interpreter.h"
#include "core/status.h"
#include "core/time.h"
#include "fulfillment/connector.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/connectors/webhook.h"
#include "store/store.h"

namespace dsar::fulfillment {

// What the step runner asks of the request side. Called from the runner's thread; the Tx
// overloads inside the runner's transaction.
class StepHost {
 public:
  virtual ~StepHost() = default;
  // Applies `event` to `request` (and the events its effects raise); Refused when the workflow
  // refuses it (the runner then keeps its result: the request moved on).
  virtual Status Apply(store::Tx& tx, store::RequestRow& request, const Event& event) = 0;
  // Whether `request`, as it is now, waits for its fulfillment (its pinned workflow offers
  // `fulfilled` in its state).
  virtual Result<bool> AwaitsFulfillment(store::Tx& tx, const store::RequestRow& request) = 0;
  // data.changes of an approve event as corrections; Invalid naming what is wrong.
  virtual Result<std::vector<CorrectionChange>> ParseCorrections(const boost::json::object& data) = 0;
  // Adds the erased person's identifiers to the suppression list (issue 5 §6), in the
  // transaction of the erasure's outcome.
  virtual Status SuppressErased(store::Tx& tx, const store::RequestRow& request,
                                const std::vector<std::string>& account_ids, const std::vector<std::string>& phones) = 0;
  // The citation of a hold ground (GDPR Art. 17(3)); "" for an unknown one.
  virtual std::string HoldCitation(const std::string& ground) = 0;
  // A new callback token, and the keyed hash it is stored under (connectors/webhook.h).
  virtual std::string NewCallbackToken() = 0;
  virtual std::string CallbackTokenHash(const std::string& token) = 0;
};

class StepRunner {
 public:
  // The ledger's name of the company database (the systems map's tables).
  static constexpr const char* kCompanySystem = "company_db";

  // Registers the connectors of every kind: the company database through `fulfiller` (null: no
  // company systems, and every job fails saying so), manual tasks, and webhooks through
  // `webhooks` (callbacks point at `public_base_url`). Borrows `store`, `clock` and `host`,
  // which must outlive it.
  StepRunner(store::Store& store, const Clock& clock, StepHost& host, std::shared_ptr<Fulfiller> fulfiller,
             std::unique_ptr<WebhookClient> webhooks, std::string public_base_url);

  Result<int> RunJobs();
  Result<int> ExpireCallbacks();

  // The steps of `job`, in order (ledger rows not yet stored).
  std::vector<store::LedgerRow> Plan(const store::JobRow& job) const;

  // Replaces the connector of `kind` (connector.h's kinds; tests use it for fakes).
  void SetConnector(const std::string& kind, std::shared_ptr<Connector> connector);
  // The webhook client (default: the one given at construction) for kinds webhook and processor.
  void SetWebhookClient(std::unique_ptr<WebhookClient> client);
  // Test hook: called with the table's name right before the erase step reads the holds on it
  // (outside any store transaction), so a test can place a hold while a deletion runs.
  void TEST_BeforeHoldCheck(std::function<void(const std::string& table)> fn) { before_hold_check_ = std::move(fn); }

 private:
  struct PlanOutcome {
    StepOutcome::Kind kind = StepOutcome::Kind::kDone;
    StepResult result;               // kDone
    store::LedgerRow step;           // the step that failed or waits
    std::string cause;               // kFailed
    std::string task, instructions;  // kWaitingTask
  };
  // `corrections`: the approved changes a `correct` step applies (empty for the other steps).
  PlanOutcome RunPlan(const store::JobRow& job, const store::RequestRow& request, const DataSubject& subject,
                      Millis now, const std::vector<CorrectionChange>& corrections);
  // The job's outcome and its event (and, for an erasure, the suppression list), in one transaction.
  Status FinishJob(const store::JobRow& job, const PlanOutcome& outcome, Millis now,
                   const std::vector<std::string>& erased_accounts, const std::vector<std::string>& erased_phones,
                   const std::string& approved_by);

  store::Store& store_;
  const Clock& clock_;
  StepHost& host_;
  std::shared_ptr<Fulfiller> fulfiller_;
  std::string public_base_url_;
  std::map<std::string, std::shared_ptr<Connector>> connectors_;  // by kind
  std::function<void(const std::string&)> before_hold_check_;
};

}  // namespace dsar::fulfillment
