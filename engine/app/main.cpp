// dsar: the DSAR workflow engine's one binary (DESIGN.md §3, contract — CLI).
#include "app/cli.h"

#include <sys/stat.h>

int main(int argc, char** argv) {
  // Everything dsar writes (the store with raw mail, exports, the server key, outbound mail) holds
  // personal data or secrets: owner-only, whatever the caller's umask.
  ::umask(077);
  return dsar::app::RunCli(argc, argv);
}
