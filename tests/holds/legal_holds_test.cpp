// Legal holds in depth (issue 5 §3): subject, table and category holds with ground, who, why and
// when; partial erasure with a retained report; a hold placed while a deletion runs; release
// resuming waiting requests; every hold action in the request history. The erasures run against
// a small company database with the demo schema and map (tests/fulfillment/helpers.h).
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "api/presenters.h"
#include "holds/holds.h"
#include "identity/agents.h"
#include "identity/api_tokens.h"
#include "identity/codes.h"
#include "identity/data_points.h"
#include "identity/suppression.h"
#include "intake/inbound_queue.h"
#include "intake/intake.h"
#include "intake/read_mail.h"
#include "release/downloads.h"
#include "release/review.h"
#include "requests/corrections.h"
#include "requests/engine.h"
#include "requests/tasks.h"
#include "schedule/workers.h"
#include "support/company_fixture.h"
#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;
namespace json = boost::json;
namespace ft = dsar::fulfillment::testing;

namespace {

service::HoldInput Hold(std::string email, std::string table, std::string category, std::string ground,
                        std::string matter = "M-1", std::string reason = "audit") {
  service::HoldInput h;
  h.subject_email = std::move(email);
  h.table = std::move(table);
  h.category = std::move(category);
  h.ground = std::move(ground);
  h.matter = std::move(matter);
  h.reason = std::move(reason);
  h.actor = "staff:legal";
  return h;
}

}  // namespace

TEST_CASE("holds: a table hold and a subject+category hold keep their rows; the rest is erased and the "
          "retained rows are reported",
          "[service][holds]") {
  Fixture f;
  Company c(f);
  const auto r = f.Create("deletion", "alex.morgan@example.com");
  const auto blake = f.Create("deletion", "blake.rivers@example.org");
  const auto access = f.Create("access", "alex.morgan@example.com");
  auto tax = PlaceHold(*f.svc, Hold("", "billing", "", "legal_obligation", "TAX-2026", "tax audit of 2025"));
  REQUIRE(tax.ok());
  auto claims = PlaceHold(*f.svc, Hold("Alex.Morgan@example.com", "", "correspondence", "", "CASE-12", "complaint"));
  REQUIRE(claims.ok());
  CHECK(claims->ground == "legal_claims");

  // Audit: each placement is on every open request it covers, with id, scope, ground, who, why.
  auto placed = f.Events(r.id, "hold_placed");
  REQUIRE(placed.size() == 2);
  CHECK(placed[0].actor == "staff:legal");
  CHECK(placed[0].reason == "tax audit of 2025");
  CHECK(Data(placed[0]) == json::parse(R"J({"hold_id":")J" + tax->id + R"J(","matter":"TAX-2026",
        "scope":{"subject_email":null,"account_id":null,"table":"billing","category":null},
        "ground":"legal_obligation","citation":"GDPR Art. 17(3)(b): compliance with a legal obligation",
        "placed_by":"staff:legal","hold_reason":"tax audit of 2025"})J"));
  CHECK(Data(placed[1]).at("scope").at("category") == "correspondence");
  CHECK(Data(placed[1]).at("scope").at("subject_email") == "alex.morgan@example.com");
  CHECK(f.Events(blake.id, "hold_placed").size() == 1);   // the table hold names nobody: every deletion
  CHECK(f.Events(access.id, "hold_placed").size() == 1);  // Alex's hold: all Alex's requests

  // Table and category holds do not stop the deletion as a whole.
  REQUIRE(Verify(*f.svc, r.id, f.CodeFor(r.reference), "requester").ok());
  CHECK(f.svc->Get(r.id)->state == "fulfilling");
  service::Workers w(*f.svc, c.fulfiller);
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "completed");

  // Rows left in each table of the company database.
  CHECK(c.Ids("accounts") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(c.Ids("projects") == std::vector<std::string>{"prj_b1"});
  CHECK(c.Ids("deployments") == std::vector<std::string>{"dep_b1p"});
  CHECK(c.Ids("billing", "invoice_no || ':' || account_id || ':' || ifnull(card_last4, '-')") ==
        std::vector<std::string>{"NC-000001:acc_alex:4242", "NC-000002:acc_blake:0005", "NC-000003:acc_alex:4242",
                                 "NC-000004:acc_alex:-", "NC-000005:acc_blake:-"});
  CHECK(c.Ids("newsletter_subscriptions") == std::vector<std::string>{"2", "3"});
  CHECK(c.Ids("support_tickets", "id || ':' || requester_email || ':' || subject") ==
        std::vector<std::string>{"1:alex.morgan@example.com:Kernel keeps restarting",
                                 "2:alex.morgan@example.com:Custom domain",
                                 "3:blake.rivers@example.org:Refund request"});
  CHECK(c.Ids("analytics_identifiers") == std::vector<std::string>{"2"});

  // The retained report: in the job's result, the fulfilled transition and the completed mail.
  const json::value expected = json::parse(R"J([
    {"table":"billing","rows":3,"category":"financial data","hold_id":")J" + tax->id + R"J(",
     "ground":"legal_obligation","citation":"GDPR Art. 17(3)(b): compliance with a legal obligation",
     "matter":"TAX-2026","holds":[")J" + tax->id + R"J("]},
    {"table":"support_tickets","rows":2,"category":"correspondence","hold_id":")J" + claims->id + R"J(",
     "ground":"legal_claims","citation":"GDPR Art. 17(3)(e): the establishment, exercise or defence of legal claims",
     "matter":"CASE-12","holds":[")J" + claims->id + R"J("]}])J");
  const json::value job = json::parse(f.Text("SELECT result_json FROM jobs WHERE request_id = '" + r.id + "'"));
  CHECK(job.at("summary").at("retained") == expected);
  CHECK(job.at("summary").at("total_retained") == 5);
  auto fulfilled = f.Events(r.id, "fulfilled");
  REQUIRE(fulfilled.size() == 1);
  CHECK(Data(fulfilled[0]).at("summary").at("retained") == expected);
  const std::string mail =
      f.Text("SELECT body FROM outbox WHERE template = 'completed' AND request_id = '" + r.id + "'");
  CHECK_THAT(mail, Catch::Contains("except 5 records we must keep under a legal hold"));
  CHECK_THAT(mail, Catch::Contains("billing (3 records, financial data): GDPR Art. 17(3)(b)"));

  // Releasing the tax hold: nothing was waiting; the completed deletion's billing rows are now
  // free (listed, not erased), Alex's tickets still held by the other hold.
  auto released = ReleaseHold(*f.svc, tax->id, "staff:legal", "audit closed");
  REQUIRE(released.ok());
  CHECK(released->resumed.empty());
  CHECK(json::value(released->retained_now_free) ==
        json::parse(R"J([{"request_id":")J" + r.id + R"J(","reference":")J" + r.reference +
                    R"J(","table":"billing","rows":3,"category":"financial data","still_held_by":[]}])J"));
  CHECK(c.Ids("billing", "invoice_no").size() == 5);  // nothing re-run
  auto rel = f.Events(blake.id, "hold_released");
  REQUIRE(rel.size() == 1);
  CHECK(rel[0].reason == "audit closed");
  CHECK(Data(rel[0]).at("released_by") == "staff:legal");
  CHECK(Data(rel[0]).at("hold_id") == json::value(tax->id));
  CHECK(Data(rel[0]).at("scope").at("table") == "billing");
  CHECK(f.Events(r.id, "hold_released").empty());  // completed: final states record nothing

  // The matter groups holds.
  CHECK(ListHolds(*f.svc, false, "CASE-12")->size() == 1);
  CHECK(ListHolds(*f.svc, true)->size() == 1);
}

