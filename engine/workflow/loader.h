// Loading workflow definitions from YAML and checking them (DESIGN.md §2).
//
// A file is checked in three passes, and every error is reported as `file:line: message`:
//   1. YAML syntax, and duplicate keys (which yaml-cpp 0.7 accepts silently);
//   2. schemas/workflow.schema.json (valijson), with the schema path mapped back to the line
//      of the offending node;
//   3. the graph: the initial state exists, every target resolves, every state is reachable
//      from the initial state, a final state is reachable from every state, final states
//      offer no events, guards and effects are known (core/workflow.h) and effects that take
//      an argument have one, timeouts name an event the state handles, request_type is a
//      contract type, and no two files share an id.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/workflow.h"

namespace dsar::workflow {

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when the file itself is the problem (unreadable)
  std::string message;
  std::string ToString() const;  // "file:line: message"
};

struct LoadResult {
  std::vector<Workflow> workflows;  // only when `errors` is empty
  std::vector<Diagnostic> errors;
  bool ok() const { return errors.empty(); }
};

// Parses and checks YAML text. `file` is the name used in diagnostics and kept as source_path.
LoadResult LoadWorkflowSource(const std::string& source, const std::string& file);

// Loads every *.yaml / *.yml file in `dir` (sorted by name) and checks them together.
LoadResult LoadWorkflowDir(const std::string& dir);

}  // namespace dsar::workflow
