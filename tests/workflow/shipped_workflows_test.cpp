// The seven shipped workflows (workflows/*.yaml): they load cleanly, follow the contracts of
// DESIGN.md §3 (request types, state names, staff events), and drive the interpreter as
// intended.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/interpreter.h"
#include "core/model.h"
#include "core/sha256.h"
#include "workflow/check_command.h"
#include "workflow/loader.h"

using dsar::Workflow;

namespace {

const std::string kWorkflowsDir = std::string(DSAR_SOURCE_DIR) + "/workflows";

const std::vector<Workflow>& Shipped() {
  static const std::vector<Workflow> workflows = [] {
    auto result = dsar::workflow::LoadWorkflowDir(kWorkflowsDir);
    for (const auto& d : result.errors) UNSCOPED_INFO(d.ToString());
    REQUIRE(result.ok());
    return result.workflows;
  }();
  return workflows;
}

const Workflow& Get(const std::string& id) {
  for (const auto& wf : Shipped())
    if (wf.id == id) return wf;
  FAIL("no shipped workflow " << id);
  throw;  // unreachable
}

std::set<std::string> StateNames(const Workflow& wf) {
  std::set<std::string> names;
  for (const auto& [name, _] : wf.states) names.insert(name);
  return names;
}

std::vector<std::string> Effects(const std::vector<dsar::EffectDef>& effects) {
  std::vector<std::string> out;
  for (const auto& e : effects) out.push_back(e.arg.empty() ? e.kind : e.kind + ":" + e.arg);
  return out;
}

// The single candidate for `event` in `state` (own transitions only).
const dsar::TransitionDef& Only(const Workflow& wf, const std::string& state, const std::string& event) {
  const dsar::StateDef* s = wf.FindState(state);
  REQUIRE(s != nullptr);
  auto it = s->on.find(event);
  REQUIRE(it != s->on.end());
  REQUIRE(it->second.size() == 1);
  return it->second.front();
}

// Every candidate for `event` in `state` (own transitions only), in order.
const std::vector<dsar::TransitionDef>& All(const Workflow& wf, const std::string& state, const std::string& event) {
  const dsar::StateDef* s = wf.FindState(state);
  REQUIRE(s != nullptr);
  auto it = s->on.find(event);
  REQUIRE(it != s->on.end());
  return it->second;
}

// The first candidate for `event` in `state` (own transitions only).
const dsar::TransitionDef& First(const Workflow& wf, const std::string& state, const std::string& event) {
  const auto& all = All(wf, state, event);
  REQUIRE_FALSE(all.empty());
  return all.front();
}

dsar::Event Ev(const std::string& name, const std::string& reason = "") {
  dsar::Event e;
  e.name = name;
  e.actor = "system";
  e.reason = reason;
  return e;
}

// Applies events in order, requiring each to be accepted; returns the final snapshot.
dsar::RequestSnapshot Walk(const Workflow& wf, std::vector<dsar::Event> events, int active_holds = 0) {
  dsar::RequestSnapshot s;
  s.state = wf.initial;
  s.active_holds = active_holds;
  for (const auto& e : events) {
    auto d = dsar::Decide(wf, s, e, 0);
    INFO(wf.id << ": event " << e.name << " in " << s.state);
    REQUIRE(d.ok());
    s = dsar::Fold(s, *d);
  }
  return s;
}

}  // namespace

TEST_CASE("the shipped workflows load with no diagnostics", "[workflow][shipped]") {
  const auto& all = Shipped();
  REQUIRE(all.size() == 7);
  std::set<std::string> types;
  for (const auto& wf : all) {
    INFO(wf.source_path);
    CHECK(wf.id == wf.request_type);
    CHECK(dsar::ParseRequestType(wf.request_type).has_value());
    // 2: message_received and mail_failed (issue 4); 3: denial reasons (issue 5 §7); 4: verification
    // (issue 5 §1: submit_verified, code_resent) in the workflows that verify; 5: authorized agents
    // and duplicate promotion there (issue 5 §1-§2), the connectors (issue 5 §4: task_opened,
    // callback_received, awaiting_task) in deletion, the redaction review in access and the
    // approved correction (issue 5 §5-§6); the opt-outs 4: the connectors, and the fraud check in
    // opt_out_sale.
    const bool verifies = wf.FindState("verifying") != nullptr;
    CHECK(wf.version == (verifies ? 5 : 4));
    CHECK(wf.initial == "received");
    CHECK(wf.hash == dsar::Sha256Hex(wf.source));
    CHECK(wf.hash.size() == 64);
    CHECK(wf.source_path == kWorkflowsDir + "/" + wf.id + ".yaml");
    types.insert(wf.request_type);
  }
  CHECK(types.size() == dsar::AllRequestTypes().size());  // one per contract request type
}

