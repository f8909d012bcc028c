// scripts/make-demo-data: deterministic, and every data subject of the shared mail fixtures is
// there for the end-to-end flows (found through the demo systems map).

#include <boost/json/parse.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"

using namespace dsar;
using namespace dsar::fulfillment;
using namespace dsar::fulfillment::testing;

TEST_CASE("make-demo-data gives byte-identical databases on every run", "[fulfillment][demo]") {
  TempDir dir;
  REQUIRE(MakeDemoData(Shell(dir / "a.db")) == 0);
  REQUIRE(MakeDemoData(Shell(dir / "b.db")) == 0);
  const std::string a = ReadFile(dir / "a.db"), b = ReadFile(dir / "b.db");
  REQUIRE(a.size() > 100000);
  CHECK(a == b);
  // Overwrites an existing file rather than adding to it.
  REQUIRE(MakeDemoData(Shell(dir / "a.db")) == 0);
  CHECK(ReadFile(dir / "a.db") == b);
  CHECK_FALSE(std::filesystem::exists(dir / "a.db.tmp"));

  const std::string db = dir / "a.db";
  const long long people = std::stoll(Column(db, "SELECT count(*) FROM accounts").at(0));
  CHECK(people >= 900);
  CHECK(people <= 1100);
  for (const auto& t : DemoTables()) CHECK(std::stoll(Column(db, "SELECT count(*) FROM " + t).at(0)) > 100);
  // Only fictional addresses.
  CHECK(Column(db, "SELECT count(*) FROM accounts WHERE lower(email) NOT GLOB '*@example.[con][ore][mgt]'") ==
        std::vector<std::string>{"0"});
  CHECK(Column(db, "SELECT count(*) FROM newsletter_subscriptions WHERE lower(email) NOT LIKE '%@example.%'") ==
        std::vector<std::string>{"0"});
  // Some invoices must be kept for tax law, some not.
  CHECK(std::stoll(Column(db, "SELECT count(*) FROM billing WHERE status IN ('paid','refunded')").at(0)) > 100);
  CHECK(std::stoll(Column(db, "SELECT count(*) FROM billing WHERE status IN ('void','draft','open')").at(0)) > 10);
}

TEST_CASE("every data subject of the shared mail fixtures has data in the demo company", "[fulfillment][demo]") {
  const std::string tsv = std::string(DSAR_SHARED_FIXTURES) + "/mail/requests/expected.tsv";
  if (!std::filesystem::exists(tsv)) {
    WARN("shared fixtures not found at " << tsv);
    return;
  }
  TempDir dir;
  const std::string db = dir / "nimbus.db";
  REQUIRE(MakeDemoData(Shell(db)) == 0);
  auto map = LoadSystemsMap(DemoMapPath());
  REQUIRE(map.ok());
  Fulfiller fulfiller(*map, db, dir / "exports");

  std::istringstream lines(ReadFile(tsv));
  std::string line;
  std::getline(lines, line);  // header: file outcome type subject_email ...
  int subjects = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 4 || cols[3].empty()) continue;
    DataSubject subject;
    subject.email = cols[3];
    const std::string reference = "fixture-" + std::to_string(++subjects);
    auto r = fulfiller.Run("export_access", reference, subject);
    INFO(subject.email << ": " << r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->summary.at("tables").at("accounts").at("rows").as_int64() == 1);
    CHECK(r->summary.at("total_rows").as_int64() >= 3);
  }
  CHECK(subjects >= 17);

  // The names the mails use; Kenji's address is stored in mixed case and still found.
  CHECK(Column(db, "SELECT name FROM accounts WHERE email = 'sean.obrien@example.org'") ==
        std::vector<std::string>{"Se\xC3\xA1n O'Brien"});
  CHECK(Column(db, "SELECT email FROM accounts WHERE name = 'Kenji Watanabe'") ==
        std::vector<std::string>{"Kenji.Watanabe@example.net"});
  // Anna asks for a correction of the surname misspelt on her account and invoices.
  CHECK(Column(db, "SELECT DISTINCT b.billing_name FROM billing b JOIN accounts a ON a.id = b.account_id "
                   "WHERE a.email = 'anna.kowalski@example.org'") == std::vector<std::string>{"Anna Kowalsky"});
  // Priya unsubscribes from a newsletter she receives; Jordan's identifiers are shared.
  CHECK(Column(db, "SELECT subscribed FROM newsletter_subscriptions WHERE lower(email) = 'priya.n@example.net'") ==
        std::vector<std::string>{"1"});
  CHECK(Column(db, "SELECT min(shared_with_partners) FROM analytics_identifiers i JOIN accounts a ON a.id = "
                   "i.account_id WHERE a.email = 'jordan.lee@example.com'") == std::vector<std::string>{"1"});
}
