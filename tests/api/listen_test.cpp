// The one listen-address parser (api::ParseListen), used by `dsar serve --listen` and the
// config's `listen`.
#include <catch2/catch.hpp>

#include "api/server.h"

using dsar::api::ParseListen;

TEST_CASE("ParseListen reads IPv4, bracketed IPv6 and localhost", "[api][listen]") {
  auto v4 = ParseListen("192.168.1.20:8080");
  REQUIRE(v4.ok());
  CHECK(v4->host == "192.168.1.20");
  CHECK(v4->port == 8080);
  auto v6 = ParseListen("[::1]:8080");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 8080);
  auto any = ParseListen("localhost:0");  // port 0: any free port
  REQUIRE(any.ok());
  CHECK(any->host == "localhost");
  CHECK(any->port == 0);
  auto top = ParseListen("0.0.0.0:65535");
  REQUIRE(top.ok());
  CHECK(top->port == 65535);
}

TEST_CASE("ParseListen refuses a missing or bad port and a host that is no address", "[api][listen]") {
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x",
                          "127.0.0.1: 80", "[::1]", "[::1]8080", "[::1:8080", "example.com:80", "", "localhost"}) {
    INFO(bad);
    auto parsed = ParseListen(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message().find("listen address") != std::string::npos);
  }
}