TEST_CASE("the shipped workflows use only contract state names and staff events", "[workflow][shipped]") {
  const std::set<std::string> contract_states = {
      "received", "triage",        "verifying", "hold_check", "on_hold",   "awaiting_approval", "fulfilling",
      "awaiting_task", "paused",   "error",     "duplicate",  "completed", "denied",            "cancelled",
      "awaiting_approval"};  // issue 5 §5: the access package's redaction review before release
  for (const auto& wf : Shipped()) {
    INFO(wf.id);
    for (const auto& [name, state] : wf.states) {
      CHECK(contract_states.count(name) == 1);
      CHECK(state.final == (name == "completed" || name == "denied" || name == "cancelled"));
    }
    CHECK(wf.FindState("denied")->requires_fields == std::vector<std::string>{"reason"});
    CHECK(wf.FindState("cancelled")->requires_fields == std::vector<std::string>{"reason"});
    CHECK(wf.FindState("completed")->requires_fields.empty());

    // any_state, identical in all seven files but for the agent authorization, recorded in the
    // workflows that verify (Cal. Code Regs. tit. 11 § 7063).
    std::set<std::string> any;
    for (const auto& [event, _] : wf.any_state) any.insert(event);
    std::set<std::string> expected_any{"amend",         "assign",        "cancel",      "deny",
                                       "extend",        "hold_placed",   "hold_released", "mail_failed",
                                       "message_received"};
    if (wf.FindState("verifying") != nullptr) expected_any.insert("agent_authorization_recorded");
    CHECK(any == expected_any);
    const auto& extend = wf.any_state.at("extend").front();
    CHECK_FALSE(extend.to.has_value());
    CHECK(extend.guards == std::vector<std::string>{"reason_given", "extension_allowed"});
    CHECK(Effects(extend.effects) == std::vector<std::string>{"extend_deadline", "mail:extension_notice"});
    const auto& cancel = wf.any_state.at("cancel").front();
    CHECK(cancel.to == "cancelled");
    CHECK(cancel.guards == std::vector<std::string>{"reason_given"});
    CHECK(Effects(cancel.effects) == std::vector<std::string>{"mail:cancelled"});
    const auto& deny = wf.any_state.at("deny").front();
    CHECK(deny.to == "denied");
    CHECK(deny.guards == std::vector<std::string>{"denial_reason_given"});
    CHECK(Effects(deny.effects) == std::vector<std::string>{"mail:denied"});
    CHECK_FALSE(wf.any_state.at("hold_placed").front().to.has_value());
    CHECK_FALSE(wf.any_state.at("hold_released").front().to.has_value());
    const auto& assign = wf.any_state.at("assign").front();
    CHECK_FALSE(assign.to.has_value());
    CHECK(assign.guards == std::vector<std::string>{"staff_named"});

    // Staff events offered by any state come from the contract list (DESIGN.md §3), plus
    // system events (which staff cannot send through the API).
    CHECK(wf.EventsOffered("completed").empty());
  }
}

