// Issue 5 §5 (review before release): an access package that holds rows waits in
// awaiting_approval; staff list it, redact other people's data (GDPR Art. 15(4)), the package is
// rebuilt deterministically from the staged rows, and approve releases the link.
#include <boost/json/parse.hpp>

#include "api_fixture.h"
#include "core/sha256.h"
#include "fulfillment/helpers.h"
#include "fulfillment/package/review.h"
#include "fulfillment/systems_map.h"
#include "support/sql.h"

using namespace dsar;
using namespace dsar::api;
using namespace dsar::api::test;
namespace json = boost::json;

namespace {

constexpr const char* kColleague = "Please also reset Dana Okafor (dana.okafor@example.net), my colleague.";
constexpr const char* kOtherProject = "Notes shared by Kim Lee, kim.lee@example.org";

struct ReviewFixture : ServiceFixture {
  fulfillment::testing::TempDir company;
  std::string company_db;
  std::shared_ptr<fulfillment::Fulfiller> fulfiller;
  Context ctx{*svc};

  ReviewFixture() {
    company_db = fulfillment::testing::MakeSmallCompanyDb(company);
    // Other people's data in Alex's rows: a colleague named in a ticket, a project note.
    fulfillment::testing::Sql(company_db, std::string("UPDATE support_tickets SET body = '") + kColleague +
                                              "' WHERE id = 2; UPDATE projects SET description = '" + kOtherProject +
                                              "' WHERE id = 'prj_a2';");
    auto map = fulfillment::LoadSystemsMap(fulfillment::testing::DemoMapPath());
    REQUIRE(map.ok());
    fulfiller = std::make_shared<fulfillment::Fulfiller>(*map, company_db, svc->config().exports_dir);
    fulfiller->KeepReviewData(true);
  }

  Response Call(const std::string& method, const std::string& target, const std::string& body = "") {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.client = "192.0.2.1";
    r.headers["Authorization"] = "Bearer " + token;
    return Handle(r, ctx);
  }

  store::RequestRow Built(const std::string& email) {
    auto r = CreateDirect(email, "access");
    auto v = Verify(*svc, r.id, MailedCode(r.id), "requester");
    INFO(v.status().ToString());
    REQUIRE(v.ok());
    service::Workers w(*svc, fulfiller);
    REQUIRE(w.RunJobs().ok());
    return *svc->Get(r.id);
  }

};

std::string Members(const std::string& zip) {
  std::string all;
  for (const auto& name : fulfillment::testing::ZipNames(zip)) all += fulfillment::testing::ZipEntry(zip, name);
  return all;
}

}  // namespace

