// The main job as README.md runs it (scripts/demo -> scripts/demo.py), against the binary under
// test, in a scratch copy of the project layout so the developer's var/ is never touched: every
// fixture request must end completed (or, for the held deletion, completed after the release).
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

#include "support/harness.h"

using namespace dsar::test;
namespace fs = std::filesystem;

TEST_CASE("scripts/demo.py runs the main job to the end", "[e2e][demo]") {
  char tmpl[] = "/tmp/dsar-demo-XXXXXX";
  const fs::path root = mkdtemp(tmpl);
  const fs::path src = DSAR_SOURCE_DIR;
  fs::create_directories(root / "scripts");
  for (const char* f : {"demo.py", "make-demo-data"}) fs::copy_file(src / "scripts" / f, root / "scripts" / f);
  for (const char* d : {"workflows", "templates", "demo", "schemas"}) fs::create_directory_symlink(src / d, root / d);
  unsigned short port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  const std::string out_file = (root / "demo.out").string();
  const std::string cmd = "/usr/bin/python3 " + (root / "scripts" / "demo.py").string() + " --dsar " + DSAR_BINARY +
                          " --port " + std::to_string(port) + " --fixtures " + DSAR_SHARED_FIXTURES +
                          "/mail/requests >" + out_file + " 2>&1";
  const int rc = std::system(cmd.c_str());
  const std::string out = ReadFile(out_file);
  INFO(out);
  // Stop the server the demo leaves running.
  const std::string pid = ReadFile((root / "var" / "demo.pid").string());
  if (!pid.empty()) kill(std::stoi(pid), SIGTERM);
  REQUIRE(rc == 0);
  int completed = 0;  // the final table: reference, type, state, jurisdiction, due, data subject
  const std::regex row(
      R"(\n  DSR-[0-9A-Z]{4}-[0-9A-Z]{4} +(?:access|deletion|portability|correction|opt_out_sale|opt_out_marketing|objection) +(\w+) +\S+ +\S+ +\S+@)");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), row);
       it != std::sregex_iterator(); ++it) {
    CHECK((*it)[1] == "completed");
    ++completed;
  }
  CHECK(completed == 15);
  CHECK(out.find("access.zip") != std::string::npos);
  WaitFor([&] { return kill(std::stoi(pid.empty() ? "0" : pid), 0) != 0; }, 10);
  std::error_code ec;
  fs::remove_all(root, ec);
}