TEST_CASE("deletion: states, transitions and the verification timeout", "[workflow][shipped]") {
  const Workflow& wf = Get("deletion");
  CHECK(StateNames(wf) == std::set<std::string>{"received", "verifying", "paused", "hold_check", "on_hold", "fulfilling",
                                                "awaiting_task", "error", "duplicate", "completed", "denied",
                                                "cancelled"});
  // Connectors (issue 5 §4): a manual system's task, a webhook's callback, a failed step.
  CHECK(Only(wf, "fulfilling", "task_opened").to == "awaiting_task");
  CHECK(Effects(Only(wf, "fulfilling", "callback_received").effects) == std::vector<std::string>{"fulfill:erase"});
  CHECK(Only(wf, "awaiting_task", "complete_task").to == "fulfilling");
  CHECK(Effects(Only(wf, "awaiting_task", "complete_task").effects) == std::vector<std::string>{"fulfill:erase"});
  CHECK(Only(wf, "fulfilling", "step_failed").to == "error");
  CHECK(Effects(Only(wf, "error", "retry").effects) == std::vector<std::string>{"fulfill:erase"});
  CHECK(Only(wf, "received", "submit").to == "verifying");
  CHECK(Effects(Only(wf, "received", "submit").effects) ==
        std::vector<std::string>{"mail:acknowledgment", "start_verification"});
  CHECK(Only(wf, "received", "duplicate_detected").to == "duplicate");

  const dsar::StateDef* verifying = wf.FindState("verifying");
  REQUIRE(verifying->timeout.has_value());
  CHECK(verifying->timeout->after == 30 * dsar::kMillisPerDay);
  CHECK(verifying->timeout->event == "verification_expired");
  // Issue 5 §2 (§ 7063): verified, the request proceeds when no agent needs an authorization,
  // else it waits in verifying (an internal transition that records the verification).
  for (const char* ev : {"identity_verified", "verify_manually"}) {
    REQUIRE(All(wf, "verifying", ev).size() == 2);
    CHECK(First(wf, "verifying", ev).to == "hold_check");
    CHECK(Effects(First(wf, "verifying", ev).effects) == std::vector<std::string>{"mark_verified", "check_holds"});
    CHECK_FALSE(All(wf, "verifying", ev)[1].to.has_value());
    CHECK(Effects(All(wf, "verifying", ev)[1].effects) == std::vector<std::string>{"mark_verified"});
  }
  CHECK(First(wf, "verifying", "verify_manually").guards == std::vector<std::string>{"note_given", "agent_authorized"});
  CHECK(First(wf, "verifying", "identity_verified").guards == std::vector<std::string>{"agent_authorized"});
  CHECK(First(wf, "verifying", "agent_authorization_recorded").guards ==
        std::vector<std::string>{"identity_verified", "agent_authorized"});
  CHECK(First(wf, "verifying", "agent_authorization_recorded").to == "hold_check");
  CHECK(Only(wf, "verifying", "superseded").to == "duplicate");
  // Issue 5 §1: entered already verified (no code), and a new code on request (internal).
  CHECK(First(wf, "received", "submit_verified").to == "hold_check");
  CHECK(First(wf, "received", "submit_verified").guards == std::vector<std::string>{"note_given", "agent_authorized"});
  CHECK(Effects(First(wf, "received", "submit_verified").effects) ==
        std::vector<std::string>{"mail:acknowledgment", "mark_verified", "check_holds"});
  CHECK(All(wf, "received", "submit_verified")[1].to == "verifying");
  CHECK_FALSE(Only(wf, "verifying", "code_resent").to.has_value());
  CHECK(Effects(Only(wf, "verifying", "code_resent").effects) == std::vector<std::string>{"start_verification"});
  for (const char* ev : {"verification_failed", "verification_expired"}) {
    CHECK(Only(wf, "verifying", ev).to == "denied");
    CHECK(Effects(Only(wf, "verifying", ev).effects) == std::vector<std::string>{"mail:denied"});
  }
  CHECK(Only(wf, "hold_check", "holds_clear").to == "fulfilling");
  CHECK(Effects(Only(wf, "hold_check", "holds_clear").effects) == std::vector<std::string>{"fulfill:erase"});
  CHECK(Only(wf, "hold_check", "hold_active").to == "on_hold");
  CHECK(Only(wf, "on_hold", "hold_released").to == "hold_check");
  CHECK(Effects(Only(wf, "on_hold", "hold_released").effects) == std::vector<std::string>{"check_holds"});
  CHECK(Only(wf, "fulfilling", "fulfilled").to == "completed");
  CHECK(Effects(Only(wf, "fulfilling", "fulfilled").effects) == std::vector<std::string>{"mail:completed"});
  CHECK(Only(wf, "fulfilling", "hold_active").to == "on_hold");
  CHECK(Only(wf, "fulfilling", "step_failed").to == "error");
  CHECK(Only(wf, "error", "retry").to == "fulfilling");
  CHECK(Effects(Only(wf, "error", "retry").effects) == std::vector<std::string>{"fulfill:erase"});
  // A duplicate's code is sent on request; verified, it is promoted when its primary is not.
  CHECK(Effects(Only(wf, "duplicate", "code_resent").effects) == std::vector<std::string>{"start_verification"});
  const auto& dup = All(wf, "duplicate", "identity_verified");
  REQUIRE(dup.size() == 3);
  CHECK(dup[0].to == "hold_check");
  CHECK(dup[0].guards == std::vector<std::string>{"primary_unverified", "agent_authorized"});
  CHECK(Effects(dup[0].effects) == std::vector<std::string>{"promote_duplicate", "mark_verified", "check_holds"});
  CHECK(dup[1].to == "verifying");
  CHECK(dup[1].guards == std::vector<std::string>{"primary_unverified"});
  CHECK_FALSE(dup[2].to.has_value());
  CHECK(Effects(dup[2].effects) == std::vector<std::string>{"mark_verified"});
}

