#include <catch2/catch.hpp>

#include "core/interpreter.h"

using namespace dsar;

namespace {

TransitionDef To(const char* to, std::vector<std::string> guards = {}, std::vector<EffectDef> effects = {}) {
  TransitionDef t;
  if (to != nullptr) t.to = to;
  t.guards = std::move(guards);
  t.effects = std::move(effects);
  return t;
}

// A small deletion-like workflow, built in code so the core is tested without the YAML loader.
Workflow Deletion() {
  Workflow wf;
  wf.id = "deletion";
  wf.request_type = "deletion";
  wf.initial = "received";
  auto state = [&](const char* name) -> StateDef& {
    StateDef& s = wf.states[name];
    s.name = name;
    return s;
  };
  state("received").on["submit"] = {To("verifying", {}, {{"mail", "acknowledgment"}, {"start_verification", ""}})};
  StateDef& verifying = state("verifying");
  verifying.timeout = TimeoutDef{30 * kMillisPerDay, "verification_expired"};
  verifying.on["identity_verified"] = {To("hold_check", {}, {{"mark_verified", ""}, {"check_holds", ""}})};
  verifying.on["verification_expired"] = {To("denied")};
  state("hold_check").on["holds_clear"] = {To("fulfilling", {"no_active_hold"}, {{"fulfill", "erase"}})};
  state("hold_check").on["hold_active"] = {To("on_hold", {"hold_active"})};
  state("on_hold").on["hold_released"] = {To("hold_check", {}, {{"check_holds", ""}})};
  state("fulfilling").on["fulfilled"] = {To("completed")};
  state("completed").final = true;
  state("denied").final = true;
  state("denied").requires_fields = {"reason"};
  state("cancelled").final = true;
  wf.any_state["cancel"] = {To("cancelled", {"reason_given"})};
  wf.any_state["hold_placed"] = {To(nullptr)};
  wf.any_state["assign"] = {To(nullptr, {"staff_named"})};
  return wf;
}

Event Ev(const char* name, const char* reason = "") {
  Event e;
  e.name = name;
  e.actor = "test";
  e.reason = reason;
  return e;
}

const Millis kNow = 1795965212000;  // 2026-11-29T15:13:32Z

}  // namespace

TEST_CASE("a transition returns the next state, its effects and the target state's timer", "[core][interpreter]") {
  const Workflow wf = Deletion();
  RequestSnapshot s{"received", 1, false, 0};
  auto d = Decide(wf, s, Ev("submit"), kNow);
  REQUIRE(d.ok());
  CHECK(d->from == "received");
  CHECK(d->to == "verifying");
  CHECK(d->state_changed);
  REQUIRE(d->effects.size() == 2);
  CHECK(d->effects[0].kind == "mail");
  CHECK(d->effects[0].arg == "acknowledgment");
  CHECK(d->effects[1].kind == "start_verification");
  REQUIRE(d->timer.has_value());
  CHECK(d->timer->event == "verification_expired");
  CHECK(FormatRfc3339(d->timer_fire_at) == "2026-12-29T15:13:32Z");
  const RequestSnapshot next = Fold(s, *d);
  CHECK(next.state == "verifying");
  CHECK(next.version == 2);
  CHECK_FALSE(next.identity_verified);
}

TEST_CASE("mark_verified is folded into the snapshot", "[core][interpreter]") {
  const Workflow wf = Deletion();
  auto d = Decide(wf, {"verifying", 2, false, 0}, Ev("identity_verified"), kNow);
  REQUIRE(d.ok());
  CHECK(d->to == "hold_check");
  CHECK_FALSE(d->timer.has_value());
  CHECK(Fold({"verifying", 2, false, 0}, *d).identity_verified);
}

TEST_CASE("refusals name the reason", "[core][interpreter]") {
  const Workflow wf = Deletion();
  SECTION("an event the state does not offer") {
    auto d = Decide(wf, {"received", 1, false, 0}, Ev("fulfilled"), kNow);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().IsRefused());
    CHECK(d.status().message() == "event 'fulfilled' is not allowed in state 'received'");
  }
  SECTION("a final state refuses everything, even any_state events") {
    auto d = Decide(wf, {"completed", 7, true, 0}, Ev("cancel", "changed my mind"), kNow);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().message() == "the request is in final state 'completed'");
  }
  SECTION("a failing guard") {
    auto d = Decide(wf, {"verifying", 2, false, 0}, Ev("cancel"), kNow);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().message() == "event 'cancel' refused in state 'verifying': a reason is required");
  }
  SECTION("a hold blocks the erasure") {
    auto d = Decide(wf, {"hold_check", 3, true, 1}, Ev("holds_clear"), kNow);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().message() == "event 'holds_clear' refused in state 'hold_check': a legal hold covers the data subject");
  }
  SECTION("a target state that requires a reason") {
    auto d = Decide(wf, {"verifying", 2, false, 0}, Ev("verification_expired"), kNow);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().message() == "event 'verification_expired' refused in state 'verifying': state 'denied' requires a reason");
  }
  SECTION("an unknown state") {
    auto d = Decide(wf, {"limbo", 2, false, 0}, Ev("submit"), kNow);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().IsRefused());
  }
}

TEST_CASE("any_state events: internal transitions keep the state and record the event", "[core][interpreter]") {
  const Workflow wf = Deletion();
  auto d = Decide(wf, {"verifying", 2, false, 1}, Ev("hold_placed"), kNow);
  REQUIRE(d.ok());
  CHECK(d->to == "verifying");
  CHECK_FALSE(d->state_changed);
  CHECK_FALSE(d->timer.has_value());  // re-entering nothing: the verification timer is kept
  Event assign = Ev("assign");
  CHECK_FALSE(Decide(wf, {"verifying", 2, false, 0}, assign, kNow).ok());
  assign.data["staff"] = "maria";
  CHECK(Decide(wf, {"verifying", 2, false, 0}, assign, kNow).ok());
}

TEST_CASE("EventsOffered lists the state's own and the any_state events", "[core][interpreter]") {
  const Workflow wf = Deletion();
  CHECK(wf.EventsOffered("verifying") ==
        std::vector<std::string>{"assign", "cancel", "hold_placed", "identity_verified", "verification_expired"});
  CHECK(wf.EventsOffered("completed").empty());
}

TEST_CASE("random event sequences: the fold of accepted decisions matches a simple model", "[core][interpreter]") {
  const Workflow wf = Deletion();
  const std::vector<const char*> events = {"submit", "identity_verified", "holds_clear", "hold_active", "hold_released",
                                           "fulfilled", "cancel", "hold_placed", "verification_expired"};
  std::uint64_t seed = 0x9E3779B97F4A7C15ull;
  for (int run = 0; run < 200; ++run) {
    RequestSnapshot s{"received", 1, false, 0};
    int accepted = 0;
    for (int i = 0; i < 30; ++i) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      Event e = Ev(events[seed % events.size()], (seed >> 8) % 2 ? "reason" : "");
      s.active_holds = static_cast<int>((seed >> 16) % 3 == 0);
      auto d = Decide(wf, s, e, kNow);
      if (!d.ok()) {
        CHECK(d.status().IsRefused());
        continue;
      }
      // Model: an accepted event always comes from a non-final state, and never erases under a hold.
      CHECK_FALSE(wf.FindState(s.state)->final);
      if (d->state_changed && d->to == "fulfilling") CHECK(s.active_holds == 0);
      s = Fold(s, *d);
      ++accepted;
      CHECK(s.version == 1 + accepted);
    }
  }
}
