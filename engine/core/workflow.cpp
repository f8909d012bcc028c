#include "core/workflow.h"

#include <algorithm>
#include <set>

namespace dsar {

const StateDef* Workflow::FindState(const std::string& name) const {
  auto it = states.find(name);
  return it == states.end() ? nullptr : &it->second;
}

const std::vector<TransitionDef>* Workflow::Candidates(const std::string& state, const std::string& event) const {
  const StateDef* s = FindState(state);
  if (s == nullptr || s->final) return nullptr;
  if (auto it = s->on.find(event); it != s->on.end()) return &it->second;
  if (auto it = any_state.find(event); it != any_state.end()) return &it->second;
  return nullptr;
}

std::vector<std::string> Workflow::EventsOffered(const std::string& state) const {
  std::set<std::string> events;
  const StateDef* s = FindState(state);
  if (s == nullptr || s->final) return {};
  for (const auto& [e, _] : s->on) events.insert(e);
  for (const auto& [e, _] : any_state) events.insert(e);
  return {events.begin(), events.end()};
}

const std::vector<std::string>& KnownGuards() {
  static const std::vector<std::string> guards = {
      "reason_given", "note_given",  "identity_verified", "no_active_hold",   "hold_active",
      "task_named",   "staff_named", "extension_allowed", "pause_allowed",     "denial_reason_given",
      "agent_authorized", "primary_unverified", "fraud_suspected",
      "review_required",
  };
  return guards;
}

const std::vector<EffectKind>& KnownEffects() {
  static const std::vector<EffectKind> effects = {
      {"mail", true},                // queue a mail from a template to the data subject (and requester)
      {"start_verification", false}, // issue a one-time code and mail it
      {"mark_verified", false},      // record that the data subject's identity is verified
      {"check_holds", false},        // follow up at once with holds_clear or hold_active
      {"fulfill", true},             // queue a fulfillment job for a step
      {"task", true},                // open a staff task
      {"extend_deadline", false},    // take the jurisdiction's extension (GDPR Art. 12(3); § 7021(b))
      {"pause_clock", false},        // stop the clock while waiting for the requester
      {"resume_clock", false},       // restart it; the due day moves by the days paused
      {"promote_duplicate", false},  // a verified duplicate becomes the primary; the old primary
                                     // becomes its duplicate (DESIGN.md §3, contract — duplicates)
  };
  return effects;
}

}  // namespace dsar