TEST_CASE("access and portability export; correction and objection open a task", "[workflow][shipped]") {
  for (auto [id, step] : {std::pair{"access", "export_access"}, std::pair{"portability", "export_portability"}}) {
    INFO(id);
    const Workflow& wf = Get(id);
    std::set<std::string> states{"received", "verifying", "paused",    "fulfilling", "error",
                                 "duplicate", "completed", "denied", "cancelled"};
    if (std::string(id) == "access") states.insert("awaiting_approval");
    CHECK(StateNames(wf) == states);
    for (const char* ev : {"identity_verified", "verify_manually"}) {
      CHECK(First(wf, "verifying", ev).to == "fulfilling");
      CHECK(Effects(First(wf, "verifying", ev).effects) ==
            std::vector<std::string>{"mark_verified", std::string("fulfill:") + step});
    }
    CHECK(Effects(Only(wf, "error", "retry").effects) == std::vector<std::string>{std::string("fulfill:") + step});
    CHECK(wf.FindState("verifying")->timeout->event == "verification_expired");
  }
  {
    // Correction (issue 5 §6): staff approve the exact changes, the `correct` step applies them.
    const Workflow& wf = Get("correction");
    CHECK(StateNames(wf) == std::set<std::string>{"received", "verifying", "paused", "awaiting_approval", "fulfilling",
                                                  "error", "duplicate", "completed", "denied", "cancelled"});
    for (const char* ev : {"identity_verified", "verify_manually"}) {
      CHECK(Only(wf, "verifying", ev).to == "awaiting_approval");
      CHECK(Effects(Only(wf, "verifying", ev).effects) == std::vector<std::string>{"mark_verified"});
    }
    CHECK(Only(wf, "awaiting_approval", "approve").to == "fulfilling");
    CHECK(Effects(Only(wf, "awaiting_approval", "approve").effects) == std::vector<std::string>{"fulfill:correct"});
    CHECK(Only(wf, "fulfilling", "fulfilled").to == "completed");
    CHECK(Effects(Only(wf, "error", "retry").effects) == std::vector<std::string>{"fulfill:correct"});
  }
  for (auto [id, task] : {std::pair{"objection", "review_objection"}}) {
    INFO(id);
    const Workflow& wf = Get(id);
    CHECK(StateNames(wf) == std::set<std::string>{"received", "verifying", "paused", "awaiting_task", "duplicate", "completed",
                                                  "denied", "cancelled"});
    for (const char* ev : {"identity_verified", "verify_manually"}) {
      CHECK(First(wf, "verifying", ev).to == "awaiting_task");
      CHECK(Effects(First(wf, "verifying", ev).effects) ==
            std::vector<std::string>{"mark_verified", std::string("task:") + task});
    }
    CHECK(Only(wf, "awaiting_task", "complete_task").to == "completed");
    CHECK(Only(wf, "awaiting_task", "complete_task").guards == std::vector<std::string>{"task_named"});
  }
}

