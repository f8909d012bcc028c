// Every shared fixture message through the whole intake (parse, classify, store) with its
// expected outcome: the public real-world messages (MANIFEST.tsv: ignored or triage, never a
// request) and the requests (expected.tsv: type, data subject, requester, jurisdiction hint).
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;

namespace {

const fs::path kMail = fs::path(DSAR_SHARED_FIXTURES) / "mail";

// Rows of a TSV file without its header line, split on tabs.
std::vector<std::vector<std::string>> Rows(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(Slurp(p));
  std::string line;
  for (bool header = true; std::getline(in, line); header = false) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header || line.empty()) continue;
    std::vector<std::string> cols;
    std::istringstream l(line);
    for (std::string c; std::getline(l, c, '\t');) cols.push_back(c);
    if (!line.empty() && line.back() == '\t') cols.push_back("");
    rows.push_back(cols);
  }
  return rows;
}

}  // namespace

TEST_CASE("every public real-world message meets its manifest outcome through intake", "[service][intake][fixtures]") {
  Fixture f;
  const auto rows = Rows(kMail / "public" / "MANIFEST.tsv");
  REQUIRE(rows.size() == 33);
  int ignored = 0;
  for (const auto& row : rows) {
    INFO(row[0]);
    auto out = IntakeMail(*f.svc, Slurp(kMail / "public" / row[0]));
    REQUIRE(out.ok());
    CHECK(out->kind == row[1]);
    if (row[1] == "ignored") {
      ++ignored;
      CHECK(out->line.rfind("ignored: ", 0) == 0);
    }
  }
  CHECK(ignored == 14);
  CHECK(f.Count("SELECT count(*) FROM requests") == 0);         // none became a request
  CHECK(f.Count("SELECT count(*) FROM outbox") == 0);           // none was answered
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 33); // every one kept
  CHECK(f.Count("SELECT count(*) FROM inbound_messages WHERE outcome = 'ignored' AND detail <> ''") == 14);
}

TEST_CASE("every request fixture meets expected.tsv through intake", "[service][intake][fixtures]") {
  Fixture f;
  const auto rows = Rows(kMail / "requests" / "expected.tsv");
  REQUIRE(rows.size() == 18);
  for (const auto& row : rows) {
    INFO(row[0]);
    if (row[0].rfind("TEMPLATE_", 0) == 0) continue;  // filled in by the reply tests (tests/e2e)
    auto out = IntakeMail(*f.svc, Slurp(kMail / "requests" / row[0]));
    REQUIRE(out.ok());
    CHECK(out->kind == row[1]);
    if (row[1] != "request") continue;
    auto r = f.svc->Get(out->reference);
    REQUIRE(r.ok());
    CHECK(r->type == row[2]);
    CHECK(r->subject_email == row[3]);
    const auto requester = r->requester_json.empty() ? boost::json::value() : boost::json::parse(r->requester_json);
    CHECK((requester.is_object() ? std::string(requester.at("email").as_string()) : std::string()) == row[4]);
    CHECK(r->jurisdiction == row[5]);
  }
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 17);
}
