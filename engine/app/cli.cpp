#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace dsar::app {

int RunCli(int argc, char** argv) {
  CLI::App app{"dsar: data subject request workflow engine"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace dsar::app