TEST_CASE("opt-outs act on submission without identity verification", "[workflow][shipped]") {
  for (const char* id : {"opt_out_sale", "opt_out_marketing"}) {
    INFO(id);
    const Workflow& wf = Get(id);
    std::set<std::string> states{"received", "fulfilling", "awaiting_task", "error", "duplicate",
                                 "completed", "denied", "cancelled"};
    // opt_out_sale: a request the fraud check suspects waits for staff (Cal. Code Regs. tit. 11 § 7026).
    if (std::string(id) == "opt_out_sale") states.insert("awaiting_approval");
    CHECK(StateNames(wf) == states);
    const auto& submit = All(wf, "received", "submit");
    CHECK(submit.back().to == "fulfilling");
    CHECK(submit.back().guards.empty());
    CHECK(Effects(submit.back().effects) ==
          std::vector<std::string>{"mail:acknowledgment", std::string("fulfill:") + id});
    if (std::string(id) == "opt_out_sale") {
      REQUIRE(submit.size() == 2);
      CHECK(submit[0].to == "awaiting_approval");
      CHECK(submit[0].guards == std::vector<std::string>{"fraud_suspected"});
      CHECK(Only(wf, "awaiting_approval", "approve").to == "fulfilling");
      CHECK(Only(wf, "awaiting_approval", "approve").guards == std::vector<std::string>{"note_given"});
    } else {
      CHECK(submit.size() == 1);
    }
    CHECK(Effects(Only(wf, "error", "retry").effects) == std::vector<std::string>{std::string("fulfill:") + id});
    for (const auto& [name, state] : wf.states) {
      for (const auto& [event, candidates] : state.on)
        for (const auto& t : candidates)
          for (const auto& e : t.effects) CHECK(e.kind != "start_verification");
    }
  }
}

TEST_CASE("the shipped workflows drive the interpreter end to end", "[workflow][shipped]") {
  SECTION("deletion: verified, no hold, erased, completed") {
    auto s = Walk(Get("deletion"), {Ev("submit"), Ev("identity_verified"), Ev("holds_clear"), Ev("fulfilled")});
    CHECK(s.state == "completed");
    CHECK(s.identity_verified);
    CHECK(s.version == 4);
  }
  SECTION("deletion: a hold parks the request until released") {
    auto s = Walk(Get("deletion"), {Ev("submit"), Ev("identity_verified"), Ev("hold_active"), Ev("hold_placed")});
    CHECK(s.state == "on_hold");
    s = dsar::Fold(s, *dsar::Decide(Get("deletion"), s, Ev("hold_released"), 0));
    CHECK(s.state == "hold_check");
  }
  SECTION("deletion: entering verifying arms the 30-day timer") {
    dsar::RequestSnapshot s;
    s.state = "received";
    auto d = dsar::Decide(Get("deletion"), s, Ev("submit"), 1000);
    REQUIRE(d.ok());
    REQUIRE(d->timer.has_value());
    CHECK(d->timer->event == "verification_expired");
    CHECK(d->timer_fire_at == 1000 + 30 * dsar::kMillisPerDay);
  }
  SECTION("cancel and deny need a reason; final states refuse events") {
    const Workflow& wf = Get("access");
    dsar::RequestSnapshot s;
    s.state = "verifying";
    CHECK(dsar::Decide(wf, s, Ev("cancel"), 0).status().IsRefused());
    auto d = dsar::Decide(wf, s, Ev("cancel", "requester withdrew"), 0);
    REQUIRE(d.ok());
    CHECK(d->to == "cancelled");
    s = dsar::Fold(s, *d);
    CHECK(dsar::Decide(wf, s, Ev("retry"), 0).status().IsRefused());
  }
  SECTION("a duplicate can be cancelled, denied, assigned or verified (never approved)") {
    const Workflow& wf = Get("deletion");
    auto s = Walk(wf, {Ev("duplicate_detected")});
    CHECK(s.state == "duplicate");
    // (and, issue 5 §2, asked for a code and verified: the code's own events)
    CHECK(wf.EventsOffered("duplicate") ==
          std::vector<std::string>{"agent_authorization_recorded", "amend", "assign", "cancel", "code_resent", "deny",
                                   "extend", "hold_placed", "hold_released", "identity_verified", "mail_failed",
                                   "message_received"});
  }
  SECTION("system events into denied must carry a reason code from the fixed list and a reason") {
    // The scheduler's verification_expired and the verifier's verification_failed are refused
    // without them, so their senders must attach both (issue 5 §7).
    const Workflow& wf = Get("deletion");
    auto s = Walk(wf, {Ev("submit")});
    CHECK(dsar::Decide(wf, s, Ev("verification_expired"), 0).status().IsRefused());
    auto e = Ev("verification_expired", "identity not verified within 30 days");
    CHECK(dsar::Decide(wf, s, e, 0).status().message() ==
          "event 'verification_expired' refused in state 'verifying': a denial needs data.reason_code (one of "
          "insufficient_verification, no_match, exempt_data, manifestly_unfounded_or_excessive, too_many_requests, "
          "agent_not_authorized, outside_scope, fraudulent_request) and a reason");
    e.data["reason_code"] = "bad_mood";
    CHECK(dsar::Decide(wf, s, e, 0).status().IsRefused());
    e.data["reason_code"] = "insufficient_verification";
    auto d = dsar::Decide(wf, s, e, 0);
    REQUIRE(d.ok());
    CHECK(d->to == "denied");
    CHECK(Effects(d->effects) == std::vector<std::string>{"mail:denied"});
  }
  SECTION("opt_out_sale: submit, fulfil, complete, with no verification") {
    auto s = Walk(Get("opt_out_sale"), {Ev("submit"), Ev("step_failed"), Ev("retry"), Ev("fulfilled")});
    CHECK(s.state == "completed");
    CHECK_FALSE(s.identity_verified);
  }
  SECTION("correction: staff approve, the correct step applies it, or a retry after a failure") {
    const Workflow& wf = Get("correction");
    auto s = Walk(wf, {Ev("submit"), Ev("identity_verified")});
    CHECK(s.state == "awaiting_approval");
    CHECK(dsar::Decide(wf, s, Ev("complete_task"), 0).status().IsRefused());
    s = Walk(wf, {Ev("submit"), Ev("identity_verified"), Ev("approve"), Ev("step_failed"), Ev("retry"), Ev("fulfilled")});
    CHECK(s.state == "completed");
  }
}

