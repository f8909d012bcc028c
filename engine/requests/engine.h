// Engine: the transition engine of data subject requests, and the context every use case runs in.
//
// Every state change goes through ApplyInTx: load the request and its pinned workflow, ask the
// pure interpreter (core/interpreter.h), and write the new state (optimistic version check), the
// transitions row and the scheduled effects (outbox mail, verification code, timers, jobs) in one
// store transaction. Effects that leave the process run later, after the commit (the outbox
// worker, the step runner, the timers), and report back as events.
//
// The use cases of the other jobs are free functions over an Engine, each in its folder:
// identity/ (codes, data points, agents, tokens, suppression), holds/, intake/, release/ (package
// review and download links), requests/tasks.h (staff tasks, the step ledger, callbacks).
//
// Thread safety: all methods may be called from any thread; the Store serialises writers. The
// seams (Set*) are set once at start, before any request is served.
// Time: `now` always comes from the injected Clock.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/interpreter.h"
#include "core/model.h"
#include "core/status.h"
#include "core/workflow.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "identity/data_points.h"
#include "identity/secrets.h"
#include "mail/templates.h"
#include "requests/workflow_registry.h"
#include "schedule/deadline_policy.h"
#include "store/store.h"
#include "workflow/config.h"
#include "workflow/verification_policy.h"

namespace dsar::service {

// Events staff may send to POST /requests/{id}/events (DESIGN.md contract — staff events).
const std::vector<std::string>& StaffEvents();
// Final states shared by the shipped workflows (contract — state names).
const std::vector<std::string>& FinalStates();
bool IsFinalState(const std::string& state);

// A request entered already verified (issue 5 §1): "session" when the company's logged-in
// session vouches for the data subject (an authenticated API client says so), "staff" when a
// staff member entered it with the evidence seen. `note` is required; recorded with the actor on
// the `submit_verified` transition; no code is mailed.
struct PreVerification {
  std::string method;  // session | staff
  std::string note;
};

struct CreateRequestInput {
  std::string type;
  std::string jurisdiction;  // "" when unknown
  DataSubject subject;
  std::optional<Requester> requester;
  std::string channel = "api";
  std::optional<Millis> received_at;  // defaults to now; never in the future
  boost::json::object details;
  std::string language;
  std::string actor = "api";
  std::string idempotency_key;  // "" when none
  std::string fingerprint;      // of the request body, for Idempotency-Key reuse checks
  std::optional<PreVerification> verification;  // nullopt: the workflow verifies as usual
};

// A request as its answer shows it, read in the transaction that produced it: the row, with the
// agent's authority (agent_authorizations; kNotNeeded when the data subject asked) and the
// pinned workflow (nullptr only when its definition cannot be loaded). It is the row (callers
// reading fields are unchanged); a view made from a bare row (the implicit constructor) has
// neither until CompleteViewInTx fills them. A presenter needs nothing else but `now` and the
// deadline policy (api/presenters.h).
struct RequestView : store::RequestRow {
  RequestView() = default;
  RequestView(store::RequestRow row) : store::RequestRow(std::move(row)) {}  // NOLINT: implicit by design
  AgentAuthority agent = AgentAuthority::kNotNeeded;
  std::shared_ptr<const Workflow> workflow;
};

struct CreateOutcome {
  RequestView request;
  bool replayed = false;  // an Idempotency-Key replay: the existing request, nothing written
};

class Engine {
 public:
  // Loads the workflows (refusing invalid ones: Invalid with every `file:line: message`), the
  // mail templates and the server key; records the current workflow definitions in the store.
  static Result<std::unique_ptr<Engine>> Create(const Config& config, store::Store& store, const Clock& clock);

  Result<CreateOutcome> CreateRequest(const CreateRequestInput& in);
  Result<RequestView> Get(const std::string& id_or_reference);
  // True for a state name of a shipped workflow or of the contract (DESIGN.md §3).
  bool IsStateName(const std::string& name) const { return workflows_.IsStateName(name); }
  // One page of requests as views: the agents' authority of the whole page is one query
  // (Tx::AgentAuthorizationsForRequests), the pinned workflows come from the registry's cache,
  // and the clock is read once: the statements a page costs do not grow with its length.
  Result<std::vector<RequestView>> List(store::RequestFilter filter);
  Result<std::vector<store::TransitionRow>> Transitions(const std::string& id);

  // A staff (or integration) event; Unprocessable for an event that is not a staff event,
  // Conflict for a stale expected_version, Refused when the workflow refuses it.
  // The answer is the view read in the event's own transaction.
  Result<RequestView> ApplyStaffEvent(const std::string& id, Event event, std::optional<std::int64_t> expected_version);
  // A system event (workers, timers, holds): any event the workflow offers.
  Result<store::RequestRow> ApplySystemEvent(const std::string& id, Event event);

  // Staff correct the jurisdiction ("" = unknown) and/or the true receipt time (never in the
  // future, never after the request was entered); recorded as an `amend` transition, and the
  // deadline is recomputed from the receipt time (issue 3 §1, §3).
  Result<RequestView> Amend(const std::string& id, std::optional<std::string> jurisdiction,
                                  std::optional<Millis> received_at, const std::string& actor,
                                  std::optional<std::int64_t> expected_version);

