#include "identity/codes.h"

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
#include "requests/engine.h"

namespace dsar::service {

namespace json = boost::json;

// ---- verification ----

// Checks `code` against the latest verification of `r` inside `tx`. Returns Ok with `refusal`
// set when the attempt fails (the attempt is recorded, so the transaction must commit).
Status VerifyCodeInTx(Engine& svc, store::Tx& tx, store::RequestRow& r, const std::string& code,
                  const std::string& actor, Status& refusal) {
  auto wf = svc.PinnedWorkflow(tx, r.workflow_hash);
  if (!wf.ok()) return wf.status();
  if ((*wf)->Candidates(r.state, "identity_verified") == nullptr) {
    refusal = Status::Refused("request " + r.reference + " is not awaiting identity verification");
    return Status::Ok();
  }
  if (r.identity_verified) {
    refusal = Status::Refused("the data subject's identity is already verified on request " + r.reference);
    return Status::Ok();
  }
  auto latest = tx.LatestVerification(r.id);
  if (!latest.ok()) return latest.status();
  const Millis now = svc.clock().Now();
  if (!latest->has_value()) {
    refusal = Status::Refused("no verification code was issued for this request");
    return Status::Ok();
  }
  store::VerificationRow v = **latest;
  if (v.locked_at || v.attempts >= v.max_attempts) {
    refusal = Status::Refused("too many wrong codes; the code is locked");
    return Status::Ok();
  }
  if (v.consumed_at) {
    refusal = Status::Refused("the code was already used");
    return Status::Ok();
  }
  // The expiry is checked against the stored issue time and the policy's TTL (and the stored
  // expiry, whichever comes first, so a policy change never lengthens a code already sent).
  const Millis expires = std::min(v.expires_at, v.issued_at + svc.PolicyFor(r).code_ttl);
  if (now > expires) {
    refusal = Status::Refused("the code has expired");
    return Status::Ok();
  }
  // Constant time: the keyed hashes are compared with sodium_memcmp (Secrets::HashesEqual).
  const bool match = Secrets::HashesEqual(svc.secrets().KeyedHash(r.id + ":" + Trim(code)), v.code_hash);
  v.attempts += 1;
  if (match) {
    v.consumed_at = now;
    if (Status s = tx.UpdateVerification(v); !s.ok()) return s;
    Event ev;
    ev.name = "identity_verified";
    ev.actor = actor;
    ev.data["method"] = "email_code";
    return svc.ApplyInTx(tx, r, ev, std::nullopt);
  }
  const int left = v.max_attempts - v.attempts;
  if (left <= 0) v.locked_at = now;
  if (Status s = tx.UpdateVerification(v); !s.ok()) return s;
  if (left <= 0) {
    // The code is locked, not the request: whoever guesses at a reference must not be able to get
    // someone else's request denied. Staff can verify by other means; otherwise the verification
    // window expires and the request is denied for insufficient verification.
    refusal = Status::Refused("wrong code; no attempts left, the code is locked");
  } else {
    refusal = Status::Refused("wrong code; " + std::to_string(left) + " attempt(s) left");
  }
  return Status::Ok();
}

Result<store::RequestRow> Verify(Engine& e, const std::string& id, const std::string& code,
                                                 const std::string& actor) {
  store::RequestRow row;
  Status refusal;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    return VerifyCodeInTx(e, tx, row, code, actor, refusal);
  });
  if (!s.ok()) return s;
  if (!refusal.ok()) return refusal;
  return row;
}

Result<store::RequestRow> ResendCode(Engine& e, const std::string& id, const std::string& actor) {
  store::RequestRow row;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    auto wf = e.PinnedWorkflow(tx, row.workflow_hash);
    if (!wf.ok()) return wf.status();
    if ((*wf)->Candidates(row.state, "identity_verified") == nullptr ||
        (*wf)->Candidates(row.state, "code_resent") == nullptr)
      return Status::Refused("request " + row.reference + " is not awaiting identity verification");
    if (row.identity_verified)
      return Status::Refused("the data subject's identity is already verified on request " + row.reference);
    const workflow::VerificationPolicy policy = e.policies().For(row.type, row.jurisdiction);
    auto latest = tx.LatestVerification(row.id);
    if (!latest.ok()) return latest.status();
    auto issued = tx.VerificationCount(row.id);
    if (!issued.ok()) return issued.status();
    const Millis now = e.clock().Now();
    if (latest->has_value()) {
      const Millis next = (*latest)->issued_at + policy.resend_cooldown;
      if (now < next)
        return Status::RateLimited("a new code was sent less than " + std::to_string(policy.resend_cooldown / 1000) +
                                       " seconds ago; try again later",
                                   next - now);
    }
    const int resends = std::max(0, *issued - 1);
    if (resends >= policy.max_resends)
      return Status::Conflict("no more new codes for request " + row.reference + " (" +
                              std::to_string(policy.max_resends) + " already sent); staff can verify by other means");
    Event ev;
    ev.name = "code_resent";
    ev.actor = actor;
    ev.data["resend"] = resends + 1;
    ev.data["max_resends"] = policy.max_resends;
    return e.ApplyInTx(tx, row, ev, std::nullopt);  // the workflow's start_verification issues and mails it
  });
  if (!s.ok()) return s;
  return row;
}

Result<std::string> VerificationFailure(Engine& e, store::Tx& tx, const store::RequestRow& r) {
  // Data points offered until they were locked (Cal. Code Regs. tit. 11 § 7062).
  if (const auto rule = e.policies().For(r.type, r.jurisdiction).data_points) {
    auto attempts = tx.DataPointAttemptsFor(r.id);
    if (!attempts.ok()) return attempts.status();
    int failed = 0;
    for (const auto& a : *attempts) failed += a.success ? 0 : 1;
    if (failed >= rule->max_attempts)
      return "the details given to confirm your identity did not match the information we hold, after " +
             std::to_string(failed) + " attempt(s), and the request was not confirmed with the code we sent in the "
             "time allowed";
  }
  auto latest = tx.LatestVerification(r.id);
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return std::string("the request was not confirmed in the time allowed");
  const store::VerificationRow& v = **latest;
  if (v.locked_at || v.attempts >= v.max_attempts)
    return std::string("too many wrong codes were entered, and the request was not confirmed with a new code in the "
                       "time allowed");
  if (v.attempts > 0 &&
      e.clock().Now() > std::min(v.expires_at, v.issued_at + e.policies().For(r.type, r.jurisdiction).code_ttl))
    return std::string("the code we sent expired before the right code was entered, and no new code was used");
  return std::string("the request was not confirmed with the code we sent in the time allowed");
}

}  // namespace dsar::service