TEST_CASE("definition lines point at the source", "[workflow][shipped]") {
  const Workflow& wf = Get("deletion");
  std::vector<std::string> lines;
  std::istringstream in(wf.source);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  auto line = [&](int n) { return n >= 1 && n <= static_cast<int>(lines.size()) ? lines[n - 1] : std::string(); };
  CHECK(line(wf.FindState("verifying")->line).find("verifying:") != std::string::npos);
  CHECK(line(wf.FindState("verifying")->timeout->line).find("verification_expired") != std::string::npos);
  const auto& t = First(wf, "verifying", "identity_verified");
  CHECK(line(t.line).find("to: hold_check") != std::string::npos);
  for (const auto& e : t.effects) CHECK(line(e.line).find(e.kind) != std::string::npos);
}

TEST_CASE("dsar workflows check", "[workflow][cli]") {
  SECTION("the shipped directory passes") {
    std::ostringstream out;
    CHECK(dsar::workflow::CheckWorkflowsCommand(kWorkflowsDir, out) == 0);
    CHECK(out.str().find(kWorkflowsDir + "/deletion.yaml: ok (id deletion, version 5, sha256 " +
                         Get("deletion").hash + ")\n") != std::string::npos);
  }
  SECTION("a bad directory fails with file:line lines") {
    std::ostringstream out;
    const std::string dir = std::string(DSAR_TESTS_DIR) + "/workflow/bad/dup_ids";
    CHECK(dsar::workflow::CheckWorkflowsCommand(dir, out) == 1);
    CHECK(out.str() == dir + "/b.yaml:2: workflow id 'shared_id' is already defined in " + dir + "/a.yaml\n");
  }
  SECTION("a single file can be checked") {
    std::ostringstream out;
    const std::string file = std::string(DSAR_TESTS_DIR) + "/workflow/bad/unknown_target.yaml";
    CHECK(dsar::workflow::CheckWorkflowsCommand(file, out) == 1);
    CHECK(out.str() == file + ":12: state 'verifying': transition on 'identity_verified' targets unknown state "
                              "'hold_chek'\n");
  }
  SECTION("a missing directory is one diagnostic without a line") {
    std::ostringstream out;
    CHECK(dsar::workflow::CheckWorkflowsCommand("/nonexistent/workflows", out) == 1);
    CHECK(out.str().rfind("/nonexistent/workflows: cannot read the workflow directory: ", 0) == 0);
  }
}

namespace {

dsar::RequestSnapshot Step(const Workflow& wf, const dsar::RequestSnapshot& s, const dsar::Event& e) {
  auto d = dsar::Decide(wf, s, e, 0);
  INFO(wf.id << ": event " << e.name << " in " << s.state << ": " << d.status().ToString());
  REQUIRE(d.ok());
  return dsar::Fold(s, *d);
}

}  // namespace