TEST_CASE("review before release: list, redact a cell and a row, rebuild, approve", "[api][review]") {
  ReviewFixture f;
  auto r = f.Built("alex.morgan@example.com");
  REQUIRE(r.state == "awaiting_approval");
  const std::string base = "/api/v1/requests/" + r.id;
  // Nothing released yet: no link, no completed mail.
  CHECK(f.Count("SELECT count(*) FROM download_links") == 0);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'completed'") == 0);
  CHECK(f.Call("POST", base + "/download-link").status == 409);

  // What the package holds.
  auto overview = f.Call("GET", base + "/package");
  REQUIRE(overview.status == 200);
  auto o = Body(overview);
  CHECK(o.at("under_review") == true);
  CHECK(o.at("total_rows") == 14);
  json::object rows_by_table;
  for (const auto& t : o.at("tables").as_array()) rows_by_table[t.at("table").as_string()] = t.at("rows");
  CHECK(rows_by_table.at("support_tickets") == 2);
  CHECK(rows_by_table.at("projects") == 2);
  CHECK(o.at("redactions").as_array().empty());
  CHECK(o.at("reasons").as_array().size() == 3);

  // One page of one table: the second ticket, as staged.
  auto page = f.Call("GET", base + "/package/tables/support_tickets?offset=1&limit=1");
  REQUIRE(page.status == 200);
  auto p = Body(page);
  CHECK(p.at("total") == 2);
  REQUIRE(p.at("rows").as_array().size() == 1);
  CHECK(p.at("rows").as_array()[0].at("row") == 1);
  CHECK(p.at("rows").as_array()[0].at("values").at("body") == kColleague);
  CHECK(f.Call("GET", base + "/package/tables/nope").status == 404);
  CHECK(f.Call("GET", base + "/package/tables/projects?limit=0").status == 400);

  auto file = Export(*f.svc, r.id);
  REQUIRE(file.ok());
  const std::string zip = file->path;
  const std::string before = fulfillment::testing::ReadFile(zip);
  const auto names = fulfillment::testing::ZipNames(zip);
  CHECK(Members(zip).find("dana.okafor@example.net") != std::string::npos);

  // Bad redactions: problem+json, nothing recorded.
  auto bad_code = f.Call("POST", base + "/package/redactions",
                         R"({"table":"support_tickets","row":1,"column":"body","reason_code":"dislike","reason":"x"})");
  CHECK(bad_code.status == 400);
  CHECK(bad_code.Header("Content-Type") == "application/problem+json");
  CHECK(f.Call("POST", base + "/package/redactions",
               R"({"table":"support_tickets","row":7,"column":"body","reason_code":"third_party_data","reason":"x"})")
            .status == 422);
  CHECK(f.Call("POST", base + "/package/redactions",
               R"({"table":"support_tickets","row":1,"column":"password","reason_code":"third_party_data","reason":"x"})")
            .status == 422);
  CHECK(f.Call("POST", base + "/package/redactions",
               R"({"table":"support_tickets","row":1,"column":"body","reason_code":"third_party_data"})")
            .status == 400);

  // A cell.
  auto red = f.Call("POST", base + "/package/redactions",
                    R"({"table":"support_tickets","row":1,"column":"body","reason_code":"third_party_data",)"
                    R"("reason":"names a colleague and her address"})");
  REQUIRE(red.status == 201);
  CHECK(Body(red).at("redactions").as_array().size() == 1);
  const std::string after_cell = fulfillment::testing::ReadFile(zip);
  CHECK(after_cell != before);
  CHECK(fulfillment::testing::ZipNames(zip) == names);
  std::string all = Members(zip);
  CHECK(all.find("dana.okafor@example.net") == std::string::npos);
  CHECK(all.find("Dana Okafor") == std::string::npos);
  const std::string data = fulfillment::testing::ZipEntry(zip, "data.json");
  CHECK(data.find("\"body\": \"[redacted: third-party data]\"") != std::string::npos);
  CHECK(fulfillment::testing::ZipEntry(zip, "support_tickets.csv").find(",[redacted: third-party data],") !=
        std::string::npos);
  CHECK(fulfillment::testing::ZipEntry(zip, "index.html").find("1 value in this package is replaced") !=
        std::string::npos);
  // The same cell again: 409.
  CHECK(f.Call("POST", base + "/package/redactions",
               R"({"table":"support_tickets","row":1,"column":"body","reason_code":"third_party_data","reason":"again"})")
            .status == 409);

  // A whole row: every cell reads the marker, the row stays (counts stay true).
  auto row = f.Call("POST", base + "/package/redactions",
                    R"({"table":"projects","row":1,"reason_code":"trade_secret","reason":"another customer's notes"})");
  REQUIRE(row.status == 201);
  all = Members(zip);
  CHECK(all.find(kOtherProject) == std::string::npos);
  CHECK(all.find("kim.lee@example.org") == std::string::npos);
  const std::string projects_csv = fulfillment::testing::ZipEntry(zip, "projects.csv");
  CHECK(projects_csv.find("[redacted: trade secret],[redacted: trade secret],[redacted: trade secret]") !=
        std::string::npos);
  CHECK(std::count(projects_csv.begin(), projects_csv.end(), '\n') == 3);  // header + 2 rows
  const auto page2 = Body(f.Call("GET", base + "/package/tables/projects"));
  CHECK(page2.at("rows").as_array()[1].at("redacted").at("*") == "trade secret");

  // Deterministic: rebuilt from the staged rows with the same redactions, the same bytes.
  const std::string redacted = fulfillment::testing::ReadFile(zip);
  auto history = f.svc->Transitions(r.id);
  REQUIRE(history.ok());
  REQUIRE(fulfillment::BuildAccessPackage(fulfillment::ReviewDir(f.svc->config().exports_dir, r.reference),
                                          {{"support_tickets", 1, "body", "third-party data"},
                                           {"projects", 1, "", "trade secret"}},
                                          zip)
              .ok());
  CHECK(fulfillment::testing::ReadFile(zip) == redacted);

  // Approve: the package is rebuilt once more (the same bytes), the link and the mail go out.
  auto approved = f.Call("POST", base + "/events", R"({"event":"approve","reason":"reviewed by the DPO"})");
  REQUIRE(approved.status == 200);
  CHECK(Body(approved).at("state") == "completed");
  CHECK(fulfillment::testing::ReadFile(zip) == redacted);
  CHECK(f.Count("SELECT count(*) FROM download_links") == 1);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'completed'") == 1);
  CHECK_FALSE(fs::exists(fulfillment::ReviewDir(f.svc->config().exports_dir, r.reference)));
  CHECK(f.Call("GET", base + "/package").status == 404);

  // The history: who, what, why, never the value.
  auto all_rows = f.svc->Transitions(r.id);
  REQUIRE(all_rows.ok());
  std::vector<std::string> steps;
  for (const auto& t : *all_rows) steps.push_back(t.from_state.value_or("") + ">" + t.to_state + ":" + t.event);
  CHECK(std::vector<std::string>(steps.end() - 4, steps.end()) ==
        std::vector<std::string>{"fulfilling>awaiting_approval:fulfilled", "awaiting_approval>awaiting_approval:redact",
                                 "awaiting_approval>awaiting_approval:redact", "awaiting_approval>completed:approve"});
  const auto& cell = (*all_rows)[all_rows->size() - 3];
  CHECK(cell.actor == "staff:tests");
  CHECK(cell.reason == "names a colleague and her address");
  CHECK(json::parse(cell.data_json) == json::parse(R"({"table":"support_tickets","row":1,"column":"body",)"
                                                   R"("reason_code":"third_party_data","label":"third-party data"})"));
  const auto& whole = (*all_rows)[all_rows->size() - 2];
  CHECK(json::parse(whole.data_json).at("column").is_null());
  const auto& approval = all_rows->back();
  CHECK(approval.actor == "staff:tests");
  CHECK(json::parse(approval.data_json).at("redactions") == 2);
  CHECK(json::parse(approval.data_json).at("package_sha256").as_string() == Sha256Hex(redacted));
  for (const auto& t : *all_rows) {
    CHECK(t.data_json.find("Okafor") == std::string::npos);
    CHECK(t.data_json.find("Kim Lee") == std::string::npos);
  }
}

TEST_CASE("review: a redaction outside awaiting_approval is refused", "[api][review]") {
  ReviewFixture f;
  auto r = f.Built("alex.morgan@example.com");
  REQUIRE(r.state == "awaiting_approval");
  const std::string base = "/api/v1/requests/" + r.id;
  // Redactions go through their own route, never the generic events.
  CHECK(f.Call("POST", base + "/events", R"({"event":"redact","reason":"x"})").status == 422);
  REQUIRE(f.Call("POST", base + "/events", R"({"event":"approve"})").status == 200);
  auto late = f.Call("POST", base + "/package/redactions",
                     R"({"table":"projects","row":0,"reason_code":"third_party_data","reason":"too late"})");
  CHECK(late.status == 404);  // released: the staged rows are gone
  CHECK(late.Header("Content-Type") == "application/problem+json");
}

TEST_CASE("review: a redaction withdrawn restores the value, and the package's bytes", "[api][review]") {
  ReviewFixture f;
  auto r = f.Built("alex.morgan@example.com");
  const std::string base = "/api/v1/requests/" + r.id;
  const std::string zip = Export(*f.svc, r.id)->path;
  const std::string built = fulfillment::testing::ReadFile(zip);
  auto red = f.Call("POST", base + "/package/redactions",
                    R"({"table":"support_tickets","row":1,"column":"body","reason_code":"third_party_data","reason":"x"})");
  REQUIRE(red.status == 201);
  const auto v = Body(red).at("redactions").as_array()[0].at("version").as_int64();
  CHECK(fulfillment::testing::ReadFile(zip) != built);
  CHECK(f.Call("DELETE", base + "/package/redactions/" + std::to_string(v), R"({})").status == 400);  // a reason
  CHECK(f.Call("DELETE", base + "/package/redactions/999", R"({"reason":"x"})").status == 404);
  auto undo = f.Call("DELETE", base + "/package/redactions/" + std::to_string(v),
                     R"({"reason":"the colleague agreed to be named"})");
  REQUIRE(undo.status == 200);
  CHECK(Body(undo).at("redactions").as_array().empty());
  CHECK(fulfillment::testing::ReadFile(zip) == built);  // the same bytes as before any redaction
  CHECK(f.Call("DELETE", base + "/package/redactions/" + std::to_string(v), R"({"reason":"again"})").status == 404);
  auto history = f.svc->Transitions(r.id);
  REQUIRE(history.ok());
  CHECK(history->back().event == "unredact");
  CHECK(history->back().actor == "staff:tests");
  CHECK(json::parse(history->back().data_json).at("redaction") == v);
  // The approval counts what is in force: none.
  REQUIRE(f.Call("POST", base + "/events", R"({"event":"approve"})").status == 200);
  auto all_rows = f.svc->Transitions(r.id);
  CHECK(json::parse(all_rows->back().data_json).at("redactions") == 0);
  CHECK(fulfillment::testing::ReadFile(zip) == built);
}
