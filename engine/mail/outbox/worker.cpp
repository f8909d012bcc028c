// Workers::DeliverOutbox: the outbox worker (schedule/workers.h documents the loop).
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

}  // namespace dsar::service
