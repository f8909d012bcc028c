#include "requests/engine.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/denial.h"
#include "core/json_fields.h"
#include "core/sha256.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/package/review.h"
#include "mail/message.h"
#include "workflow/loader.h"
#include "release/downloads.h"
#include "requests/duplicates.h"
#include "identity/codes.h"

namespace dsar::service {

namespace json = boost::json;

Status Engine::ApplyEffects(store::Tx& tx, store::RequestRow& r, const Decision& d, std::int64_t seq,
                                    const Event& event, std::vector<Event>& follow_ups) {
  const Millis now = clock_.Now();
  const bool verifies = std::any_of(d.effects.begin(), d.effects.end(),
                                    [](const EffectDef& e) { return e.kind == "start_verification"; });
  for (const EffectDef& e : d.effects) {
    if (e.kind == "mail") {
      std::map<std::string, std::string> vars;
      if (!event.reason.empty()) vars["reason"] = event.reason;
      if (auto code = event.data.find("reason_code"); code != event.data.end() && code->value().is_string()) {
        // A denial (core/denial.h): the reason in the requester's language, and how to appeal
        // where the law gives an appeal (US state laws).
        vars["reason_code"] = std::string(code->value().as_string());
        if (auto appeal = deadlines_->AppealPeriod(r)) {
          vars["appeal"] = "yes";
          vars["appeal_days"] = std::to_string(appeal->amount);
          vars["appeal_citation"] = appeal->citation;
        }
      }
      if (verifies) vars["verification"] = "yes";
      // A fulfillment step's own sentence for the requester (e.g. that nothing was found), and
      // for an erasure how long backups keep copies (the systems map's `backups`).
      if (auto sum = event.data.find("summary"); sum != event.data.end() && sum->value().is_object()) {
        if (auto* msg = sum->value().as_object().if_contains("message"); msg && msg->is_string())
          vars["summary"] = std::string(msg->as_string());
        if (auto* b = sum->value().as_object().if_contains("backups_retention_days"); b && b->is_int64())
          vars["backups_days"] = std::to_string(b->as_int64());
      }
      // The completion of an export step with a package: the requester downloads it through an
      // expiring link, created here in the transition's transaction (issue 5 §5). When the
      // export found nothing there is no package and no link.
      bool secret = false;
      // After a redaction review (issue 5 §5), the approval releases the package the same way.
      bool releases = event.name == "approve" && e.arg == "completed" && r.type == "access";
      if (event.name == "fulfilled" && e.arg == "completed")
        if (auto step = event.data.find("step");
            step != event.data.end() && step->value().is_string() && IsExportStep(step->value().as_string()))
          releases = true;
      if (releases) {
          ExportFile package;
          std::string message;
          Status found = FindPackage(tx, r, package, &message);
          if (found.ok() && !vars.count("summary") && !message.empty()) vars["summary"] = message;
          if (!found.ok() && !found.IsNotFound()) return found;
          if (found.ok()) {
            auto link = CreateDownloadLinkInTx(*this, tx, r, package.path, "system", vars);
            if (!link.ok()) return link.status();
            secret = true;  // the mail carries the token: its body is dropped once delivered
          }
        }
      if (Status s = QueueMail(tx, r, e.arg, vars, seq, secret); !s.ok()) return s;
    } else if (e.kind == "start_verification") {
      // The request's verification policy (workflows/verification/verification.yaml).
      const workflow::VerificationPolicy policy = policies_.For(r.type, r.jurisdiction);
      const std::string code = Secrets::NewVerificationCode();
      store::VerificationRow v;
      v.request_id = r.id;
      v.code_hash = secrets_.KeyedHash(r.id + ":" + code);  // only the keyed hash is stored
      v.issued_at = now;
      v.expires_at = now + policy.code_ttl;
      v.max_attempts = policy.max_attempts;
      if (Status s = tx.InsertVerification(v); !s.ok()) return s;
      std::map<std::string, std::string> vars{{"code", code},
                                              {"expires", FormatRfc3339(v.expires_at)},
                                              {"max_attempts", std::to_string(v.max_attempts)}};
      // Verification is always about the data subject (contract — who is who): the code goes to
      // the data subject alone, never to an authorized agent.
      const std::string subject_email = StringField(ParseOr(r.subject_json, json::object()), "email");
      if (Status s = QueueMail(tx, r, "verification_code", vars, seq, true, {subject_email}); !s.ok()) return s;
      // One reminder per request: a code issued again (code_resent, internal) adds none.
      if (d.state_changed && templates_.Has("verification_reminder"))
        if (Status s = tx.InsertTimer({0, r.id, r.state, "verification_reminder", now + config_.requester_reminder_after,
                                       "requester_reminder"});
            !s.ok())
          return s;
    } else if (e.kind == "check_holds") {
      auto holds = tx.ActiveHoldCount(r.subject_email, r.subject_account);
      if (!holds.ok()) return holds.status();
      Event follow;
      follow.name = *holds > 0 ? "hold_active" : "holds_clear";
      follow.actor = "system";
      follow.data["active_holds"] = *holds;
      follow_ups.push_back(std::move(follow));
    } else if (e.kind == "fulfill" || e.kind == "task") {
      store::JobRow j;
      j.request_id = r.id;
      j.kind = e.kind;
      j.step = e.arg;
      j.idempotency_key = r.id + ":" + e.arg + ":" + std::to_string(r.version);
      j.status = e.kind == "fulfill" ? "pending" : "open";
      j.created_at = now;
      if (Status s = tx.InsertJob(j); !s.ok()) return s;
    } else if (e.kind == "extend_deadline") {
      deadlines_->Apply(r);  // r.extensions was folded in; the due day moves by the extension
    } else if (e.kind == "pause_clock") {
      r.paused_at = now;
    } else if (e.kind == "resume_clock") {
      if (r.paused_at) r.paused_days += deadlines_->DaysBetween(*r.paused_at, now);
      r.paused_at.reset();
      deadlines_->Apply(r);
    } else if (e.kind == "promote_duplicate") {
      // Contract — duplicates: this verified duplicate becomes the primary, with a deadline of its
      // own from its receipt; the old primary (unverified) becomes its duplicate, linked to it,
      // through a `superseded` transition.
      auto primary = PrimaryOf(tx, r);
      if (!primary.ok()) return primary.status();
      r.duplicate_of.clear();
      deadlines_->Apply(r);
      if (primary->has_value() && !IsFinalState((*primary)->state)) {
        store::RequestRow old = std::move(**primary);
        old.duplicate_of = r.id;
        deadlines_->Apply(old);  // a duplicate has no deadline of its own
        Event sup;
        sup.name = "superseded";
        sup.actor = "system";
        sup.reason = "a later request of the same type for the same data subject was verified first";
        sup.data["duplicate_of"] = r.id;
        sup.data["promoted"] = r.reference;
        if (Status s = ApplyInTx(tx, old, sup, std::nullopt); !s.ok()) return s;
        if (Status s = ScheduleReminders(tx, old, now); !s.ok()) return s;  // none left: a duplicate
      }
    } else if (e.kind == "mark_verified") {
      // Folded into the snapshot (core/interpreter.cpp Fold).
    } else {
      return Status::IoError("effect '" + e.kind + "' is not implemented");
    }
  }
  return Status::Ok();
}

Status Engine::QueueMail(store::Tx& tx, const store::RequestRow& r, const std::string& template_name,
                                 std::map<std::string, std::string> vars, std::optional<std::int64_t> seq,
                                 bool carries_secret, const std::vector<std::string>& recipients) {
  const json::value subject = ParseOr(r.subject_json, json::object());
  const json::value requester = ParseOr(r.requester_json, json::value());
  vars["reference"] = r.reference;
  vars["controller"] = config_.controller_name;
  vars["received_date"] = deadlines_->LocalDate(r.received_at);
  if (r.due_at) vars["due_date"] = deadlines_->LocalDate(*r.due_at);
  vars["state"] = r.state;
  const std::string name = StringField(subject, "name");
  if (!name.empty()) vars["name"] = name;
  // In the requester's language when the template is translated (staff mail is not: English).
  auto rendered = templates_.Render(template_name, r.language, r.type, vars);
  if (!rendered.ok()) return rendered.status();

  json::array to;
  if (!recipients.empty()) {
    for (const auto& a : recipients) to.push_back(json::string(a));
  } else {
    to.push_back(json::string(StringField(subject, "email")));
    const std::string agent = StringField(requester, "email");
    if (!agent.empty() && NormalizeEmail(agent) != r.subject_email) to.push_back(json::string(agent));
  }

  store::OutboxRow o;
  o.request_id = r.id;
  o.transition_seq = seq;
  o.template_name = template_name;
  o.to_json = json::serialize(to);
  o.subject = rendered->subject;
  o.body = rendered->body;
  if (!rendered->html.empty()) o.body_html = rendered->html;
  o.language = rendered->language;
  o.carries_secret = carries_secret;
  o.message_id = "dsar." + Secrets::RandomHex(12) + "@" + config_.mail_domain;
  // Threading: a reply to the requester's message when there is one, else to our first mail
  // about the request; References name both, oldest first.
  const std::string theirs = StringField(ParseOr(r.details_json, json::object()), "message_id");
  std::string ours;
  auto earlier = tx.OutboxFor(r.id);
  if (!earlier.ok()) return earlier.status();
  if (!earlier->empty()) ours = earlier->front().message_id;
  if (!theirs.empty()) o.references.push_back(theirs);
  if (!ours.empty()) o.references.push_back(ours);
  o.in_reply_to = !theirs.empty() ? theirs : ours;
  o.created_at = clock_.Now();
  o.next_attempt_at = o.created_at;
  auto id = tx.InsertOutbox(o);
  return id.ok() ? Status::Ok() : id.status();
}

}  // namespace dsar::service
