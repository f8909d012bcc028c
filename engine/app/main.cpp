// dsar: the DSAR workflow engine's one binary (DESIGN.md §3, contract — CLI).
#include "app/cli.h"

int main(int argc, char** argv) { return dsar::app::RunCli(argc, argv); }
