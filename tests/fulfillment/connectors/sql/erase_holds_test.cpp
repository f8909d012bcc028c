// The erase step under legal holds (issue 5 §3): held tables are kept untouched and reported;
// the holds are asked for right before each table, so a hold placed while the step runs keeps
// the rows not yet erased.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"

using namespace dsar;
using namespace dsar::fulfillment;
using namespace dsar::fulfillment::testing;
namespace json = boost::json;

namespace {

HoldRef Obligation() { return {"hold-tax", "legal_obligation", "GDPR Art. 17(3)(b)", "TAX-2026"}; }

}  // namespace

TEST_CASE("erase keeps the rows of a held table untouched and reports them", "[fulfillment][holds]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  const auto billing_before = Dump(db, "billing");
  std::vector<std::string> asked;
  EraseOptions opts;
  opts.holds_for = [&](const std::string& table, const std::string& category) -> Result<std::vector<HoldRef>> {
    asked.push_back(table + "/" + category);
    if (category == "financial data") return std::vector<HoldRef>{Obligation()};
    return std::vector<HoldRef>{};
  };
  auto r = fulfiller.Run("erase", "REF-H1", AlexMorgan(), std::nullopt, opts);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(asked == std::vector<std::string>{"accounts/account data", "projects/user content", "deployments/service data",
                                          "billing/financial data", "newsletter_subscriptions/marketing data",
                                          "support_tickets/correspondence", "analytics_identifiers/online identifiers"});
  // Billing as it was: Alex's three invoices, the void one too, card details and account link kept.
  CHECK(Dump(db, "billing") == billing_before);
  CHECK(Column(db, "SELECT invoice_no FROM billing WHERE account_id = 'acc_alex' ORDER BY rowid") ==
        std::vector<std::string>{"NC-000001", "NC-000003", "NC-000004"});
  // Everything else erased as the map says.
  CHECK(Column(db, "SELECT id FROM accounts ORDER BY rowid") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(Column(db, "SELECT id FROM projects ORDER BY rowid") == std::vector<std::string>{"prj_b1"});
  CHECK(Column(db, "SELECT id FROM deployments ORDER BY rowid") == std::vector<std::string>{"dep_b1p"});
  CHECK(Column(db, "SELECT id FROM newsletter_subscriptions ORDER BY rowid") == std::vector<std::string>{"2", "3"});
  CHECK(Column(db, "SELECT id FROM analytics_identifiers ORDER BY rowid") == std::vector<std::string>{"2"});
  CHECK(Column(db, "SELECT requester_email FROM support_tickets ORDER BY rowid") ==
        std::vector<std::string>{"erased@invalid", "erased@invalid", "blake.rivers@example.org"});

  const json::object& s = r->summary;
  CHECK(s.at("retained") == json::parse(R"J([{"table":"billing","rows":3,"category":"financial data",
      "hold_id":"hold-tax","ground":"legal_obligation","citation":"GDPR Art. 17(3)(b)","matter":"TAX-2026",
      "holds":["hold-tax"]}])J"));
  CHECK(s.at("total_retained") == 3);
  CHECK(s.at("tables").at("billing").at("held") == true);
  CHECK(s.at("tables").at("billing").at("deleted") == 0);
  CHECK(s.at("tables").at("billing").at("kept") == 3);
  CHECK(s.at("total_deleted") == 9);  // 1 account, 2 projects, 3 deployments, 1 newsletter, 2 analytics
  CHECK(s.at("message") ==
        "We erased your personal data except 3 records we must keep under a legal hold, which we will erase when "
        "the hold ends if no other ground applies: billing (3 records, financial data): GDPR Art. 17(3)(b).");
}

TEST_CASE("a hold placed while erase runs keeps every table not yet erased", "[fulfillment][holds]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  const auto projects_before = Dump(db, "projects");
  const auto deployments_before = Dump(db, "deployments");
  const auto tickets_before = Dump(db, "support_tickets");
  bool placed = false;
  EraseOptions opts;
  // The hold on the whole person arrives when the step asks about its 2nd table.
  opts.holds_for = [&](const std::string& table, const std::string&) -> Result<std::vector<HoldRef>> {
    if (table == "projects") placed = true;
    if (!placed) return std::vector<HoldRef>{};
    return std::vector<HoldRef>{{"hold-late", "legal_claims", "GDPR Art. 17(3)(e)", "CASE-7"}};
  };
  auto r = fulfiller.Run("erase", "REF-H2", AlexMorgan(), std::nullopt, opts);
  REQUIRE(r.ok());
  // accounts (the 1st table) was erased before the hold; nothing after it.
  CHECK(Column(db, "SELECT id FROM accounts ORDER BY rowid") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(Dump(db, "projects") == projects_before);
  CHECK(Dump(db, "deployments") == deployments_before);
  CHECK(Dump(db, "support_tickets") == tickets_before);
  CHECK(Column(db, "SELECT count(*) FROM billing") == std::vector<std::string>{"5"});
  CHECK(Column(db, "SELECT count(*) FROM newsletter_subscriptions") == std::vector<std::string>{"3"});
  CHECK(Column(db, "SELECT count(*) FROM analytics_identifiers") == std::vector<std::string>{"3"});
  std::vector<std::string> tables;
  std::int64_t rows = 0;
  const json::value retained = r->summary.at("retained");
  for (const auto& e : retained.as_array()) {
    tables.emplace_back(e.at("table").as_string());
    rows += e.at("rows").as_int64();
    CHECK(e.at("hold_id") == "hold-late");
  }
  CHECK(tables == std::vector<std::string>{"projects", "deployments", "billing", "newsletter_subscriptions",
                                           "support_tickets", "analytics_identifiers"});
  CHECK(rows == 2 + 3 + 3 + 1 + 2 + 2);
  CHECK(r->summary.at("total_deleted") == 1);
  CHECK(r->summary.at("tables").at("accounts").at("deleted") == 1);
}

TEST_CASE("erase without hold options reports no retained list (existing callers)", "[fulfillment][holds]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  auto r = fulfiller.Run("erase", "REF-H3", AlexMorgan());
  REQUIRE(r.ok());
  CHECK_FALSE(r->summary.contains("retained"));
  CHECK_FALSE(r->summary.contains("message"));
  auto failing = Fulfiller(DemoMap(), db, dir / "exports");
  EraseOptions opts;
  opts.holds_for = [](const std::string&, const std::string&) -> Result<std::vector<HoldRef>> {
    return Status::IoError("store down");
  };
  const auto before = Dump(db, "billing");
  auto f = failing.Run("erase", "REF-H4", DataSubject{"blake.rivers@example.org"}, std::nullopt, opts);
  CHECK(f.status().IsIoError());
  CHECK(Dump(db, "billing") == before);
  CHECK(fulfiller.TableCategories().front() == std::pair<std::string, std::string>{"accounts", "account data"});
}
