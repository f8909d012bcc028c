// The graph pass on hand-built definitions, including checks the JSON Schema normally catches
// first (unknown guards and effects): the graph pass must not rely on the schema for them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/validate.h"

using dsar::StateDef;
using dsar::TransitionDef;
using dsar::Workflow;
using dsar::workflow::CheckWorkflowGraph;
using dsar::workflow::DefinitionLines;

namespace {

TransitionDef To(const std::string& target, int line, std::vector<std::string> guards = {}) {
  TransitionDef t;
  t.to = target;
  t.line = line;
  t.guards = std::move(guards);
  return t;
}

StateDef State(const std::string& name, int line, bool final = false) {
  StateDef s;
  s.name = name;
  s.line = line;
  s.final = final;
  return s;
}

// received --submit--> done(final)
Workflow Base() {
  Workflow wf;
  wf.id = "g";
  wf.request_type = "access";
  wf.initial = "received";
  wf.source_path = "g.yaml";
  wf.states["received"] = State("received", 5);
  wf.states["received"].on["submit"] = {To("done", 7)};
  wf.states["done"] = State("done", 8, true);
  return wf;
}

std::vector<std::string> Check(const Workflow& wf, DefinitionLines lines = {2, 3, 4, 5}) {
  std::vector<std::string> out;
  for (const auto& d : CheckWorkflowGraph(wf, lines)) out.push_back(d.ToString());
  return out;
}

}  // namespace

TEST_CASE("graph: a sound definition has no diagnostics", "[workflow][graph]") {
  CHECK(Check(Base()).empty());
}

TEST_CASE("graph: guards and effects come from the engine's registries", "[workflow][graph]") {
  Workflow wf = Base();
  auto& t = wf.states["received"].on["submit"][0];
  t.guards = {"reason_given", "moon_is_full"};
  t.effects = {{"mail", "", 7}, {"check_holds", "now", 7}, {"launch_rocket", "", 7}, {"fulfill", "erase", 7}};
  CHECK(Check(wf) == std::vector<std::string>{
                         "g.yaml:7: state 'received': transition on 'submit': unknown guard 'moon_is_full' (known: "
                         "reason_given, note_given, identity_verified, no_active_hold, hold_active, task_named, "
                         "staff_named, extension_allowed, pause_allowed, denial_reason_given, agent_authorized, "
                         "primary_unverified, fraud_suspected, review_required)",
                         "g.yaml:7: state 'received': transition on 'submit': effect 'mail' needs an argument: write "
                         "{mail: <name>}",
                         "g.yaml:7: state 'received': transition on 'submit': effect 'check_holds' takes no argument: "
                         "write it as a plain string",
                         "g.yaml:7: state 'received': transition on 'submit': unknown effect 'launch_rocket' (known: "
                         "{mail: <name>}, start_verification, mark_verified, check_holds, {fulfill: <name>}, {task: "
                         "<name>}, extend_deadline, pause_clock, resume_clock, promote_duplicate)"});
}

TEST_CASE("graph: request type, initial state", "[workflow][graph]") {
  Workflow wf = Base();
  wf.request_type = "erasure";
  CHECK(Check(wf) == std::vector<std::string>{"g.yaml:3: request_type 'erasure' is not a request type (access, "
                                              "deletion, portability, correction, opt_out_sale, opt_out_marketing, "
                                              "objection)"});
  wf = Base();
  wf.initial = "done";
  CHECK(Check(wf) == std::vector<std::string>{"g.yaml:4: initial state 'done' must not be final"});
}

TEST_CASE("graph: any_state edges count for reachability and for finishing", "[workflow][graph]") {
  Workflow wf = Base();
  wf.states["received"].on["submit"] = {To("stuck", 7)};
  wf.states["stuck"] = State("stuck", 9);
  wf.states["stuck"].on["poke"] = {To("stuck", 10)};
  CHECK(Check(wf) == std::vector<std::string>{"g.yaml:5: state 'received': no final state is reachable from it",
                                              "g.yaml:8: state 'done' is unreachable from the initial state 'received'",
                                              "g.yaml:9: state 'stuck': no final state is reachable from it"});
  // A cancel offered in every state rescues both.
  wf.any_state["cancel"] = {To("done", 12, {"reason_given"})};
  CHECK(Check(wf).empty());
  // ...unless the state overrides the event with a transition of its own.
  wf.states["stuck"].on["cancel"] = {To("stuck", 11)};
  CHECK(Check(wf) == std::vector<std::string>{"g.yaml:9: state 'stuck': no final state is reachable from it"});
  CHECK(wf.EventsOffered("stuck") == std::vector<std::string>{"cancel", "poke"});
}

TEST_CASE("graph: final states refuse events; timeouts name handled events", "[workflow][graph]") {
  Workflow wf = Base();
  wf.states["done"].on["reopen"] = {To("received", 9)};
  dsar::TimeoutDef timeout;
  timeout.after = 1000;
  timeout.event = "expire";
  timeout.line = 6;
  wf.states["received"].timeout = timeout;
  CHECK(Check(wf) == std::vector<std::string>{
                         "g.yaml:6: state 'received': timeout event 'expire' is not handled by the state (add it "
                         "under 'on')",
                         "g.yaml:8: final state 'done' must not define transitions ('on'): final states refuse events"});
  // An any_state transition handles the timeout event too.
  wf.states["done"].on.clear();
  wf.any_state["expire"] = {To("done", 13)};
  CHECK(Check(wf).empty());
}

TEST_CASE("graph: an unknown target stops the reachability checks", "[workflow][graph]") {
  Workflow wf = Base();
  wf.any_state["deny"] = {To("denied", 12)};
  CHECK(Check(wf) == std::vector<std::string>{"g.yaml:12: any_state: transition on 'deny' targets unknown state 'denied'"});
}
