// `dsar workflows check [DIR]` (DESIGN.md §3, contract — CLI), minus argument parsing, which
// engine/app does.
#pragma once

#include <ostream>
#include <string>

namespace dsar::workflow {

// Loads and checks every *.yaml / *.yml file in `path` together (LoadWorkflowDir), or the one
// file when `path` names a regular file (LoadWorkflowSource; cross-file checks such as
// duplicate ids then do not apply).
//
// On errors, writes each diagnostic as one line `file:line: message` (the file named as found:
// `workflows/deletion.yaml` when `path` is `workflows`), sorted by file then line, and returns
// 1. When everything is valid, writes one line per workflow,
//   `workflows/deletion.yaml: ok (id deletion, version 1, sha256 <64 hex digits>)`,
// and returns 0. Never throws for bad input.
int CheckWorkflowsCommand(const std::string& path, std::ostream& out);

}  // namespace dsar::workflow
