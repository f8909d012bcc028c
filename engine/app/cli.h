// The `dsar` command line (DESIGN.md §3, contract — CLI).
#pragma once

namespace dsar::app {

// Parses argv and runs the subcommand; returns the process exit code.
int RunCli(int argc, char** argv);

}  // namespace dsar::app
