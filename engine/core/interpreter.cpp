#include "core/interpreter.h"

#include <algorithm>

#include "core/denial.h"

namespace dsar {

namespace {

// True when `s` holds something other than blanks and control characters.
bool Substantive(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f;
  });
}

bool NonEmptyString(const boost::json::object& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->value().is_string() && Substantive(it->value().as_string());
}

bool Verifies(const TransitionDef& t) {
  return std::any_of(t.effects.begin(), t.effects.end(), [](const EffectDef& e) { return e.kind == "mark_verified"; });
}

bool GuardHolds(const std::string& guard, const RequestSnapshot& s, const Event& e, const TransitionDef& t) {
  if (guard == "reason_given") return Substantive(e.reason);
  if (guard == "note_given") return Substantive(e.reason) || NonEmptyString(e.data, "note");
  if (guard == "identity_verified") return s.identity_verified;
  if (guard == "no_active_hold") return s.active_holds == 0;
  if (guard == "hold_active") return s.active_holds > 0;
  if (guard == "task_named") return NonEmptyString(e.data, "task");
  if (guard == "staff_named") return NonEmptyString(e.data, "staff");
  if (guard == "extension_allowed") return s.extension_allowed;
  if (guard == "pause_allowed") return s.pause_allowed;
  if (guard == "review_required") return s.review_required;
  if (guard == "denial_reason_given") {
    auto it = e.data.find("reason_code");
    return Substantive(e.reason) && it != e.data.end() && it->value().is_string() &&
           FindDenialReason(it->value().as_string()) != nullptr;
  }
  if (guard == "agent_authorized") {
    switch (s.agent) {
      case AgentAuthority::kNotNeeded:
      case AgentAuthority::kPowerOfAttorney:
      case AgentAuthority::kParentalResponsibility: return true;
      case AgentAuthority::kSignedPermission: return s.identity_verified || Verifies(t);
      case AgentAuthority::kMissing: return false;
    }
    return false;
  }
  if (guard == "primary_unverified") return s.primary_unverified;
  if (guard == "fraud_suspected") {
    auto it = e.data.find("fraud_check");
    if (it == e.data.end() || !it->value().is_object()) return false;
    auto* sus = it->value().as_object().if_contains("suspected");
    return sus != nullptr && sus->is_bool() && sus->as_bool();
  }
  return false;  // unknown guards never hold (the validator rejects them at load time)
}

std::string GuardFailure(const std::string& guard) {
  if (guard == "reason_given") return "a reason is required";
  if (guard == "note_given") return "a note on the evidence is required";
  if (guard == "identity_verified") return "the data subject's identity is not verified";
  if (guard == "no_active_hold") return "a legal hold covers the data subject";
  if (guard == "hold_active") return "no legal hold covers the data subject";
  if (guard == "task_named") return "data.task is required";
  if (guard == "staff_named") return "data.staff is required";
  if (guard == "extension_allowed")
    return "no extension is possible for this request (the law gives none, the first period is over, or it was "
           "already extended)";
  if (guard == "review_required") return "the package is released without review";
  if (guard == "pause_allowed")
    return "the clock cannot stop (the jurisdiction does not allow it, or the deadline has passed)";
  if (guard == "denial_reason_given") {
    std::string codes;
    for (const auto& r : DenialReasons()) codes += (codes.empty() ? "" : ", ") + std::string(r.code);
    return "a denial needs data.reason_code (one of " + codes + ") and a reason";
  }
  if (guard == "agent_authorized")
    return "an authorized agent acts for the data subject and no authorization (a signed permission with the "
           "data subject's own verification, or a power of attorney) is recorded";
  if (guard == "primary_unverified") return "the request this one duplicates is already verified";
  if (guard == "fraud_suspected") return "the request is not suspected of fraud";
  return "guard '" + guard + "' is unknown";
}

}  // namespace

Result<Decision> Decide(const Workflow& wf, const RequestSnapshot& s, const Event& e, Millis now) {
  const StateDef* state = wf.FindState(s.state);
  if (state == nullptr) return Status::Refused("state '" + s.state + "' is not in workflow " + wf.id);
  if (state->final) return Status::Refused("the request is in final state '" + s.state + "'");
  const std::vector<TransitionDef>* candidates = wf.Candidates(s.state, e.name);
  if (candidates == nullptr)
    return Status::Refused("event '" + e.name + "' is not allowed in state '" + s.state + "'");

  std::string first_failure;
  for (const TransitionDef& t : *candidates) {
    auto failed = std::find_if(t.guards.begin(), t.guards.end(),
                               [&](const std::string& g) { return !GuardHolds(g, s, e, t); });
    if (failed != t.guards.end()) {
      if (first_failure.empty()) first_failure = GuardFailure(*failed);
      continue;
    }
    const std::string to = t.to.value_or(s.state);
    const StateDef* target = wf.FindState(to);
    if (target == nullptr) return Status::Refused("target state '" + to + "' is not in workflow " + wf.id);
    for (const std::string& field : target->requires_fields) {
      if (field == "reason" && !Substantive(e.reason)) {
        if (first_failure.empty()) first_failure = "state '" + to + "' requires a reason";
        goto next_candidate;
      }
    }
    {
      Decision d;
      d.from = s.state;
      d.to = to;
      d.state_changed = to != s.state;
      d.effects = t.effects;
      if (d.state_changed && target->timeout) {
        d.timer = target->timeout;
        d.timer_fire_at = now + target->timeout->after;
      }
      return d;
    }
  next_candidate:;
  }
  return Status::Refused("event '" + e.name + "' refused in state '" + s.state + "': " + first_failure);
}

RequestSnapshot Fold(const RequestSnapshot& s, const std::string& to_state, const std::vector<std::string>& effect_kinds) {
  RequestSnapshot next = s;
  next.state = to_state;
  next.version = s.version + 1;
  for (const std::string& kind : effect_kinds) {
    if (kind == "mark_verified") next.identity_verified = true;
    if (kind == "extend_deadline") next.extensions += 1;
  }
  return next;
}

RequestSnapshot Fold(const RequestSnapshot& s, const Decision& d) {
  std::vector<std::string> kinds;
  for (const auto& e : d.effects) kinds.push_back(e.kind);
  return Fold(s, d.to, kinds);
}

}  // namespace dsar
