#include "fulfillment/step_runner.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <utility>

#include "fulfillment/connectors/manual_task.h"
#include "fulfillment/connectors/sql/sql_connector.h"
#include "fulfillment/systems_map.h"

namespace dsar::fulfillment {

namespace json = boost::json;

namespace {

// What `read` returns (a Result), read outside a transaction (store::Store::Read).
template <class Read>
auto ReadValue(store::Store& store, Read read) -> decltype(read(std::declval<store::Tx&>())) {
  std::optional<decltype(read(std::declval<store::Tx&>()))> out;
  Status s = store.Read([&](store::Tx& tx) {
    out.emplace(read(tx));
    return out->ok() ? Status::Ok() : out->status();
  });
  if (!s.ok()) return s;
  return std::move(*out);
}

// The failed step (system/table/action) and the cause, for staff on the request: the data of
// `step_failed`.
void DescribeFailedStep(const store::LedgerRow& step, const std::string& cause, json::object& data) {
  data["system"] = step.system;
  data["table"] = step.table_name;
  data["action"] = step.action;
  data["kind"] = step.kind;
  data["ledger_step"] = step.idempotency_key;
  data["cause"] = cause;
}

const ConnectorSpec* ConnectorNamed(const SystemsMap& map, const std::string& name) {
  for (const auto& c : map.connectors)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

StepRunner::StepRunner(store::Store& store, const Clock& clock, StepHost& host, std::shared_ptr<Fulfiller> fulfiller,
                       std::unique_ptr<WebhookClient> webhooks, std::string public_base_url)
    : store_(store), clock_(clock), host_(host), fulfiller_(std::move(fulfiller)),
      public_base_url_(std::move(public_base_url)) {
  if (fulfiller_) connectors_[kSqlKind] = std::make_shared<SqlConnector>(fulfiller_);
  connectors_[kManualKind] = std::make_shared<ManualTaskConnector>(store_, clock_);
  SetWebhookClient(std::move(webhooks));
}

void StepRunner::SetConnector(const std::string& kind, std::shared_ptr<Connector> connector) {
  connectors_[kind] = std::move(connector);
}

void StepRunner::SetWebhookClient(std::unique_ptr<WebhookClient> client) {
  CallbackTokens tokens;
  tokens.issue = [this] { return host_.NewCallbackToken(); };
  tokens.hash = [this](const std::string& token) { return host_.CallbackTokenHash(token); };
  auto webhook = std::make_shared<WebhookConnector>(store_, clock_, std::move(client), public_base_url_, std::move(tokens));
  connectors_[kWebhookKind] = webhook;
  connectors_[kProcessorKind] = webhook;
}

Result<int> StepRunner::RunJobs() {
  auto jobs = ReadValue(store_, [](store::Tx& tx) { return tx.PendingJobs(20); });
  if (!jobs.ok()) return jobs.status();
  int handled = 0;
  for (const store::JobRow& job : *jobs) {
    auto request = ReadValue(store_, [&](store::Tx& tx) { return tx.GetRequest(job.request_id); });
    if (!request.ok()) return request.status();
    const Millis now = clock_.Now();
    // An erasure never starts while a legal hold covers the data subject.
    if (job.step == "erase") {
      auto holds = ReadValue(
          store_, [&](store::Tx& tx) { return tx.ActiveHoldCount(request->subject_email, request->subject_account); });
      if (!holds.ok()) return holds.status();
      if (*holds > 0) {
        Status t = store_.Transact([&](store::Tx& tx) -> Status {
          if (Status f = tx.FinishJob(job.id, "superseded", "", "a legal hold was placed before erasure", now); !f.ok())
            return f;
          store::RequestRow r = *request;
          Event ev;
          ev.name = "hold_active";
          ev.actor = "system";
          ev.data["job"] = job.id;
          Status a = host_.Apply(tx, r, ev);
          return a.IsRefused() ? Status::Ok() : a;
        });
        if (!t.ok()) return t;
        ++handled;
        continue;
      }
    }
    // Claim the job while the request still waits for it; a request that moved on (cancelled,
    // denied) never has its step run. While a job runs, staff cannot cancel or deny the request.
    bool claimed = false;
    Status cs = store_.Transact([&](store::Tx& tx) -> Status {
      auto fresh = tx.GetRequest(job.request_id);
      if (!fresh.ok()) return fresh.status();
      auto awaits = host_.AwaitsFulfillment(tx, *fresh);
      if (!awaits.ok()) return awaits.status();
      if (!*awaits)
        return tx.FinishJob(job.id, "cancelled", "", "the request is '" + fresh->state + "': the step was not run", now);
      if (Status c = tx.ClaimJob(job.id); !c.ok()) return c.IsConflict() ? Status::Ok() : c;
      claimed = true;
      return Status::Ok();
    });
    if (!cs.ok()) return cs;
    if (!claimed) {
      ++handled;
      continue;
    }
    DataSubject subject;
    const json::value sj = json::parse(request->subject_json);
    if (auto* e = sj.as_object().if_contains("email")) subject.email = std::string(e->as_string());
    if (auto* n = sj.as_object().if_contains("name")) subject.name = std::string(n->as_string());
    if (auto* a = sj.as_object().if_contains("account_id")) subject.account_id = std::string(a->as_string());
    // Erasure: the account ids and phone numbers the map finds for the person, read before the
    // rows go, for the suppression list (issue 5 §6).
    std::vector<std::string> erased_accounts, erased_phones;
    if (job.step == "erase" && fulfiller_) {
      auto ids = fulfiller_->AccountIds(subject);
      if (ids.ok()) erased_accounts = std::move(ids.value());
      auto phones = fulfiller_->SubjectPhones(subject);
      if (phones.ok()) erased_phones = std::move(phones.value());
    }
    // Correction: the changes staff approved (the newest `approve` transition's data.changes).
    std::vector<CorrectionChange> corrections;
    std::string approved_by;
    if (job.step == "correct") {
      auto history = ReadValue(store_, [&](store::Tx& tx) -> Result<std::vector<store::TransitionRow>> {
        auto r = tx.GetRequest(job.request_id);
        if (!r.ok()) return r.status();
        return tx.Transitions(r->id);
      });
      if (!history.ok()) return history.status();
      for (const store::TransitionRow& t : *history) {
        if (t.event != "approve") continue;
        json::value d = json::parse(t.data_json);
        auto changes = host_.ParseCorrections(d.as_object());
        if (changes.ok()) {
          corrections = std::move(changes.value());
          approved_by = t.actor;
        }
      }
    }
    const PlanOutcome outcome = RunPlan(job, *request, subject, now, corrections);
    if (Status t = FinishJob(job, outcome, now, erased_accounts, erased_phones, approved_by); !t.ok()) return t;
    ++handled;
  }
  return handled;
}

Status StepRunner::FinishJob(const store::JobRow& job, const PlanOutcome& outcome, Millis now,
                             const std::vector<std::string>& erased_accounts,
                             const std::vector<std::string>& erased_phones, const std::string& approved_by) {
  return store_.Transact([&](store::Tx& tx) -> Status {
    auto fresh = tx.GetRequest(job.request_id);
    if (!fresh.ok()) return fresh.status();
    store::RequestRow r = std::move(fresh.value());
    Event ev;
    ev.actor = "system";
    ev.data["step"] = job.step;
    ev.data["job"] = job.id;
    std::string result_json, job_status, error;
    switch (outcome.kind) {
      case StepOutcome::Kind::kDone: {
        json::object res;
        res["summary"] = outcome.result.summary;
        json::array files;
        for (const auto& f : outcome.result.files) files.push_back(json::string(f));
        res["files"] = files;
        result_json = json::serialize(res);
        job_status = "done";
        ev.name = "fulfilled";
        ev.data["summary"] = outcome.result.summary;
        break;
      }
      case StepOutcome::Kind::kFailed:
        // The failed step (system/table/action) and the cause, for staff on the request.
        job_status = "failed";
        error = outcome.cause;
        ev.name = "step_failed";
        DescribeFailedStep(outcome.step, outcome.cause, ev.data);
        ev.reason = job.step + " failed at " + outcome.step.system +
                    (outcome.step.table_name.empty() ? "" : "/" + outcome.step.table_name) + ": " + outcome.cause;
        break;
      case StepOutcome::Kind::kWaitingTask:
        job_status = "waiting";
        ev.name = "task_opened";
        ev.data["task"] = outcome.task;
        ev.data["system"] = outcome.step.system;
        ev.data["action"] = outcome.step.action;
        ev.data["instructions"] = outcome.instructions;
        break;
      case StepOutcome::Kind::kWaitingCallback:
        break;
    }
    // The person's identifiers join the suppression list once the company's rows are erased
    // (also while a later step of the deletion still waits: the rows are gone by then).
    if (job.step == "erase" && outcome.kind != StepOutcome::Kind::kFailed)
      if (Status sp = host_.SuppressErased(tx, r, erased_accounts, erased_phones); !sp.ok()) return sp;
    // Nothing to tell the workflow yet: POST /callbacks/{token} or the deadline decides.
    if (outcome.kind == StepOutcome::Kind::kWaitingCallback) return tx.FinishJob(job.id, "waiting", "", "", now);
    if (!approved_by.empty()) ev.data["approved_by"] = approved_by;
    if (Status f = tx.FinishJob(job.id, job_status, result_json, error, now); !f.ok()) return f;
    Status a = host_.Apply(tx, r, ev);
    return a.IsRefused() ? Status::Ok() : a;  // the request moved on (e.g. cancelled): keep the result
  });
}

std::vector<store::LedgerRow> StepRunner::Plan(const store::JobRow& job) const {
  std::vector<store::LedgerRow> plan;
  auto add = [&](const std::string& system, const std::string& table, const std::string& kind) {
    store::LedgerRow r;
    r.request_id = job.request_id;
    r.action = job.step;
    r.system = system;
    r.table_name = table;
    r.kind = kind;
    r.idempotency_key = job.request_id + "/" + job.step + "/" + system + "/" + table;
    r.job_id = job.id;
    plan.push_back(std::move(r));
  };
  if (!fulfiller_) return plan;
  for (const std::string& unit : fulfiller_->Units(job.step)) add(kCompanySystem, unit, kSqlKind);
  for (const auto& c : fulfiller_->map().connectors)
    if (c.Takes(job.step))
      add(c.name, "", c.processor ? kProcessorKind : c.kind == ConnectorSpec::Kind::kManual ? kManualKind : kWebhookKind);
  return plan;
}

StepRunner::PlanOutcome StepRunner::RunPlan(const store::JobRow& job, const store::RequestRow& request,
                                            const DataSubject& subject, Millis now,
                                            const std::vector<CorrectionChange>& corrections) {
  PlanOutcome out;
  if (!fulfiller_) {
    out.kind = StepOutcome::Kind::kFailed;
    out.step.system = kCompanySystem;
    out.step.action = job.step;
    out.step.kind = kSqlKind;
    out.cause = "no company systems are configured";
    return out;
  }
  auto fail = [&](const store::LedgerRow& step, std::int64_t ledger_id, const std::string& cause) {
    out.kind = StepOutcome::Kind::kFailed;
    out.step = step;
    out.cause = cause;
    (void)store_.Transact([&](store::Tx& tx) { return tx.LedgerFinish(ledger_id, "failed", "", cause, clock_.Now()); });
    return out;
  };
  // A step that waits: for its task (the task and the map's instructions) or its callback.
  auto wait = [&](const store::LedgerRow& step, StepOutcome w) {
    out.kind = w.kind;
    out.step = w.waiting ? *w.waiting : step;
    out.task = std::move(w.task);
    out.instructions = std::move(w.instructions);
    return out;
  };
  // Erasure: table and category holds keep the rows they cover; the holds are read again right
  // before each table, so a hold placed while the step runs keeps the rows not yet erased.
  EraseOptions erase;
  erase.corrections = corrections;
  if (job.step == "erase") {
    erase.holds_for = [&](const std::string& table, const std::string& category) -> Result<std::vector<HoldRef>> {
      if (before_hold_check_) before_hold_check_(table);
      std::vector<HoldRef> refs;
      Status hs = store_.Read([&](store::Tx& tx) -> Status {
        auto held = tx.HoldsCovering(request.subject_email, request.subject_account, table, category);
        if (!held.ok()) return held.status();
        for (const store::HoldRow& h : *held) refs.push_back({h.id, h.ground, host_.HoldCitation(h.ground), h.matter});
        return Status::Ok();
      });
      if (!hs.ok()) return hs;
      return refs;
    };
  }
  JobResults results;  // the steps' results, in plan order
  for (store::LedgerRow& step : Plan(job)) {
    const auto registered = connectors_.find(step.kind);
    if (registered == connectors_.end() || !registered->second)
      return fail(step, 0, "no connector runs steps of kind '" + step.kind + "'");
    Connector& connector = *registered->second;
    const ConnectorSpec* spec = step.system == kCompanySystem ? nullptr : ConnectorNamed(fulfiller_->map(), step.system);
    auto read = ReadValue(store_, [&](store::Tx& tx) { return tx.LedgerByKey(step.idempotency_key); });
    if (!read.ok()) return fail(step, 0, read.status().message());
    std::optional<store::LedgerRow> known = std::move(read.value());
    // A step that waits: done since (a manual step whose task staff completed), or still waiting
    // (the callback, or its deadline, moves it on), or to run again.
    if (known && known->status == "waiting") {
      const StepContext ctx{job, request, subject, now, step, known->id, spec, erase};
      std::optional<StepOutcome> resumed = connector.Resume(ctx, *known);
      if (resumed && resumed->kind == StepOutcome::Kind::kFailed) return fail(step, known->id, resumed->cause);
      if (resumed && resumed->kind == StepOutcome::Kind::kDone) {
        if (!resumed->recorded)
          if (Status f = store_.Transact([&](store::Tx& tx) {
                return tx.LedgerFinish(known->id, "done", resumed->result_json, "", clock_.Now());
              });
              !f.ok())
            return fail(step, known->id, f.message());
        known->status = "done";
        known->result_json = resumed->result_json;
      } else if (resumed) {
        if (resumed->kind == StepOutcome::Kind::kWaitingCallback) resumed->waiting = *known;
        return wait(step, std::move(*resumed));
      }
    }
    if (known && known->status == "done") {
      const StepContext ctx{job, request, subject, now, step, known->id, spec, erase};
      connector.Collect(ctx, StepOutcome::Done(known->result_json), results);
      continue;
    }
    // Start (or start again) this step.
    std::int64_t ledger_id = 0;
    Status st = store_.Transact([&](store::Tx& tx) -> Status {
      auto id = tx.LedgerStart(step, clock_.Now());
      if (!id.ok()) return id.status();
      ledger_id = *id;
      return Status::Ok();
    });
    if (!st.ok()) return fail(step, ledger_id, st.message());
    const StepContext ctx{job, request, subject, now, step, ledger_id, spec, erase};
    StepOutcome ran = connector.Run(ctx);
    switch (ran.kind) {
      case StepOutcome::Kind::kFailed:
        if (!ran.recorded) return fail(step, ledger_id, ran.cause);
        out.kind = StepOutcome::Kind::kFailed;
        out.step = step;
        out.cause = ran.cause;
        return out;
      case StepOutcome::Kind::kDone:
        if (!ran.recorded)
          if (Status f = store_.Transact([&](store::Tx& tx) {
                return tx.LedgerFinish(ledger_id, "done", ran.result_json, "", clock_.Now());
              });
              !f.ok())
            return fail(step, ledger_id, f.message());
        connector.Collect(ctx, std::move(ran), results);
        continue;
      case StepOutcome::Kind::kWaitingTask:
      case StepOutcome::Kind::kWaitingCallback:
        return wait(step, std::move(ran));
    }
  }
  // Every step is done: the result from the recorded results alone, whether the steps ran in one
  // go or across failures and retries.
  out.kind = StepOutcome::Kind::kDone;
  out.result = Fulfiller::Assemble(fulfiller_->map(), job.step, request.reference, results.units, job.step == "erase");
  if (!results.systems.empty()) out.result.summary["systems"] = std::move(results.systems);
  if (job.step == "erase" && fulfiller_->map().backups.retention_days > 0)
    out.result.summary["backups_retention_days"] = fulfiller_->map().backups.retention_days;
  return out;
}

Result<int> StepRunner::ExpireCallbacks() {
  const Millis now = clock_.Now();
  auto overdue = ReadValue(store_, [&](store::Tx& tx) { return tx.LedgerOverdue(now, 50); });
  if (!overdue.ok()) return overdue.status();
  int n = 0;
  for (const store::LedgerRow& l : *overdue) {
    Status t = store_.Transact([&](store::Tx& tx) -> Status {
      const std::string cause = "no callback came before the deadline, " + FormatRfc3339(*l.deadline_at);
      if (Status f = tx.LedgerFinish(l.id, "failed", "", cause, now); !f.ok()) return f;
      if (Status c = tx.CloseCallbacks(l.id, now, "expired"); !c.ok()) return c;
      auto r = tx.GetRequest(l.request_id);
      if (!r.ok()) return r.status();
      store::RequestRow row = std::move(r.value());
      Event ev;
      ev.name = "step_failed";
      ev.actor = "system";
      ev.data["step"] = l.action;
      DescribeFailedStep(l, cause, ev.data);
      ev.reason = l.action + " failed at " + l.system + ": " + cause;
      Status a = host_.Apply(tx, row, ev);
      return a.IsRefused() ? Status::Ok() : a;
    });
    if (!t.ok()) return t;
    ++n;
  }
  return n;
}

}  // namespace dsar::fulfillment
