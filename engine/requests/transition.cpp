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
#include "requests/duplicates.h"
#include "schedule/reminders.h"

namespace dsar::service {

namespace json = boost::json;

namespace {

constexpr int kMaxFollowUps = 8;

}  // namespace

// ---- events ----

Status Engine::ApplyInTx(store::Tx& tx, store::RequestRow& r, const Event& event,
                                 std::optional<std::int64_t> expected_version) {
  std::vector<Event> pending{event};
  const std::optional<Millis> due_before = r.due_at;
  const std::optional<Millis> paused_before = r.paused_at;
  const bool final_before = IsFinalState(r.state);
  for (int round = 0; !pending.empty(); ++round) {
    if (round > kMaxFollowUps) return Status::IoError("too many follow-up events on request " + r.reference);
    Event ev = std::move(pending.front());
    pending.erase(pending.begin());
    auto wf = PinnedWorkflow(tx, r.workflow_hash);
    if (!wf.ok()) return wf.status();
    if (round == 0 && expected_version && *expected_version != r.version)
      return Status::Conflict("request " + r.reference + " is at version " + std::to_string(r.version) +
                              ", not " + std::to_string(*expected_version));
    auto holds = tx.ActiveHoldCount(r.subject_email, r.subject_account);
    if (!holds.ok()) return holds.status();
    const Millis now = clock_.Now();
    RequestSnapshot snap;
    snap.state = r.state;
    snap.version = r.version;
    snap.identity_verified = r.identity_verified;
    snap.active_holds = *holds;
    snap.extensions = r.extensions;
    snap.extension_allowed = deadlines_->ExtensionAllowed(r, now);
    snap.pause_allowed = deadlines_->PauseAllowed(r, now);
    auto agent = AgentAuthorityFor(tx, r);
    if (!agent.ok()) return agent.status();
    snap.agent = *agent;
    if (r.state == "duplicate") {
      // Promotion (contract — duplicates): the primary is not verified, and it is closed or
      // waits in a state its own workflow lets a verified duplicate supersede.
      auto primary = PrimaryOf(tx, r);
      if (!primary.ok()) return primary.status();
      if (!primary->has_value()) {
        snap.primary_unverified = true;  // the primary is gone (purged): this one stands alone
      } else if (!(*primary)->identity_verified) {
        const store::RequestRow& p = **primary;
        if (IsFinalState(p.state)) {
          snap.primary_unverified = true;
        } else {
          auto pwf = PinnedWorkflow(tx, p.workflow_hash);
          if (!pwf.ok()) return pwf.status();
          snap.primary_unverified = (*pwf)->Candidates(p.state, "superseded") != nullptr;
        }
      }
    }
    // An access package that holds rows waits for the redaction review (GDPR Art. 15(4)).
    if (config_.access_review && ev.name == "fulfilled" && StringField(json::value(ev.data), "step") == "export_access")
      if (const auto* sum = ev.data.if_contains("summary"); sum && sum->is_object())
        if (const auto* found = sum->as_object().if_contains("found"); found && found->is_bool() && found->as_bool())
          snap.review_required = true;
    auto decision = Decide(**wf, snap, ev, now);
    if (!decision.ok()) return decision.status();

    store::TransitionRow t;
    t.request_id = r.id;
    t.version = r.version + 1;
    t.from_state = decision->from;
    t.to_state = decision->to;
    t.event = ev.name;
    t.actor = ev.actor;
    t.reason = ev.reason;
    t.data_json = json::serialize(ev.data);
    json::array effects;
    for (const auto& e : decision->effects) {
      json::object o;
      o["kind"] = e.kind;
      if (!e.arg.empty()) o["arg"] = e.arg;
      effects.push_back(std::move(o));
    }
    t.effects_json = json::serialize(effects);
    t.at = now;
    t.workflow_hash = r.workflow_hash;
    auto seq = tx.AppendTransition(t);
    if (!seq.ok()) return seq.status();

    const std::int64_t old_version = r.version;
    RequestSnapshot next = Fold(snap, *decision);
    r.state = next.state;
    r.version = next.version;
    r.identity_verified = next.identity_verified;
    r.extensions = next.extensions;
    r.updated_at = now;
    if (decision->state_changed) {
      // Leaving a state cancels its timers (its timeout and the requester's reminder).
      if (Status s = tx.CancelTimers(r.id, {"state", "requester_reminder"}, now); !s.ok()) return s;
      if (decision->timer)
        if (Status s = tx.InsertTimer({0, r.id, r.state, decision->timer->event, decision->timer_fire_at, "state"});
            !s.ok())
          return s;
    }
    if (Status s = ApplyEffects(tx, r, *decision, *seq, ev, pending); !s.ok()) return s;
    if (Status s = tx.UpdateRequest(r, old_version); !s.ok()) return s;
  }
  if (r.due_at != due_before || r.paused_at != paused_before || IsFinalState(r.state) != final_before)
    return ScheduleReminders(tx, r, clock_.Now());
  return Status::Ok();
}

Status Engine::ScheduleReminders(store::Tx& tx, const store::RequestRow& r, Millis now) {
  return ScheduleDeadlineReminders(tx, r, now, *deadlines_, config_.reminder_days_before);
}

}  // namespace dsar::service
