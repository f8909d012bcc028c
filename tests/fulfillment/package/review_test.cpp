// Issue 5 §5: the staged rows of an access package (fulfillment/package/review.h), the package rebuilt
// from them, and CSV formula neutralisation (CSV only, never data.json).
#include "fulfillment/package/review.h"

#include <boost/json/parse.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"

using namespace dsar;
using namespace dsar::fulfillment;
using namespace dsar::fulfillment::testing;
namespace json = boost::json;

TEST_CASE("NeutraliseCsvFormula prefixes = + - @ with a single quote", "[fulfillment][review]") {
  CHECK(NeutraliseCsvFormula("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")");
  CHECK(NeutraliseCsvFormula("+44 7700 900123") == "'+44 7700 900123");
  CHECK(NeutraliseCsvFormula("-2+3") == "'-2+3");
  CHECK(NeutraliseCsvFormula("@SUM(A1:A2)") == "'@SUM(A1:A2)");
  CHECK(NeutraliseCsvFormula("a=b") == "a=b");
  CHECK(NeutraliseCsvFormula("") == "");
  CHECK(RedactionMarker("third-party data") == "[redacted: third-party data]");
}

TEST_CASE("formula cells are neutralised in the access CSVs, never in data.json", "[fulfillment][review]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Sql(db, "UPDATE projects SET name = '=HYPERLINK(\"http://evil.example\",\"x\")', description = '@SUM(1+1)' "
          "WHERE id = 'prj_a1'; UPDATE billing SET amount_cents = -1200, billing_address = '-1 Minus Road' "
          "WHERE invoice_no = 'NC-000003';");
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  auto r = fulfiller.Run("export_access", "REF-F", AlexMorgan(), kNow);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const std::string zip = dir / "exports/REF-F/access.zip";
  const std::string projects = ZipEntry(zip, "projects.csv");
  CHECK(projects.find("prj_a1,acc_alex,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'@SUM(1+1),") !=
        std::string::npos);
  const std::string billing = ZipEntry(zip, "billing.csv");
  CHECK(billing.find(",-1200,240,visa,4242,Alex Morgan,'-1 Minus Road,GB,") != std::string::npos);  // numbers stay
  // data.json keeps every value as it is.
  const json::value data = json::parse(ZipEntry(zip, "data.json"));
  const auto& p0 = data.at("tables").at("projects").at("rows").as_array()[0];
  CHECK(p0.at("name") == "=HYPERLINK(\"http://evil.example\",\"x\")");
  CHECK(p0.at("description") == "@SUM(1+1)");
  CHECK(data.at("tables").at("billing").at("rows").as_array()[1].at("billing_address") == "-1 Minus Road");
  // Without review data kept, nothing but the package is left.
  CHECK_FALSE(std::filesystem::exists(ReviewDir(dir / "exports", "REF-F")));
}

TEST_CASE("formula cells are neutralised in the portability CSVs too, never in data.json", "[fulfillment][review]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Sql(db, "UPDATE projects SET name = '=cmd|'' /C calc''!A0', description = '+1 555', visibility = char(9) || '=1+1' "
          "WHERE id = 'prj_a1'");
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  auto r = fulfiller.Run("export_portability", "REF-P", AlexMorgan(), kNow);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const std::string zip = dir / "exports/REF-P/portability.zip";
  const std::string projects = ZipEntry(zip, "projects.csv");
  INFO(projects);
  CHECK(projects.find("'=cmd|' /C calc'!A0") != std::string::npos);
  CHECK(projects.find(",=cmd") == std::string::npos);
  CHECK(projects.find(",'\t=1+1") != std::string::npos);  // a leading TAB too
  const json::value data = json::parse(ZipEntry(zip, "data.json"));
  CHECK(data.at("tables").at("projects").as_array()[0].at("name") == "=cmd|' /C calc'!A0");
  CHECK(data.at("tables").at("projects").as_array()[0].at("description") == "+1 555");
}

TEST_CASE("the staged rows rebuild the package: the same bytes, and redactions leave no trace", "[fulfillment][review]") {
  TempDir dir;
  const std::string db = MakeSmallCompanyDb(dir);
  Fulfiller fulfiller(DemoMap(), db, dir / "exports");
  fulfiller.KeepReviewData(true);
  auto r = fulfiller.Run("export_access", "REF-R", AlexMorgan(), kNow);
  REQUIRE(r.ok());
  const std::string zip = dir / "exports/REF-R/access.zip";
  const std::string built = ReadFile(zip);
  const auto review = ReviewDir(dir / "exports", "REF-R");
  REQUIRE(std::filesystem::exists(review / "meta.json"));

  auto tables = ReadStagedTables(review);
  REQUIRE(tables.ok());
  REQUIRE(tables->size() == 7);
  CHECK((*tables)[0].name == "accounts");
  CHECK((*tables)[0].rows == 1);
  auto rows = ReadStagedRows(review, "billing", 1, 2);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0][0] == "NC-000003");

  // No redaction: the very bytes the export wrote.
  REQUIRE(BuildAccessPackage(review, {}, zip).ok());
  CHECK(ReadFile(zip) == built);

  // The card's last digits of one invoice, and a whole invoice row.
  REQUIRE(BuildAccessPackage(review, {{"billing", 0, "card_last4", "withheld for security"},
                                      {"billing", 2, "", "third-party data"}},
                             zip)
              .ok());
  const std::string csv = ZipEntry(zip, "billing.csv");
  CHECK(csv.find("NC-000001,acc_alex,2025-01-01T00:00:00Z,paid,GBP,1200,240,visa,[redacted: withheld for security],") !=
        std::string::npos);
  CHECK(csv.find("NC-000004") == std::string::npos);  // the whole row reads the marker
  const json::value data = json::parse(ZipEntry(zip, "data.json"));
  CHECK(data.at("tables").at("billing").at("rows").as_array().size() == 3);
  CHECK(data.at("tables").at("billing").at("rows").as_array()[2].at("amount_cents") == "[redacted: third-party data]");
  CHECK(ZipEntry(zip, "index.html").find("2 values") == std::string::npos);  // a row counts each of its cells
  CHECK(ZipEntry(zip, "index.html").find("14 values in this package are replaced") != std::string::npos);

  // Unknown table, row or column: Invalid, the package untouched.
  const std::string redacted = ReadFile(zip);
  CHECK(BuildAccessPackage(review, {{"billing", 9, "", "x"}}, zip).IsInvalid());
  CHECK(BuildAccessPackage(review, {{"nope", 0, "", "x"}}, zip).IsInvalid());
  CHECK(BuildAccessPackage(review, {{"billing", 0, "password", "x"}}, zip).IsInvalid());
  CHECK(ReadFile(zip) == redacted);
  CHECK_FALSE(std::filesystem::exists(dir / "exports/REF-R/.staging-review"));
}
