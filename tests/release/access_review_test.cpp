// Issue 5 §5: the redaction review before release is the default; `access_review: false` lets a
// company skip it (the package is released as soon as it is built).
#include <catch2/catch.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/package/review.h"
#include "fulfillment/systems_map.h"
#include "schedule/workers.h"
#include "support/service_fixture.h"

using namespace dsar;
using namespace dsar::test;

namespace {

// An access request for Alex, verified with the mailed code, its export run with `keep_review`.
store::RequestRow Exported(Fixture& f, fulfillment::testing::TempDir& company, bool keep_review,
                           const std::string& email = "alex.morgan@example.com") {
  const std::string db = fulfillment::testing::MakeSmallCompanyDb(company);
  auto map = fulfillment::LoadSystemsMap(fulfillment::testing::DemoMapPath());
  REQUIRE(map.ok());
  auto fulfiller = std::make_shared<fulfillment::Fulfiller>(*map, db, f.cfg.exports_dir);
  fulfiller->KeepReviewData(keep_review);
  auto r = f.Create("access", email);
  auto v = Verify(*f.svc, r.id, f.CodeFor(r.reference), "requester");
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  service::Workers w(*f.svc, fulfiller);
  REQUIRE(w.RunJobs().ok());
  return *f.svc->Get(r.id);
}

}  // namespace

TEST_CASE("access review is on by default: the package waits, nothing is released", "[service][review]") {
  Fixture f;
  fulfillment::testing::TempDir company;
  CHECK(f.cfg.access_review);
  auto r = Exported(f, company, true);
  CHECK(r.state == "awaiting_approval");
  CHECK(f.Count("SELECT count(*) FROM download_links") == 0);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'completed'") == 0);
  auto json = api::RequestJson(*f.svc->Get(r.id), f.clock.Now(), f.svc->deadlines());  // the view a route answers with
  const auto& allowed = json.at("allowed_events").as_array();
  CHECK(std::find(allowed.begin(), allowed.end(), boost::json::value("approve")) != allowed.end());
  // Approved without redactions: the package as built, released with its link.
  Event approve;
  approve.name = "approve";
  approve.actor = "staff:dpo";
  auto done = f.svc->ApplyStaffEvent(r.id, approve, std::nullopt);
  REQUIRE(done.ok());
  CHECK(done->state == "completed");
  CHECK(f.Count("SELECT count(*) FROM download_links") == 1);
  CHECK(f.Text("SELECT data_json FROM transitions WHERE event = 'approve'").find("\"redactions\":0") != std::string::npos);
}

TEST_CASE("access_review false releases the package at once", "[service][review]") {
  Fixture f;
  f.cfg.access_review = false;
  f.Open();
  fulfillment::testing::TempDir company;
  auto r = Exported(f, company, false);
  CHECK(r.state == "completed");
  CHECK(f.Count("SELECT count(*) FROM download_links") == 1);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE template = 'completed'") == 1);
  CHECK(f.Count("SELECT count(*) FROM transitions WHERE to_state = 'awaiting_approval'") == 0);
  CHECK_FALSE(std::filesystem::exists(fulfillment::ReviewDir(f.cfg.exports_dir, r.reference)));
}

TEST_CASE("an access package that found nothing is not reviewed", "[service][review]") {
  Fixture f;
  fulfillment::testing::TempDir company;
  auto r = Exported(f, company, true, "nobody@example.net");
  CHECK(r.state == "completed");
  CHECK(f.Count("SELECT count(*) FROM download_links") == 0);
}
