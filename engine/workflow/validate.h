// The graph pass of workflow checking (pass 3 in loader.h), after the Amazon States Language
// habit (STYLE.md): a definition that passed the JSON Schema is checked as a state machine.
//
// CheckWorkflowGraph reports, each as `file:line: message` with file = wf.source_path:
//   - request_type is not a contract request type (core/model.h);
//   - the initial state is not defined, or is final;
//   - a transition (in a state or in any_state) targets an unknown state;
//   - a state is unreachable from the initial state;
//   - no final state is defined, or a state from which no final state can be reached;
//   - a final state defines transitions (`on`) or a timeout (final states refuse events);
//   - an unknown guard (KnownGuards()), an unknown effect kind (KnownEffects()), an effect
//     that takes an argument without one, or one that takes none with one;
//   - a timeout whose event the state does not handle (own `on` or any_state);
//   - a candidate list in which an unguarded candidate is followed by others (the catch-all
//     must come last: the candidates after it could never be taken).
// Reachability follows each state's own transitions plus, for non-final states, the any_state
// transitions for events the state does not define itself; an internal transition (no `to`)
// stays in the state. Diagnostics are sorted by line.
//
// Pure: no I/O. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/workflow.h"
#include "workflow/loader.h"

namespace dsar::workflow {

// Lines (1-based) of top-level nodes that Workflow itself does not record. 0 = unknown (the
// diagnostics then use line 1).
struct DefinitionLines {
  int id = 0;       // the `id:` key
  int request_type = 0;  // the `request_type:` key
  int initial = 0;  // the `initial:` key
  int states = 0;   // the `states:` key
};

std::vector<Diagnostic> CheckWorkflowGraph(const Workflow& wf, const DefinitionLines& lines);

}  // namespace dsar::workflow