  // Creates a request inside `tx` (intake's transaction) and applies its first event (submit,
  // submit_verified or duplicate_detected); the input was checked by CreateRequest or intake.
  Result<store::RequestRow> CreateInTx(store::Tx& tx, const CreateRequestInput& in, Millis now);
  // Applies `event` to `request` inside `tx` and follows up any events the effects raise
  // (check_holds). Used by the workers, which own their transaction.
  Status ApplyInTx(store::Tx& tx, store::RequestRow& request, const Event& event,
                   std::optional<std::int64_t> expected_version);
  // Fills `view`'s agent authority and pinned workflow from `tx` (the transaction that wrote or
  // read its row), so the answer needs no read after the commit.
  Status CompleteViewInTx(store::Tx& tx, RequestView& view);
  // Queues a mail from `template_name` about request `r`. Recipients: the data subject (and the
  // requester when someone else asked), or `to` when given (staff mail).
  Status QueueMail(store::Tx& tx, const store::RequestRow& r, const std::string& template_name,
                   std::map<std::string, std::string> vars, std::optional<std::int64_t> transition_seq,
                   bool carries_secret, const std::vector<std::string>& to = {});
  // Cancels the request's deadline reminders and schedules the ones still ahead of `now` (none
  // without a countdown: final, duplicate, paused, no deadline): schedule/reminders.h.
  Status ScheduleReminders(store::Tx& tx, const store::RequestRow& r, Millis now);

  // The workflow a request is pinned to (by hash), loading a stored definition when needed.
  Result<std::shared_ptr<const Workflow>> PinnedWorkflow(store::Tx& tx, const std::string& hash) {
    return workflows_.Pinned(tx, hash);
  }
  // The pinned definition when it is in memory (no store read); nullptr otherwise.
  std::shared_ptr<const Workflow> CachedWorkflow(const std::string& hash) { return workflows_.Cached(hash); }
  // The verification policy in force for `r` (workflows/verification/verification.yaml).
  workflow::VerificationPolicy PolicyFor(const store::RequestRow& r) const {
    return policies_.For(r.type, r.jurisdiction);
  }
  // True for our own mail address or any address at mail_domain (never a data subject by mail).
  bool IsOwnAddress(const std::string& email) const;

  const Config& config() const { return config_; }
  store::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  const Secrets& secrets() const { return secrets_; }
  const DeadlinePolicy& deadlines() const { return *deadlines_; }
  const MailTemplates& templates() const { return templates_; }
  const workflow::VerificationPolicies& policies() const { return policies_; }

  // ---- seams to the company's systems, set once at start (service/company_systems.h) ----
  // Corrections (issue 5 §6; GDPR Art. 16; Cal. Civ. Code § 1798.106; Cal. Code Regs. tit. 11
  // § 7023): staff approve a correction request with `approve` and data.changes, a non-empty list
  // of {table, column, value} naming fields of the systems map (checked by this callback,
  // fulfillment::Fulfiller::CheckCorrections; set once at start); the `correct` step then applies
  // them to the subject's rows, and its `fulfilled` transition records every row's value before
  // and after (personal data: kept in the request's record only, purged with it). A denial uses
  // `deny` with a reason from the fixed list.
  using CorrectionCheck = std::function<Status(const std::vector<fulfillment::CorrectionChange>&)>;
  void SetCorrectionCheck(CorrectionCheck check) { correction_check_ = std::move(check); }
  const CorrectionCheck& correction_check() const { return correction_check_; }
  // Finds the data subject's account ids in the company's systems (fulfillment::Fulfiller::
  // AccountIds); set once at start, before any request is served.
  using AccountResolver = std::function<Result<std::vector<std::string>>(const DataSubject&)>;
  void SetAccountResolver(AccountResolver resolver) { account_resolver_ = std::move(resolver); }
  const AccountResolver& account_resolver() const { return account_resolver_; }
  // The tables of the systems map with their categories: what table and category holds may name.
  void SetHoldScopes(std::vector<std::pair<std::string, std::string>> table_categories) {
    hold_scopes_ = std::move(table_categories);
  }
  const std::vector<std::pair<std::string, std::string>>& hold_scopes() const { return hold_scopes_; }
  // Where data points come from (identity/data_points.h).
  void SetDataPointSource(DataPointSource source) { data_points_ = std::move(source); }
  const DataPointSource& data_points() const { return data_points_; }

 private:
  Engine(Config config, store::Store& store, const Clock& clock, Secrets secrets, MailTemplates templates,
         std::shared_ptr<const DeadlinePolicy> deadlines)
      : config_(std::move(config)), store_(store), clock_(clock), secrets_(std::move(secrets)),
        templates_(std::move(templates)), deadlines_(std::move(deadlines)) {}

  Status ApplyEffects(store::Tx& tx, store::RequestRow& request, const Decision& d, std::int64_t transition_seq,
                      const Event& event, std::vector<Event>& follow_ups);

  Config config_;
  store::Store& store_;
  const Clock& clock_;
  Secrets secrets_;
  MailTemplates templates_;
  std::shared_ptr<const DeadlinePolicy> deadlines_;
  workflow::VerificationPolicies policies_;  // fixed after Create
  WorkflowRegistry workflows_;               // self-synchronised
  AccountResolver account_resolver_;         // fixed after start
  CorrectionCheck correction_check_;         // fixed after start
  std::vector<std::pair<std::string, std::string>> hold_scopes_;  // (table, category); fixed after start
  DataPointSource data_points_;              // fixed after start
};

}  // namespace dsar::service
