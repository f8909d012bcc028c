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


namespace dsar::service {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// The request service as the step runner sees it (fulfillment/step_runner.h).
class ServiceStepHost : public fulfillment::StepHost {
 public:
  explicit ServiceStepHost(Engine& svc) : svc_(svc) {}

  Status Apply(store::Tx& tx, store::RequestRow& request, const Event& event) override {
    return svc_.ApplyInTx(tx, request, event, std::nullopt);
  }
  Result<bool> AwaitsFulfillment(store::Tx& tx, const store::RequestRow& request) override {
    auto wf = svc_.PinnedWorkflow(tx, request.workflow_hash);
    if (!wf.ok()) return wf.status();
    return (*wf)->Candidates(request.state, "fulfilled") != nullptr;
  }
  Result<std::vector<fulfillment::CorrectionChange>> ParseCorrections(const json::object& data) override {
    return service::ParseCorrections(data);
  }
  Status SuppressErased(store::Tx& tx, const store::RequestRow& request, const std::vector<std::string>& account_ids,
                        const std::vector<std::string>& phones) override {
    return service::SuppressErasedInTx(svc_, tx, request, account_ids, phones);
  }
  std::string HoldCitation(const std::string& ground) override { return service::HoldCitation(ground); }
  std::string NewCallbackToken() override { return Secrets::NewToken(); }
  std::string CallbackTokenHash(const std::string& token) override {
    return svc_.secrets().KeyedHash(CallbackHashInput(token));
  }

 private:
  Engine& svc_;
};

}  // namespace

Workers::Workers(Engine& svc, std::shared_ptr<fulfillment::Fulfiller> fulfiller,
                 std::unique_ptr<MailTransport> transport)
    : svc_(svc), fulfiller_(std::move(fulfiller)), transport_(std::move(transport)),
      host_(std::make_unique<ServiceStepHost>(svc)),
      runner_(std::make_unique<fulfillment::StepRunner>(svc.store(), svc.clock(), *host_, fulfiller_,
                                                        fulfillment::MakeCurlWebhookClient(),
                                                        svc.config().public_base_url)) {
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

Result<int> Workers::RunJobs() { return runner_->RunJobs(); }

Result<int> Workers::ExpireCallbacks() { return runner_->ExpireCallbacks(); }

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
