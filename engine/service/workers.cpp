#include "service/workers.h"

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

#include "fulfillment/systems_map.h"

namespace dsar::service {

namespace json = boost::json;
namespace fs = std::filesystem;

Workers::Workers(Engine& svc, std::shared_ptr<fulfillment::Fulfiller> fulfiller,
                 std::unique_ptr<MailTransport> transport)
    : svc_(svc), fulfiller_(std::move(fulfiller)), transport_(std::move(transport)),
      webhooks_(MakeCurlWebhookClient()) {
  if (!transport_) transport_ = MakeMaildirTransport(svc_.config().outbox_maildir);
}

mail::OutgoingMail OutgoingFor(const store::OutboxRow& o, const std::string& from) {
  mail::OutgoingMail m;
  m.from = from;
  const json::value recipients = json::parse(o.to_json);
  for (const auto& r : recipients.as_array()) m.to.push_back(std::string(r.as_string()));
  m.subject = o.subject;
  m.text = o.body.value_or("");
  m.html = o.body_html.value_or("");
  m.message_id = o.message_id;
  m.in_reply_to = o.in_reply_to;
  m.references = o.references;
  m.language = o.language;
  m.date = o.created_at;
  return m;
}

Millis NextAttempt(Millis now, int attempts, Millis initial, Millis max) {
  Millis wait = initial;
  for (int i = 1; i < attempts && wait < max; ++i) wait *= 2;
  return now + std::min(wait, max);
}

Status Workers::GiveUp(const store::OutboxRow& o, const std::string& why, Millis now) {
  return svc_.store().Transact([&](store::Tx& tx) -> Status {
    if (Status g = tx.MarkOutboxGaveUp(o.id, why, now); !g.ok()) return g;
    if (o.request_id.empty()) return Status::Ok();
    auto r = tx.GetRequest(o.request_id);
    if (!r.ok()) return r.status();
    store::RequestRow row = std::move(r.value());
    Event ev;
    ev.name = "mail_failed";
    ev.actor = "system";
    ev.reason = "the '" + o.template_name + "' mail could not be delivered: " + why;
    ev.data["outbox"] = o.id;
    ev.data["template"] = o.template_name;
    ev.data["message_id"] = o.message_id;
    Status a = svc_.ApplyInTx(tx, row, ev, std::nullopt);
    return a.IsRefused() ? Status::Ok() : a;  // a final request (or an older workflow): the row says it
  });
}

Result<int> Workers::DeliverOutbox() {
  const auto& cfg = svc_.config();
  std::vector<store::OutboxRow> rows;
  const Millis now = svc_.clock().Now();
  Status s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.PendingOutbox(now, 100);
    if (!r.ok()) return r.status();
    rows = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  const std::string envelope_from = AddrSpec(cfg.mail_from);
  int delivered = 0;
  bool secret_dropped = false;  // a delivered mail's secret body was dropped: clear it from the WAL too
  for (const store::OutboxRow& o : rows) {
    const mail::OutgoingMail out = OutgoingFor(o, cfg.mail_from);
    auto composed = mail::ComposeMessage(out);
    if (!composed.ok()) {
      if (Status g = GiveUp(o, composed.status().message(), now); !g.ok()) return g;
      continue;
    }
    const SendOutcome sent = transport_->Send({envelope_from, out.to, o.message_id}, *composed);
    if (sent.kind == SendOutcome::Kind::kSent) {
      if (crash_after_send_) std::_Exit(42);
      if (Status m = svc_.store().Transact([&](store::Tx& tx) { return tx.MarkOutboxDelivered(o.id, now); }); !m.ok())
        return m;
      ++delivered;
      secret_dropped = secret_dropped || o.carries_secret;
      continue;
    }
    const int attempts = o.attempts + 1;
    std::fprintf(stderr, "mail %lld (%s): attempt %d failed: %s\n", static_cast<long long>(o.id),
                 o.template_name.c_str(), attempts, sent.log_detail.empty() ? "no detail" : sent.log_detail.c_str());
    if (sent.kind == SendOutcome::Kind::kPermanent || attempts >= cfg.mail_max_attempts) {
      const std::string why = sent.kind == SendOutcome::Kind::kPermanent
                                  ? sent.detail
                                  : sent.detail + " (gave up after " + std::to_string(attempts) + " attempts)";
      if (Status g = GiveUp(o, why, now); !g.ok()) return g;
      continue;
    }
    const Millis next = NextAttempt(now, attempts, cfg.mail_retry_initial, cfg.mail_retry_max);
    if (Status m = svc_.store().Transact([&](store::Tx& tx) { return tx.MarkOutboxFailed(o.id, sent.detail, next); });
        !m.ok())
      return m;
    if (sent.relay_down) break;  // the others would fail the same way: next round
  }
  if (secret_dropped) svc_.store().CheckpointTruncate();  // best effort: a busy reader makes it partial
  return delivered;
}

Result<int> Workers::RunJobs() {
  std::vector<store::JobRow> jobs;
  Status s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.PendingJobs(20);
    if (!r.ok()) return r.status();
    jobs = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  int handled = 0;
  for (const store::JobRow& job : jobs) {
    auto request = svc_.Get(job.request_id);
    if (!request.ok()) return request.status();
    const Millis now = svc_.clock().Now();
    // An erasure never starts while a legal hold covers the data subject.
    if (job.step == "erase") {
      int holds = 0;
      Status hs = svc_.store().Read([&](store::Tx& tx) {
        auto n = tx.ActiveHoldCount(request->subject_email, request->subject_account);
        if (!n.ok()) return n.status();
        holds = *n;
        return Status::Ok();
      });
      if (!hs.ok()) return hs;
      if (holds > 0) {
        Status t = svc_.store().Transact([&](store::Tx& tx) -> Status {
          if (Status f = tx.FinishJob(job.id, "superseded", "", "a legal hold was placed before erasure", now); !f.ok())
            return f;
          store::RequestRow r = *request;
          Event ev;
          ev.name = "hold_active";
          ev.actor = "system";
          ev.data["job"] = job.id;
          Status a = svc_.ApplyInTx(tx, r, ev, std::nullopt);
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
    Status cs = svc_.store().Transact([&](store::Tx& tx) -> Status {
      auto fresh = tx.GetRequest(job.request_id);
      if (!fresh.ok()) return fresh.status();
      auto wf = svc_.PinnedWorkflow(tx, fresh->workflow_hash);
      if (!wf.ok()) return wf.status();
      if ((*wf)->Candidates(fresh->state, "fulfilled") == nullptr)
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
    std::vector<fulfillment::CorrectionChange> corrections;
    std::string approved_by;
    if (job.step == "correct") {
      auto history = svc_.Transitions(job.request_id);
      if (!history.ok()) return history.status();
      for (const store::TransitionRow& t : *history) {
        if (t.event != "approve") continue;
        json::value d = json::parse(t.data_json);
        auto changes = ParseCorrections(d.as_object());
        if (changes.ok()) {
          corrections = std::move(changes.value());
          approved_by = t.actor;
        }
      }
    }
    const PlanOutcome outcome = RunPlan(job, *request, subject, now, corrections);
    Status t = svc_.store().Transact([&](store::Tx& tx) -> Status {
      auto fresh = tx.GetRequest(job.request_id);
      if (!fresh.ok()) return fresh.status();
      store::RequestRow r = std::move(fresh.value());
      Event ev;
      ev.actor = "system";
      ev.data["step"] = job.step;
      ev.data["job"] = job.id;
      std::string result_json, job_status, error;
      switch (outcome.kind) {
        case PlanOutcome::Kind::kDone: {
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
        case PlanOutcome::Kind::kFailed:
          // The failed step (system/table/action) and the cause, for staff on the request.
          job_status = "failed";
          error = outcome.cause;
          ev.name = "step_failed";
          ev.data["system"] = outcome.step.system;
          ev.data["table"] = outcome.step.table_name;
          ev.data["action"] = outcome.step.action;
          ev.data["kind"] = outcome.step.kind;
          ev.data["ledger_step"] = outcome.step.idempotency_key;
          ev.data["cause"] = outcome.cause;
          ev.reason = job.step + " failed at " + outcome.step.system +
                      (outcome.step.table_name.empty() ? "" : "/" + outcome.step.table_name) + ": " + outcome.cause;
          break;
        case PlanOutcome::Kind::kWaitingTask:
          job_status = "waiting";
          ev.name = "task_opened";
          ev.data["task"] = outcome.task;
          ev.data["system"] = outcome.step.system;
          ev.data["action"] = outcome.step.action;
          ev.data["instructions"] = outcome.instructions;
          break;
        case PlanOutcome::Kind::kWaitingCallback:
          break;
      }
      // The person's identifiers join the suppression list once the company's rows are erased
      // (also while a later step of the deletion still waits: the rows are gone by then).
      if (job.step == "erase" && outcome.kind != PlanOutcome::Kind::kFailed)
        if (Status sp = SuppressErasedInTx(svc_, tx, r, erased_accounts, erased_phones); !sp.ok()) return sp;
      // Nothing to tell the workflow yet: POST /callbacks/{token} or the deadline decides.
      if (outcome.kind == PlanOutcome::Kind::kWaitingCallback) return tx.FinishJob(job.id, "waiting", "", "", now);
      if (!approved_by.empty()) ev.data["approved_by"] = approved_by;
      if (Status f = tx.FinishJob(job.id, job_status, result_json, error, now); !f.ok()) return f;
      Status a = svc_.ApplyInTx(tx, r, ev, std::nullopt);
      return a.IsRefused() ? Status::Ok() : a;  // the request moved on (e.g. cancelled): keep the result
    });
    if (!t.ok()) return t;
    ++handled;
  }
  return handled;
}

std::vector<store::LedgerRow> Workers::Plan(const store::JobRow& job) const {
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
  for (const std::string& unit : fulfiller_->Units(job.step)) add(kCompanySystem, unit, "sqlite");
  for (const auto& c : fulfiller_->map().connectors)
    if (c.Takes(job.step))
      add(c.name, "", c.processor ? "processor" : c.kind == fulfillment::ConnectorSpec::Kind::kManual ? "manual" : "webhook");
  return plan;
}

namespace {

const fulfillment::ConnectorSpec* ConnectorNamed(const fulfillment::SystemsMap& map, const std::string& name) {
  for (const auto& c : map.connectors)
    if (c.name == name) return &c;
  return nullptr;
}

json::value ParseOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

}  // namespace

Workers::PlanOutcome Workers::RunPlan(const store::JobRow& job, const store::RequestRow& request,
                                      const DataSubject& subject, Millis now,
                                      const std::vector<fulfillment::CorrectionChange>& corrections) {
  PlanOutcome out;
  if (!fulfiller_) {
    out.kind = PlanOutcome::Kind::kFailed;
    out.step.system = kCompanySystem;
    out.step.action = job.step;
    out.step.kind = "sqlite";
    out.cause = "no company systems are configured";
    return out;
  }
  auto fail = [&](const store::LedgerRow& step, std::int64_t ledger_id, const std::string& cause) {
    out.kind = PlanOutcome::Kind::kFailed;
    out.step = step;
    out.cause = cause;
    (void)svc_.store().Transact(
        [&](store::Tx& tx) { return tx.LedgerFinish(ledger_id, "failed", "", cause, svc_.clock().Now()); });
    return out;
  };
  // Erasure: table and category holds keep the rows they cover; the holds are read again right
  // before each table, so a hold placed while the step runs keeps the rows not yet erased.
  fulfillment::EraseOptions erase;
  erase.corrections = corrections;
  if (job.step == "erase") {
    erase.holds_for = [&](const std::string& table,
                          const std::string& category) -> Result<std::vector<fulfillment::HoldRef>> {
      if (before_hold_check_) before_hold_check_(table);
      std::vector<fulfillment::HoldRef> refs;
      Status hs = svc_.store().Read([&](store::Tx& tx) -> Status {
        auto held = tx.HoldsCovering(request.subject_email, request.subject_account, table, category);
        if (!held.ok()) return held.status();
        for (const store::HoldRow& h : *held) refs.push_back({h.id, h.ground, HoldCitation(h.ground), h.matter});
        return Status::Ok();
      });
      if (!hs.ok()) return hs;
      return refs;
    };
  }
  std::vector<fulfillment::StepResult> units;  // the company database's, in order
  json::array systems;                          // the other systems' and processors' results
  for (store::LedgerRow& step : Plan(job)) {
    std::optional<store::LedgerRow> known;
    Status ls = svc_.store().Read([&](store::Tx& tx) -> Status {
      auto r = tx.LedgerByKey(step.idempotency_key);
      if (!r.ok()) return r.status();
      known = std::move(r.value());
      return Status::Ok();
    });
    if (!ls.ok()) return fail(step, 0, ls.message());
    const fulfillment::ConnectorSpec* connector =
        step.kind == "sqlite" ? nullptr : ConnectorNamed(fulfiller_->map(), step.system);
    // A manual step whose task staff completed: done now, with the task's note or evidence.
    if (known && known->status == "waiting" && step.kind == "manual" && known->task_job_id) {
      std::optional<store::JobRow> task;
      Status ts = svc_.store().Read([&](store::Tx& tx) -> Status {
        auto jobs = tx.JobsFor(request.id);
        if (!jobs.ok()) return jobs.status();
        for (const auto& j : *jobs)
          if (j.id == *known->task_job_id) task = j;
        return Status::Ok();
      });
      if (!ts.ok()) return fail(step, known->id, ts.message());
      if (task && task->status == "closed") {
        json::object res;
        res["task"] = task->step;
        res["completed"] = ParseOrNull(task->result_json);
        const std::string result = json::serialize(res);
        if (Status f = svc_.store().Transact([&](store::Tx& tx) {
              return tx.LedgerFinish(known->id, "done", result, "", svc_.clock().Now());
            });
            !f.ok())
          return fail(step, known->id, f.message());
        known->status = "done";
        known->result_json = result;
      } else {
        out.kind = PlanOutcome::Kind::kWaitingTask;
        out.step = *known;
        out.task = task ? task->step : "";
        out.instructions = connector ? connector->instructions : "";
        return out;
      }
    }
    if (known && known->status == "waiting" && step.kind != "manual") {
      out.kind = PlanOutcome::Kind::kWaitingCallback;  // the callback (or its deadline) moves it on
      out.step = *known;
      return out;
    }
    if (known && known->status == "done") {
      const json::value result = ParseOrNull(known->result_json);
      if (step.kind == "sqlite") {
        fulfillment::StepResult u;
        if (result.is_object()) {
          if (const auto* s = result.as_object().if_contains("summary"); s && s->is_object()) u.summary = s->as_object();
          if (const auto* f = result.as_object().if_contains("files"); f && f->is_array())
            for (const auto& x : f->as_array())
              if (x.is_string()) u.files.emplace_back(x.as_string().c_str());
        }
        units.push_back(std::move(u));
      } else {
        json::object e;
        e["system"] = step.system;
        e["kind"] = step.kind;
        if (connector && !connector->description.empty()) e["description"] = connector->description;
        e["result"] = result;
        systems.push_back(std::move(e));
      }
      continue;
    }
    // Start (or start again) this step.
    std::int64_t ledger_id = 0;
    Status st = svc_.store().Transact([&](store::Tx& tx) -> Status {
      auto id = tx.LedgerStart(step, svc_.clock().Now());
      if (!id.ok()) return id.status();
      ledger_id = *id;
      return Status::Ok();
    });
    if (!st.ok()) return fail(step, ledger_id, st.message());
    if (step.kind == "sqlite") {
      auto r = fulfiller_->RunUnit(job.step, step.table_name, request.reference, subject, now, erase);
      if (!r.ok()) return fail(step, ledger_id, r.status().message());
      json::object res;
      res["summary"] = r->summary;
      json::array files;
      for (const auto& f : r->files) files.emplace_back(f);
      res["files"] = std::move(files);
      if (r->replayed) res["replayed"] = true;  // the company database's journal had it (a crash in between)
      const std::string text = json::serialize(res);
      if (Status f = svc_.store().Transact(
              [&](store::Tx& tx) { return tx.LedgerFinish(ledger_id, "done", text, "", svc_.clock().Now()); });
          !f.ok())
        return fail(step, ledger_id, f.message());
      r->replayed = false;
      units.push_back(std::move(r.value()));
      continue;
    }
    if (connector == nullptr) return fail(step, ledger_id, "the systems map no longer has '" + step.system + "'");
    if (step.kind == "manual") {
      // A task for staff; the request waits in awaiting_task until they complete it.
      const std::string task = job.step + "_" + step.system;
      std::optional<std::int64_t> task_id;
      Status ts = svc_.store().Transact([&](store::Tx& tx) -> Status {
        auto l = tx.LedgerById(ledger_id);
        if (!l.ok()) return l.status();
        store::JobRow t;
        t.request_id = request.id;
        t.kind = "task";
        t.step = task;
        t.idempotency_key = step.idempotency_key + ":task:" + std::to_string(l->runs);
        t.status = "open";
        t.created_at = svc_.clock().Now();
        if (Status s = tx.InsertJob(t); !s.ok()) return s;
        auto jobs = tx.JobsFor(request.id);
        if (!jobs.ok()) return jobs.status();
        for (const auto& j : *jobs)
          if (j.idempotency_key == t.idempotency_key) task_id = j.id;
        return tx.LedgerWait(ledger_id, task_id, std::nullopt);
      });
      if (!ts.ok()) return fail(step, ledger_id, ts.message());
      out.kind = PlanOutcome::Kind::kWaitingTask;
      out.step = step;
      out.task = task;
      out.instructions = connector->instructions;
      return out;
    }
    // A webhook system or a processor.
    auto secret = ReadWebhookSecret(connector->webhook.secret_file);
    if (!secret.ok()) return fail(step, ledger_id, secret.status().message());
    json::object body;
    body["event"] = "dsar.fulfillment";
    body["action"] = job.step;
    body["request_type"] = request.type;
    body["request"] = {{"id", request.id}, {"reference", request.reference}};
    body["system"] = step.system;
    body["processor"] = connector->processor;
    json::object subj;
    subj["email"] = subject.email;
    if (!subject.account_id.empty()) subj["account_id"] = subject.account_id;
    body["subject"] = std::move(subj);
    body["idempotency_key"] = step.idempotency_key;
    std::optional<Millis> deadline;
    std::string token;
    if (connector->webhook.callback) {
      token = Secrets::NewToken();
      deadline = now + connector->webhook.callback_timeout;
      std::string base = svc_.config().public_base_url;
      while (!base.empty() && base.back() == '/') base.pop_back();
      body["callback_url"] = base + "/api/v1/callbacks/" + token;
      body["callback_expires_at"] = FormatRfc3339(*deadline);
      // Only the token's keyed hash is stored; an older token of the step stops working. The step
      // waits from before the POST, so a callback that arrives before the answer finds it waiting.
      Status cs = svc_.store().Transact([&](store::Tx& tx) -> Status {
        if (Status c = tx.CloseCallbacks(ledger_id, now, "replaced"); !c.ok()) return c;
        store::CallbackRow cb;
        cb.ledger_id = ledger_id;
        cb.request_id = request.id;
        cb.token_hash = svc_.secrets().KeyedHash(CallbackHashInput(token));
        cb.created_at = now;
        cb.expires_at = *deadline;
        if (Status c = tx.InsertCallback(cb); !c.ok()) return c;
        return tx.LedgerWait(ledger_id, std::nullopt, deadline);
      });
      if (!cs.ok()) return fail(step, ledger_id, cs.message());
    }
    WebhookCall call;
    call.url = connector->webhook.endpoint;
    call.body = json::serialize(body);
    call.idempotency_key = step.idempotency_key;
    call.timestamp = now / 1000;
    call.connect_timeout = connector->webhook.connect_timeout;
    call.timeout = connector->webhook.timeout;
    const WebhookAnswer answer = webhooks_->Post(call, *secret);
    const json::value reply = answer.reached ? ParseOrNull(answer.body) : json::value(nullptr);
    const std::string status = reply.is_object() && reply.as_object().contains("status") &&
                                       reply.as_object().at("status").is_string()
                                   ? std::string(reply.as_object().at("status").as_string())
                                   : "";
    std::string cause;
    if (!answer.reached) cause = "the webhook was not answered: " + answer.error;
    else if (answer.status < 200 || answer.status > 299) cause = "the webhook answered HTTP " + std::to_string(answer.status);
    else if (status != "completed" && !connector->webhook.callback)
      cause = "the webhook answered HTTP " + std::to_string(answer.status) + " without {\"status\":\"completed\"}" +
              (status.empty() ? "" : " (status '" + status + "')");
    // One transaction decides, against the step as it is now (its callback may have come first).
    store::LedgerRow cur;
    Status decided = svc_.store().Transact([&](store::Tx& tx) -> Status {
      auto l = tx.LedgerById(ledger_id);
      if (!l.ok()) return l.status();
      cur = std::move(l.value());
      if (cur.status == "done" || cur.status == "failed") return Status::Ok();  // the callback decided
      const Millis at = svc_.clock().Now();
      if (!cause.empty()) {
        if (Status c = tx.CloseCallbacks(ledger_id, at, "failed"); !c.ok()) return c;
        cur.status = "failed";
        cur.error = cause;
        return tx.LedgerFinish(ledger_id, "failed", "", cause, at);
      }
      if (status == "completed") {
        if (Status c = tx.CloseCallbacks(ledger_id, at, "replaced"); !c.ok()) return c;
        cur.status = "done";
        cur.result_json = json::serialize(reply);
        return tx.LedgerFinish(ledger_id, "done", cur.result_json, "", at);
      }
      return Status::Ok();  // accepted: waits for its callback
    });
    if (!decided.ok()) return fail(step, ledger_id, decided.message());
    if (cur.status == "failed") {
      out.kind = PlanOutcome::Kind::kFailed;
      out.step = step;
      out.cause = cur.error;
      return out;
    }
    if (cur.status == "done") {
      json::object e;
      e["system"] = step.system;
      e["kind"] = step.kind;
      if (!connector->description.empty()) e["description"] = connector->description;
      e["result"] = ParseOrNull(cur.result_json);
      systems.push_back(std::move(e));
      continue;
    }
    out.kind = PlanOutcome::Kind::kWaitingCallback;
    out.step = step;
    return out;
  }
  // Every step is done: the result from the recorded results alone, whether the steps ran in one
  // go or across failures and retries.
  out.kind = PlanOutcome::Kind::kDone;
  out.result = fulfillment::Fulfiller::Assemble(fulfiller_->map(), job.step, request.reference, units,
                                                job.step == "erase");
  if (!systems.empty()) out.result.summary["systems"] = std::move(systems);
  if (job.step == "erase" && fulfiller_->map().backups.retention_days > 0)
    out.result.summary["backups_retention_days"] = fulfiller_->map().backups.retention_days;
  return out;
}

Result<int> Workers::ExpireCallbacks() {
  const Millis now = svc_.clock().Now();
  std::vector<store::LedgerRow> overdue;
  Status s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.LedgerOverdue(now, 50);
    if (!r.ok()) return r.status();
    overdue = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  int n = 0;
  for (const store::LedgerRow& l : overdue) {
    Status t = svc_.store().Transact([&](store::Tx& tx) -> Status {
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
      ev.data["system"] = l.system;
      ev.data["table"] = l.table_name;
      ev.data["action"] = l.action;
      ev.data["kind"] = l.kind;
      ev.data["ledger_step"] = l.idempotency_key;
      ev.data["cause"] = cause;
      ev.reason = l.action + " failed at " + l.system + ": " + cause;
      Status a = svc_.ApplyInTx(tx, row, ev, std::nullopt);
      return a.IsRefused() ? Status::Ok() : a;
    });
    if (!t.ok()) return t;
    ++n;
  }
  return n;
}

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

Result<int> Workers::Recover() {
  int n = 0;
  Status s = svc_.store().Transact([&](store::Tx& tx) {
    auto r = tx.ReleaseRunningJobs();
    if (!r.ok()) return r.status();
    n = *r;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

Result<int> Workers::PurgeExpired() {
  const auto& cfg = svc_.config();
  const Millis now = svc_.clock().Now();
  const auto before = [&](int days) { return now - static_cast<Millis>(days) * kMillisPerDay; };
  int purged = 0;
  // Whole requests, oldest first, a transaction each.
  while (true) {
    std::vector<store::RequestRow> closed;
    Status s = svc_.store().Read([&](store::Tx& tx) {
      auto r = tx.ClosedRequests(FinalStates(), before(cfg.retention_request_days), 100);
      if (!r.ok()) return r.status();
      closed = std::move(r.value());
      return Status::Ok();
    });
    if (!s.ok()) return s;
    for (const store::RequestRow& r : closed) {
      // An erasure that never finished (cancelled or denied after a failed step) left the person's
      // resolution in the company journal to resume it: it goes with the request.
      if (fulfiller_ && r.type == "deletion")
        if (Status fs = fulfiller_->ForgetSubject(r.reference); !fs.ok()) return fs;
      if (Status p = svc_.store().Transact([&](store::Tx& tx) { return tx.PurgeRequest(r, now); }); !p.ok()) return p;
      std::error_code ec;
      fs::remove_all(fs::path(cfg.exports_dir) / r.reference, ec);
      fs::remove_all(fs::path(cfg.evidence_dir) / r.reference, ec);  // task evidence goes with its request
      ++purged;
    }
    if (closed.size() < 100) break;
  }
  // Raw mail and verification material.
  Status s = svc_.store().Transact([&](store::Tx& tx) -> Status {
    auto raw = tx.PurgeRawMail(FinalStates(), before(cfg.retention_raw_mail_days), before(cfg.retention_raw_mail_days),
                               now, 1000);
    if (!raw.ok()) return raw.status();
    auto codes = tx.PurgeVerifications(FinalStates(), before(cfg.retention_verification_days));
    if (!codes.ok()) return codes.status();
    purged += *raw + *codes;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  // Packages whose download link expired (issue 5 §5; no newer link points to them): the file,
  // and its request's folder under exports_dir, are deleted and the links record when.
  std::vector<std::string> expired_files;
  s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.ExpiredPackageFiles(now, 1000);
    if (!r.ok()) return r.status();
    expired_files = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  for (const std::string& file : expired_files) {
    const fs::path path(file);
    std::error_code rm, same;
    fs::remove(path, rm);
    // The folder too when it is a request's folder directly under exports_dir.
    if (fs::equivalent(path.parent_path().parent_path(), cfg.exports_dir, same) && !same)
      fs::remove_all(path.parent_path(), rm);
    if (rm && fs::exists(path)) continue;  // kept: tried again at the next purge
    if (Status m = svc_.store().Transact([&](store::Tx& tx) { return tx.MarkPackageDeleted(file, now); }); !m.ok())
      return m;
    ++purged;
  }
  // Packages: a folder per request reference under exports_dir.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cfg.exports_dir, ec)) {
    if (!entry.is_directory()) continue;
    const std::string reference = entry.path().filename().string();
    bool expired = false;
    Status r = svc_.store().Read([&](store::Tx& tx) -> Status {
      auto row = tx.GetRequest(reference);
      if (row.status().IsNotFound()) {
        expired = true;  // its request was purged
        return Status::Ok();
      }
      if (!row.ok()) return row.status();
      expired = IsFinalState(row->state) && row->updated_at < before(cfg.retention_export_days);
      return Status::Ok();
    });
    if (!r.ok()) return r;
    if (!expired) continue;
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm) ++purged;
  }
  return purged;
}

Result<int> Workers::RunOnce() {
  int total = 0;
  for (auto step : {&Workers::FireTimers, &Workers::ExpireCallbacks, &Workers::RunJobs, &Workers::DeliverOutbox}) {
    auto n = (this->*step)();
    if (!n.ok()) return n.status();
    total += *n;
  }
  if (const Millis now = svc_.clock().Now(); now >= next_purge_) {
    auto n = PurgeExpired();
    if (!n.ok()) return n.status();
    total += *n;
    next_purge_ = now + kMillisPerHour;
  }
  return total;
}

}  // namespace dsar::service
