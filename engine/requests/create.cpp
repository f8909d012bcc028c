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
#include "identity/agents.h"
#include "identity/fraud.h"

namespace dsar::service {

namespace json = boost::json;

// ---- creation ----

Result<store::RequestRow> Engine::CreateInTx(store::Tx& tx, const CreateRequestInput& in, Millis now) {
  const auto current = workflows_.Current(in.type);
  if (!current) return Status::Unprocessable("unknown request type '" + in.type + "'");
  const Workflow& wf = *current;
  if (!IsValidEmail(Trim(in.subject.email)))
    return Status::Invalid("subject.email must be one email address (local@domain)");
  if (in.requester && !IsValidEmail(Trim(in.requester->email)))
    return Status::Invalid("requester.email must be one email address (local@domain)");
  DataSubject subject = in.subject;
  subject.email = Trim(subject.email);
  std::optional<Requester> requester = in.requester;
  if (requester) requester->email = Trim(requester->email);
  if (subject.account_id.empty() && account_resolver_) {
    // The data subject's account in the company's systems, so that a legal hold placed by
    // account id covers requests that name only the email.
    auto ids = account_resolver_(subject);
    if (ids.ok() && !ids->empty()) subject.account_id = ids->front();
  }

  store::RequestRow r;
  r.id = Secrets::NewUuid();
  r.reference = Secrets::NewReference();
  r.type = in.type;
  r.state = wf.initial;
  r.jurisdiction = in.jurisdiction;
  r.subject_json = json::serialize(SubjectJson(subject));
  r.subject_email = NormalizeEmail(subject.email);
  r.subject_account = subject.account_id;
  if (requester) r.requester_json = json::serialize(RequesterJson(*requester));
  r.channel = in.channel;
  r.received_at = in.received_at.value_or(now);
  r.details_json = json::serialize(in.details);
  r.language = in.language;
  r.version = 1;
  r.workflow_id = wf.id;
  r.workflow_hash = wf.hash;
  r.created_at = r.updated_at = now;

  auto open = tx.OpenRequestsFor(r.subject_email, r.type, FinalStates());
  if (!open.ok()) return open.status();
  if (!open->empty()) r.duplicate_of = open->front().id;  // contract — duplicates: no deadline of its own
  deadlines_->Apply(r);

  if (Status s = tx.InsertRequest(r); !s.ok()) return s;
  store::TransitionRow t;
  t.request_id = r.id;
  t.version = 1;
  t.to_state = r.state;
  t.event = "create";
  t.actor = in.actor;
  json::object data;
  data["channel"] = r.channel;
  data["received_at"] = FormatRfc3339(r.received_at);
  t.data_json = json::serialize(data);
  t.at = now;
  t.workflow_hash = wf.hash;
  if (auto seq = tx.AppendTransition(t); !seq.ok()) return seq.status();

  Event next;
  next.actor = "system";
  if (!r.duplicate_of.empty()) {
    next.name = "duplicate_detected";
    next.data["duplicate_of"] = r.duplicate_of;
  } else if (in.verification && wf.Candidates(r.state, "submit_verified") != nullptr) {
    // Entered already verified (issue 5 §1): recorded with who vouched and the note; no code.
    next.name = "submit_verified";
    next.actor = in.actor;
    next.reason = in.verification->note;
    next.data["method"] = in.verification->method;
    next.data["note"] = in.verification->note;
  } else {
    next.name = "submit";
    auto fraud = AssessFraud(*this, tx, r, now);
    if (!fraud.ok()) return fraud.status();
    if (fraud->suspected) {  // the documented reason, on the transition (§ 7026(d)-(e))
      json::array reasons;
      for (const auto& why : fraud->reasons) reasons.emplace_back(why);
      json::object fc;
      fc["suspected"] = true;
      fc["reasons"] = std::move(reasons);
      const auto policy = policies_.For(r.type, r.jurisdiction);
      if (!policy.citations.empty()) fc["citation"] = policy.citations.front();
      next.data["fraud_check"] = std::move(fc);
    }
    if (in.verification) {  // a workflow without verification (opt-outs): the claim is kept as evidence
      next.data["verification_method"] = in.verification->method;
      next.data["verification_note"] = in.verification->note;
    }
  }
  if (Status s = ApplyInTx(tx, r, next, std::nullopt); !s.ok()) return s;
  if (Status s = ScheduleReminders(tx, r, now); !s.ok()) return s;
  return r;
}

Result<CreateOutcome> Engine::CreateRequest(const CreateRequestInput& in) {
  const Millis now = clock_.Now();
  if (!ParseRequestType(in.type)) return Status::Unprocessable("unknown request type '" + in.type + "'");
  if (!in.jurisdiction.empty() && !IsKnownJurisdiction(in.jurisdiction))
    return Status::Unprocessable("unknown jurisdiction '" + in.jurisdiction + "'");
  if (!IsKnownChannel(in.channel)) return Status::Unprocessable("unknown channel '" + in.channel + "'");
  if (in.received_at && *in.received_at > now) return Status::Invalid("received_at is in the future");
  if (in.verification) {
    if (in.verification->method != "session" && in.verification->method != "staff")
      return Status::Invalid("verification.method must be 'session' or 'staff'");
    if (Trim(in.verification->note).empty())
      return Status::Invalid("verification.note is required: say how the data subject's identity was established");
  }

  CreateOutcome out;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    if (!in.idempotency_key.empty()) {
      auto found = tx.FindIdempotencyKey(in.idempotency_key);
      if (!found.ok()) return found.status();
      if (found->has_value()) {
        if ((*found)->first != in.fingerprint)
          return Status::Unprocessable("Idempotency-Key was already used with a different request body");
        auto existing = tx.GetRequest((*found)->second);
        if (!existing.ok()) return existing.status();
        out.request = std::move(existing.value());
        out.replayed = true;
        return CompleteViewInTx(tx, out.request);
      }
    }
    auto created = CreateInTx(tx, in, now);
    if (!created.ok()) return created.status();
    out.request = std::move(created.value());
    if (!in.idempotency_key.empty())
      if (Status k = tx.PutIdempotencyKey(in.idempotency_key, in.fingerprint, out.request.id, now); !k.ok()) return k;
    return CompleteViewInTx(tx, out.request);
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace dsar::service