TEST_CASE("holds: a hold placed while the erasure runs keeps the rows not yet erased", "[service][holds]") {
  Fixture f;
  Company c(f);
  const auto r = f.Create("deletion", "alex.morgan@example.com");
  REQUIRE(Verify(*f.svc, r.id, f.CodeFor(r.reference), "requester").ok());
  REQUIRE(f.svc->Get(r.id)->state == "fulfilling");
  service::Workers w(*f.svc, c.fulfiller);
  std::vector<std::string> asked;
  std::string hold_id;
  w.TEST_BeforeHoldCheck([&](const std::string& table) {
    asked.push_back(table);
    if (table != "projects") return;  // the 2nd table: accounts is already erased
    auto h = PlaceHold(*f.svc, Hold("alex.morgan@example.com", "", "", "litigation_hold", "CASE-9", "subpoena"));
    REQUIRE(h.ok());
    hold_id = h->id;
  });
  REQUIRE(*w.RunJobs() == 1);
  CHECK(asked.size() == 7);
  CHECK(f.svc->Get(r.id)->state == "completed");
  CHECK(c.Ids("accounts") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(c.Ids("projects") == std::vector<std::string>{"prj_a1", "prj_b1", "prj_a2"});
  CHECK(c.Ids("deployments") == std::vector<std::string>{"dep_a1p", "dep_b1p", "dep_a1s", "dep_a2p"});
  CHECK(c.Ids("billing", "invoice_no").size() == 5);
  CHECK(c.Ids("newsletter_subscriptions") == std::vector<std::string>{"1", "2", "3"});
  CHECK(c.Ids("support_tickets", "requester_email") ==
        std::vector<std::string>{"alex.morgan@example.com", "alex.morgan@example.com", "blake.rivers@example.org"});
  CHECK(c.Ids("analytics_identifiers") == std::vector<std::string>{"1", "2", "3"});
  const json::value job = json::parse(f.Text("SELECT result_json FROM jobs WHERE request_id = '" + r.id + "'"));
  CHECK(job.at("summary").at("total_retained") == 13);
  CHECK(job.at("summary").at("total_deleted") == 1);
  const json::value retained = job.at("summary").at("retained");
  REQUIRE(retained.as_array().size() == 6);
  CHECK(retained.at(0).at("table") == "projects");
  CHECK(retained.at(0).at("hold_id") == json::value(hold_id));
  CHECK(retained.at(0).at("ground") == "litigation_hold");
  // The placement is in the history, while the request was fulfilling.
  auto placed = f.Events(r.id, "hold_placed");
  REQUIRE(placed.size() == 1);
  CHECK(placed[0].from_state == std::optional<std::string>("fulfilling"));
  CHECK(Data(placed[0]).at("hold_id") == json::value(hold_id));
}

TEST_CASE("holds: a whole-subject hold waits; releasing it resumes the request and the erasure completes",
          "[service][holds]") {
  Fixture f;
  Company c(f);
  const auto r = f.Create("deletion", "alex.morgan@example.com");
  auto hold = PlaceHold(*f.svc, Hold("", "", "", "legal_claims", "CASE-1", "litigation"));
  REQUIRE_FALSE(hold.ok());  // no scope at all
  service::HoldInput by_account = Hold("", "", "", "regulatory_investigation", "ICO-5", "inquiry");
  by_account.account_id = "acc_alex";
  hold = PlaceHold(*f.svc, by_account);
  REQUIRE(hold.ok());
  REQUIRE(Verify(*f.svc, r.id, f.CodeFor(r.reference), "requester").ok());
  CHECK(f.svc->Get(r.id)->state == "on_hold");
  service::Workers w(*f.svc, c.fulfiller);
  CHECK(*w.RunJobs() == 0);
  CHECK(c.Ids("accounts").size() == 3);
  auto released = ReleaseHold(*f.svc, hold->id, "staff:legal", "inquiry closed");
  REQUIRE(released.ok());
  CHECK(released->resumed == std::vector<std::string>{r.reference});
  CHECK(released->retained_now_free.empty());
  CHECK(f.svc->Get(r.id)->state == "fulfilling");
  auto rel = f.Events(r.id, "hold_released");
  REQUIRE(rel.size() == 1);
  CHECK(rel[0].to_state == "hold_check");
  CHECK(Data(rel[0]).at("ground") == "regulatory_investigation");
  CHECK(Data(rel[0]).at("scope").at("account_id") == "acc_alex");
  REQUIRE(*w.RunJobs() == 1);
  CHECK(f.svc->Get(r.id)->state == "completed");
  CHECK(c.Ids("accounts") == std::vector<std::string>{"acc_blake", "acc_xalex"});
  CHECK(c.Ids("billing", "invoice_no") == std::vector<std::string>{"NC-000001", "NC-000002", "NC-000003", "NC-000005"});
  const json::value job = json::parse(f.Text("SELECT result_json FROM jobs WHERE request_id = '" + r.id +
                                             "' AND status = 'done'"));
  CHECK(job.at("summary").at("retained") == json::array());
  CHECK(job.at("summary").at("total_retained") == 0);
}

TEST_CASE("holds: placement is validated field by field", "[service][holds]") {
  Fixture f;
  // Without a systems map a table or category hold cannot be checked.
  CHECK(PlaceHold(*f.svc, Hold("", "billing", "", "")).status().kind() == Status::Kind::kUnprocessable);
  Company c(f);
  CHECK(PlaceHold(*f.svc, Hold("", "billing", "", "")).ok());
  CHECK(PlaceHold(*f.svc, Hold("", "", "financial data", "legal_obligation")).ok());
  auto unknown_table = PlaceHold(*f.svc, Hold("", "invoices", "", ""));
  CHECK(unknown_table.status().kind() == Status::Kind::kUnprocessable);
  CHECK_THAT(unknown_table.status().message(), Catch::StartsWith("'table': 'invoices' is not a table"));
  CHECK(PlaceHold(*f.svc, Hold("", "", "secrets", "")).status().kind() == Status::Kind::kUnprocessable);
  CHECK(PlaceHold(*f.svc, Hold("", "billing", "financial data", "")).status().IsInvalid());
  auto ground = PlaceHold(*f.svc, Hold("a@example.com", "", "", "because"));
  CHECK(ground.status().IsInvalid());
  CHECK_THAT(ground.status().message(), Catch::StartsWith("'ground' must be one of legal_claims"));
  CHECK(PlaceHold(*f.svc, Hold("a@example.com", "", "", "", "")).status().IsInvalid());     // no matter
  CHECK(PlaceHold(*f.svc, Hold("a@example.com", "", "", "", "M", "")).status().IsInvalid());  // no reason
}
