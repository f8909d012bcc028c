// Authorized agents (Cal. Code Regs. tit. 11 § 7063; GDPR Art. 8(2) for parents): who may act for
// a data subject, how staff record their authority, and the authority a decision reads.
//
// Thread safety: free functions; the store serialises writers.
#pragma once

#include <string>
#include <vector>
#include <optional>
#include <cstdint>
#include "core/interpreter.h"
#include "core/status.h"
#include "store/store.h"

namespace dsar::service {

class Engine;        // requests/engine.h
struct RequestView;  // requests/engine.h

// True when someone other than the data subject made the request (an authorized agent, a
// parent): its `requester` names another address. Such a request leaves verification only once
// an agent authorization is recorded (Cal. Code Regs. tit. 11 § 7063; guard agent_authorized).
// A parent writing for a child counts as an agent too: staff record parental_responsibility.
bool HasAgent(const store::RequestRow& r);

// The kinds of agent authorization staff may record, with their legal source:
//   signed_permission  § 7063(a)(1): the consumer's signed permission; the data subject must also
//                      verify their own identity directly (§ 7063(a)(2)): the code mailed to the
//                      data subject (or data points) counts
//   power_of_attorney  § 7063(b): a power of attorney under Cal. Prob. Code §§ 4121-4130; no
//                      confirmation by the data subject is needed
//   parental_responsibility  a parent or legal guardian acting for a child (§ 7070; GDPR
//                      Art. 8(2)); no confirmation by the child is needed
struct AgentAuthorizationKind {
  std::string name, citation;
};
const std::vector<AgentAuthorizationKind>& AgentAuthorizationKinds();

// The strongest authorization recorded for request `r` (kNotNeeded when the data subject asked).
Result<AgentAuthority> AgentAuthorityFor(store::Tx& tx, const store::RequestRow& r);
// The strongest of the authorizations `rows` of one agent's request (kMissing when none).
AgentAuthority StrongestAuthority(const std::vector<store::AgentAuthorizationRow>& rows);

// Staff record an authorized agent's authority (Cal. Code Regs. tit. 11 § 7063): `kind` one of
// AgentAuthorizationKinds(), `note` (required) what was seen, `evidence_ref` ("" = none) where
// the document is kept. Stored in agent_authorizations (migration 012) and recorded as an
// `agent_authorization_recorded` transition (kind, note, evidence_ref, citation); a request
// that waits for it in verifying (its data subject verified) then proceeds. Invalid for an
// unknown kind or no note; Unprocessable when the request has no agent (HasAgent); Refused
// when the request is closed or its workflow does not take the event; Conflict for a stale
// expected_version.
// The answer is the view read in the same transaction.
Result<RequestView> RecordAgentAuthorization(Engine& e, const std::string& id, const std::string& kind,
                                             const std::string& note, const std::string& evidence_ref,
                                             const std::string& actor, std::optional<std::int64_t> expected_version);

}  // namespace dsar::service
