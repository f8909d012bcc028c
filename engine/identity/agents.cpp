#include "identity/agents.h"

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

const std::vector<AgentAuthorizationKind>& AgentAuthorizationKinds() {
  static const std::vector<AgentAuthorizationKind> kinds = {
      {"signed_permission",
       "Cal. Code Regs. tit. 11 § 7063(a)(1)-(2) (the consumer's signed permission; the consumer also verifies "
       "their own identity directly)"},
      {"power_of_attorney",
       "Cal. Code Regs. tit. 11 § 7063(b); Cal. Prob. Code §§ 4121-4130 (a power of attorney: no confirmation by "
       "the consumer)"},
      {"parental_responsibility",
       "Cal. Code Regs. tit. 11 § 7070 (a parent or legal guardian of a consumer under 13, verified by a reasonable "
       "method); GDPR Art. 8(2) (the holder of parental responsibility)"},
  };
  return kinds;
}

bool HasAgent(const store::RequestRow& r) {
  const std::string agent = StringField(ParseOr(r.requester_json, json::value()), "email");
  return !agent.empty() && NormalizeEmail(agent) != r.subject_email;
}

// Cal. Code Regs. tit. 11 § 7063: the strongest authorization recorded for the request.
Result<AgentAuthority> AgentAuthorityFor(store::Tx& tx, const store::RequestRow& r) {
  if (!HasAgent(r)) return AgentAuthority::kNotNeeded;
  auto rows = tx.AgentAuthorizationsFor(r.id);
  if (!rows.ok()) return rows.status();
  return StrongestAuthority(*rows);
}

AgentAuthority StrongestAuthority(const std::vector<store::AgentAuthorizationRow>& rows) {
  AgentAuthority a = AgentAuthority::kMissing;
  for (const auto& row : rows) {
    if (row.kind == "power_of_attorney") return AgentAuthority::kPowerOfAttorney;
    if (row.kind == "parental_responsibility") return AgentAuthority::kParentalResponsibility;
    if (row.kind == "signed_permission") a = AgentAuthority::kSignedPermission;
  }
  return a;
}



Result<RequestView> RecordAgentAuthorization(Engine& e, const std::string& id, const std::string& kind,
                                             const std::string& note, const std::string& evidence_ref,
                                             const std::string& actor, std::optional<std::int64_t> expected_version) {
  const auto& kinds = AgentAuthorizationKinds();
  auto k = std::find_if(kinds.begin(), kinds.end(), [&](const auto& x) { return x.name == kind; });
  if (k == kinds.end())
    return Status::Invalid("kind must be 'signed_permission', 'power_of_attorney' or 'parental_responsibility'");
  if (Trim(note).empty()) return Status::Invalid("a note on the evidence seen is required");
  RequestView row;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    if (IsFinalState(row.state)) return Status::Refused("request " + row.reference + " is closed");
    if (!HasAgent(row))
      return Status::Unprocessable("request " + row.reference +
                                   " was made by the data subject: there is no authorized agent to authorize");
    const Millis now = e.clock().Now();
    store::AgentAuthorizationRow a{0, row.id, kind, Trim(note), Trim(evidence_ref), actor, now};
    if (Status st = tx.InsertAgentAuthorization(a); !st.ok()) return st;
    Event ev;
    ev.name = "agent_authorization_recorded";
    ev.actor = actor;
    ev.reason = a.note;
    ev.data["kind"] = kind;
    ev.data["note"] = a.note;
    if (!a.evidence_ref.empty()) ev.data["evidence_ref"] = a.evidence_ref;
    ev.data["citation"] = k->citation;
    if (Status st = e.ApplyInTx(tx, row, ev, expected_version); !st.ok()) return st;
    return e.CompleteViewInTx(tx, row);
  });
  if (!s.ok()) return s;
  return row;
}

}  // namespace dsar::service
