// The workflow interpreter: pure, no I/O, no clock reads, no globals.
//
//   Decide(workflow, snapshot, event, now) -> Decision | Refused
//
// The caller (engine/service) loads the snapshot, calls Decide, and persists the decision in
// one transaction (store/). Replaying a request's transitions through Fold() rebuilds its
// snapshot; the store's row must always equal that replay.
//
// Guards (names checked by the workflow validator):
//   reason_given       the event carries a `reason` with more than blanks and control characters
//   note_given         the event carries such a `reason` or `data.note`
//   identity_verified  the data subject's identity has been verified on this request
//   no_active_hold     no unreleased legal hold covers the data subject
//   hold_active        at least one unreleased legal hold covers the data subject
//   task_named         the event carries a non-empty `data.task`
//   staff_named        the event carries a non-empty `data.staff`
//   extension_allowed  the jurisdiction allows an extension now: the first period has not ended
//                      and the request has not used its extensions (computed by the caller)
//   pause_allowed      the jurisdiction lets the clock stop while waiting for the requester
//                      (UK: Data (Use and Access) Act 2025; computed by the caller)
//   review_required    the access package just built holds the data subject's rows and the
//                      deployment reviews packages before release (config `access_review`,
//                      default on; GDPR Art. 15(4): a copy must not adversely affect the rights
//                      and freedoms of others; computed by the caller)
//   denial_reason_given  the event carries `data.reason_code` from the fixed list (core/denial.h)
//                      and a `reason` (free text for the requester)
//   agent_authorized   no authorized agent acts for the data subject, or one does and the
//                      authority is recorded (Cal. Code Regs. tit. 11 § 7063): a power of attorney
//                      under Cal. Prob. Code §§ 4121-4130 (§ 7063(b): nothing more), a parent's or
//                      guardian's responsibility for a child (§ 7070; GDPR Art. 8(2)), or a signed
//                      permission together with the data subject's own verification, already done
//                      or done by this very transition (one whose effects include mark_verified:
//                      § 7063(a)(1)-(2)). Input: RequestSnapshot::agent (computed by the caller)
//   primary_unverified  the request is a duplicate whose primary (the first request, followed
//                      down the duplicate_of chain) is not verified: verifying the duplicate
//                      promotes it (DESIGN.md §3, contract — duplicates). Input, by the caller
//   fraud_suspected    the event carries `data.fraud_check.suspected: true` (set by the service at
//                      submission of an opt-out from the request type's fraud_check policy:
//                      Cal. Code Regs. tit. 11 § 7026(d)-(e))
// A target state listing `requires: [reason]` also refuses an event without a reason.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "core/workflow.h"

namespace dsar {

// What the interpreter needs to know about a request. `active_holds` is computed by the caller
// from the legal_holds table at decision time: it is input, recorded with the transition.
// Who stands behind an authorized agent's request (Cal. Code Regs. tit. 11 § 7063).
enum class AgentAuthority {
  kNotNeeded,         // no requester other than the data subject
  kMissing,           // an agent asked, and no authorization is recorded yet
  kSignedPermission,  // § 7063(a)(1): the data subject must also verify themselves (a)(2)
  kPowerOfAttorney,   // § 7063(b), Cal. Prob. Code §§ 4121-4130: no confirmation needed
  kParentalResponsibility,  // a parent or guardian of a child (§ 7070; GDPR Art. 8): as above
};

struct RequestSnapshot {
  std::string state;
  std::int64_t version = 0;  // number of transitions applied so far
  bool identity_verified = false;
  int active_holds = 0;
  int extensions = 0;              // extensions taken (folded from extend_deadline effects)
  bool extension_allowed = false;  // input: the jurisdiction rule at decision time
  bool pause_allowed = false;      // input: the jurisdiction rule
  AgentAuthority agent = AgentAuthority::kNotNeeded;  // input: the agent_authorizations table
  bool primary_unverified = false;  // input: for a duplicate, its primary is not verified
  bool review_required = false;    // input: a package to review before release (see guards)
};

struct Event {
  std::string name;
  std::string actor;   // "system", "requester", "staff:<name>", "timer", "intake"
  std::string reason;  // free text; required by some guards and states
  boost::json::object data;
};

struct Decision {
  std::string from;
  std::string to;           // equals `from` for an internal transition
  bool state_changed = false;
  std::vector<EffectDef> effects;
  // The timer the target state asks for, when the state changes and the state has a timeout.
  std::optional<TimeoutDef> timer;
  Millis timer_fire_at = 0;  // now + timer->after
};

// Returns the decision, or Status::Refused naming why (unknown event in the state, a final
// state, a guard that failed, a required field missing). Never any other kind.
Result<Decision> Decide(const Workflow& wf, const RequestSnapshot& snapshot, const Event& event, Millis now);

// The snapshot after `decision` (version + 1, the new state, verification recorded).
RequestSnapshot Fold(const RequestSnapshot& snapshot, const std::string& to_state,
                     const std::vector<std::string>& effect_kinds);
RequestSnapshot Fold(const RequestSnapshot& snapshot, const Decision& decision);

}  // namespace dsar
