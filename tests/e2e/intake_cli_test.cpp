// `dsar intake-mail` as a Postfix pipe target: exit 0 once the message is stored, 75
// (EX_TEMPFAIL: the mail server keeps the message and retries) when it cannot be stored.
#include <catch2/catch.hpp>

#include "support/harness.h"

using namespace dsar::test;

namespace {
const std::string kMessage =
    "From: Kim Park <kim.park@example.com>\r\nTo: privacy@nimbus.example\r\nSubject: Delete my data\r\n"
    "Message-ID: <pipe-1@example.com>\r\n\r\nPlease delete my account and all my personal data.\r\n";
}

TEST_CASE("intake-mail exits 75 when the message cannot be stored, and 0 once it is", "[e2e][intake]") {
  Deployment d(false);
  int rc = -1;
  d.Cli({"migrate"}, "", &rc);
  REQUIRE(rc == 0);
  // The store refuses every inbound row (as a full disk would).
  const std::string sql = "CREATE TRIGGER refuse BEFORE INSERT ON inbound_messages BEGIN SELECT RAISE(FAIL, 'disk is full'); END;";
  REQUIRE(std::system(("sqlite3 " + d.db() + " \"" + sql + "\"").c_str()) == 0);
  const std::string out = d.Cli({"intake-mail"}, kMessage, &rc, true);
  CHECK(rc == 75);
  CHECK(out.find("disk is full") != std::string::npos);
  CHECK(Query(d.db(), "SELECT count(*) FROM inbound_messages") == "0");

  REQUIRE(std::system(("sqlite3 " + d.db() + " \"DROP TRIGGER refuse;\"").c_str()) == 0);
  const std::string ref = d.Cli({"intake-mail"}, kMessage, &rc);
  CHECK(rc == 0);
  CHECK(Query(d.db(), "SELECT reference FROM requests") == ref);

  // A store that cannot be opened at all is a temporary failure too.
  d.Cli({"--db", "/dev/null/dsar.db", "intake-mail"}, kMessage, &rc);
  CHECK(rc == 75);
}

TEST_CASE("POST /intake/mail answers 503 with Retry-After when the message cannot be stored", "[e2e][intake]") {
  Deployment d(false);
  const unsigned short port = d.StartServer();
  const std::string token = d.Cli({"token", "create", "--name", "webhook"});
  const std::string sql = "CREATE TRIGGER refuse BEFORE INSERT ON inbound_messages BEGIN SELECT RAISE(FAIL, 'disk is full'); END;";
  REQUIRE(std::system(("sqlite3 " + d.db() + " \"" + sql + "\"").c_str()) == 0);
  const std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + token},
                                                      {"Content-Type", "message/rfc822"}};
  auto r = Http(port, "POST", "/api/v1/intake/mail", kMessage, headers);
  CHECK(r.status == 503);
  CHECK(r.headers["retry-after"] == "30");
  CHECK(r.headers["content-type"] == "application/problem+json");
  REQUIRE(std::system(("sqlite3 " + d.db() + " \"DROP TRIGGER refuse;\"").c_str()) == 0);
  r = Http(port, "POST", "/api/v1/intake/mail", kMessage, headers);
  CHECK(r.status == 201);
}