TEST_CASE("agents and duplicates through the interpreter (issue 5 §1-§2)", "[workflow][shipped][agents]") {
  using dsar::AgentAuthority;
  for (const char* id : {"access", "deletion", "portability", "correction", "objection"}) {
    INFO(id);
    const Workflow& wf = Get(id);
    const std::string proceeds = First(wf, "verifying", "identity_verified").to.value();
    SECTION(std::string(id) + ": an agent with no authorization waits; a signed permission then lets it go") {
      auto s = Walk(wf, {Ev("submit")});
      s.agent = AgentAuthority::kMissing;
      s = Step(wf, s, Ev("identity_verified"));
      CHECK(s.state == "verifying");
      CHECK(s.identity_verified);
      s = Step(wf, s, Ev("agent_authorization_recorded"));  // still missing (e.g. an unreadable scan)
      CHECK(s.state == "verifying");
      s.agent = AgentAuthority::kSignedPermission;
      s = Step(wf, s, Ev("agent_authorization_recorded"));
      CHECK(s.state == proceeds);
    }
    SECTION(std::string(id) + ": a signed permission alone is not enough; the subject's own verification is") {
      auto s = Walk(wf, {Ev("submit")});
      s.agent = AgentAuthority::kSignedPermission;
      s = Step(wf, s, Ev("agent_authorization_recorded"));
      CHECK(s.state == "verifying");
      CHECK_FALSE(s.identity_verified);
      s = Step(wf, s, Ev("identity_verified"));  // this transition verifies the subject: § 7063(a)(2)
      CHECK(s.state == proceeds);
    }
    SECTION(std::string(id) + ": a power of attorney needs no confirmation, but identity is still verified") {
      auto s = Walk(wf, {Ev("submit")});
      s.agent = AgentAuthority::kPowerOfAttorney;
      s = Step(wf, s, Ev("agent_authorization_recorded"));
      CHECK(s.state == "verifying");  // not verified yet
      s = Step(wf, s, Ev("identity_verified"));
      CHECK(s.state == proceeds);
    }
    SECTION(std::string(id) + ": a verified duplicate is promoted only while its primary is unverified") {
      auto s = Walk(wf, {Ev("duplicate_detected")});
      REQUIRE(s.state == "duplicate");
      s = Step(wf, s, Ev("code_resent"));
      CHECK(s.state == "duplicate");
      auto kept = Step(wf, s, Ev("identity_verified"));  // primary verified (primary_unverified false)
      CHECK(kept.state == "duplicate");
      CHECK(kept.identity_verified);
      CHECK(dsar::Decide(wf, kept, Ev("approve"), 0).status().IsRefused());
      s.primary_unverified = true;
      auto d = dsar::Decide(wf, s, Ev("identity_verified"), 0);
      REQUIRE(d.ok());
      CHECK(d->to == proceeds);
      CHECK(d->effects.front().kind == "promote_duplicate");
      s.agent = AgentAuthority::kMissing;
      CHECK(Step(wf, s, Ev("identity_verified")).state == "verifying");
      // The old primary: superseded from verifying or paused.
      auto p = Walk(wf, {Ev("submit")});
      CHECK(Step(wf, p, Ev("superseded")).state == "duplicate");
    }
  }
}

TEST_CASE("opt_out_sale: a submission the fraud check suspects waits for staff (Cal. Code Regs. tit. 11 § 7026)",
          "[workflow][shipped][fraud]") {
  const Workflow& wf = Get("opt_out_sale");
  auto e = Ev("submit");
  e.data["fraud_check"] = boost::json::object{{"suspected", true}, {"reasons", boost::json::array{"blocked domain"}}};
  auto s = Walk(wf, {e});
  CHECK(s.state == "awaiting_approval");
  CHECK(dsar::Decide(wf, s, Ev("approve"), 0).status().IsRefused());  // a note is needed
  CHECK(Step(wf, s, Ev("approve", "called back")).state == "fulfilling");
  auto deny = Ev("deny", "forty opt-outs from one address in a minute");
  deny.data["reason_code"] = "fraudulent_request";
  CHECK(Step(wf, s, deny).state == "denied");
  e.data["fraud_check"] = boost::json::object{{"suspected", false}};
  CHECK(Walk(wf, {e}).state == "fulfilling");
  CHECK(Walk(wf, {Ev("submit")}).state == "fulfilling");
}
