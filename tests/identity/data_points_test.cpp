// Issue 5 §1: verification by matching data points the company holds (Cal. Code Regs. tit. 11
// § 7062), against the small company database with the demo schema and systems map: Alex Morgan
// (name "Alex Morgan", phone "+44 7700 900123", country GB, plan pro, card 4242, billing address
// "1 King Street, Exampleton").
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"
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

store::RequestRow CreateWith(Fixture& f, const std::string& type, const std::string& jurisdiction,
                             json::object details = {}) {
  service::CreateRequestInput in;
  in.type = type;
  in.jurisdiction = jurisdiction;
  in.subject.email = "alex.morgan@example.com";
  in.details = std::move(details);
  auto r = f.svc->CreateRequest(in);
  if (!r.ok()) FAIL(r.status().ToString());
  return r->request;
}

// Nothing offered is kept anywhere in the store: not in transitions, attempts, mail or requests.
long StoredAnywhere(Fixture& f, const std::string& needle) {
  const std::string like = "'%" + needle + "%'";
  return f.Count("SELECT (SELECT count(*) FROM transitions WHERE data_json LIKE " + like +
                 " OR reason LIKE " + like + ") + (SELECT count(*) FROM data_point_attempts WHERE offered LIKE " +
                 like + " OR matched LIKE " + like + ") + (SELECT count(*) FROM outbox WHERE body LIKE " + like +
                 ") + (SELECT count(*) FROM requests WHERE details_json LIKE " + like + ")");
}

}  // namespace

TEST_CASE("data points: normalization of case, blanks and phone digits", "[service][data_points]") {
  CHECK(service::NormalizeDataPoint("name", "  Alex\t  MORGAN ") == "alex morgan");
  CHECK(service::NormalizeDataPoint("phone", "+44 (7700) 900-123") == "447700900123");
  CHECK(service::NormalizeDataPoint("card_last4", "**** 4242") == "4242");
  CHECK(service::NormalizeDataPoint("billing_address", "1 King  Street,\nExampleton") == "1 king street, exampleton");
}

TEST_CASE("data points: two matching points verify a deletion (a reasonable degree), which proceeds",
          "[service][data_points]") {
  Fixture f;
  Company c(f);
  const auto r = CreateWith(f, "deletion", "ccpa");
  REQUIRE(r.state == "verifying");
  auto out = VerifyDataPoints(*f.svc, r.id, {{"name", "  alex   MORGAN "}, {"phone", "7700 900123"}}, false, "requester");
  INFO(out.status().ToString());
  REQUIRE(out.ok());
  CHECK(out->verified);
  CHECK(out->matched == std::vector<std::string>{"name", "phone"});
  CHECK(out->required == 2);
  CHECK(out->request.state == "fulfilling");  // hold_check found no hold
  CHECK(out->request.identity_verified);
  auto iv = f.Events(r.id, "identity_verified");
  REQUIRE(iv.size() == 1);
  CHECK(iv[0].actor == "requester");
  const json::object d = Data(iv[0]);
  CHECK(d.at("method").as_string() == "data_points");
  CHECK(d.at("degree").as_string() == "reasonable");
  CHECK(json::serialize(d.at("points")) == R"(["name","phone"])");
  CHECK(d.at("matched").as_int64() == 2);
  CHECK(d.at("required").as_int64() == 2);
  CHECK(f.Text("SELECT offered || '|' || matched || '|' || matched_count || '|' || required || '|' || success "
               "FROM data_point_attempts WHERE request_id = '" + r.id + "'") == R"(["name","phone"]|["name","phone"]|2|2|1)");
  CHECK(StoredAnywhere(f, "900123") == 0);
  CHECK(StoredAnywhere(f, "alex   MORGAN") == 0);
  // Verified: no further attempt is taken.
  CHECK(VerifyDataPoints(*f.svc, r.id, {{"name", "Alex Morgan"}}, false, "requester").status().IsRefused());
}

TEST_CASE("data points: a request to know specific pieces (CCPA access) needs three points and the signed "
          "declaration",
          "[service][data_points]") {
  Fixture f;
  Company c(f);
  const auto r = CreateWith(f, "access", "ccpa");
  const std::map<std::string, std::string> three{{"name", "Alex Morgan"}, {"card_last4", "4242"}, {"phone", "+44 7700 900123"}};
  auto no_decl = VerifyDataPoints(*f.svc, r.id, three, false, "requester");
  REQUIRE_FALSE(no_decl.ok());
  CHECK(no_decl.status().IsRefused());
  CHECK(no_decl.status().message() == "the signed declaration under penalty of perjury is required; 2 attempt(s) left");
  auto two = VerifyDataPoints(*f.svc, r.id, {{"name", "Alex Morgan"}, {"card_last4", "4242"}}, true, "requester");
  CHECK(two.status().message() == "not enough of the details given match the information we hold; 1 attempt(s) left");
  CHECK(f.svc->Get(r.id)->state == "verifying");
  auto ok = VerifyDataPoints(*f.svc, r.id, three, true, "requester");
  INFO(ok.status().ToString());
  REQUIRE(ok.ok());
  CHECK(ok->request.state == "fulfilling");
  auto iv = f.Events(r.id, "identity_verified");
  REQUIRE(iv.size() == 1);
  CHECK(Data(iv[0]).at("degree").as_string() == "reasonably_high");
  CHECK(Data(iv[0]).at("signed_declaration").as_bool());
  CHECK(json::serialize(Data(iv[0]).at("points")) == R"(["card_last4","name","phone"])");
  CHECK(f.Count("SELECT count(*) FROM data_point_attempts WHERE request_id = '" + r.id + "'") == 3);
  CHECK(f.Count("SELECT count(*) FROM data_point_attempts WHERE success = 0 AND request_id = '" + r.id + "'") == 2);
  CHECK(f.Count("SELECT count(*) FROM jobs WHERE step = 'export_access' AND request_id = '" + r.id + "'") == 1);
}

TEST_CASE("data points: too few matches at the policy's limit lock them, and the window denies the request saying why",
          "[service][data_points]") {
  Fixture f;
  Company c(f);
  const auto r = CreateWith(f, "deletion", "gdpr");
  const std::map<std::string, std::string> wrong{{"name", "Alex Morgan"}, {"phone", "+1 555 0142"}};
  for (int left = 2; left >= 1; --left) {
    auto a = VerifyDataPoints(*f.svc, r.id, wrong, false, "requester");
    CHECK(a.status().message() ==
          "not enough of the details given match the information we hold; " + std::to_string(left) +
              " attempt(s) left");
  }
  auto last = VerifyDataPoints(*f.svc, r.id, wrong, false, "requester");
  CHECK(last.status().message() ==
        "not enough of the details given match the information we hold; no attempts left: details can no longer be "
        "offered for this request (the code we mailed still confirms it)");
  // Locked, not denied: whoever knows a reference cannot get the request denied.
  CHECK(f.svc->Get(r.id)->state == "verifying");
  CHECK(VerifyDataPoints(*f.svc, r.id, {{"name", "Alex Morgan"}, {"card_last4", "4242"}}, false, "requester")
            .status()
            .message() == "no data-point attempts left for request " + r.reference);
  CHECK(f.Count("SELECT count(*) FROM data_point_attempts WHERE matched_count = 1 AND request_id = '" + r.id + "'") ==
        3);
  CHECK(StoredAnywhere(f, "555 0142") == 0);

  SECTION("the mailed code still confirms the data subject") {
    REQUIRE(Verify(*f.svc, r.id, f.NewestCode(r.id), "requester").ok());
    CHECK(f.svc->Get(r.id)->identity_verified);
  }
  SECTION("unconfirmed, the verification window denies it for insufficient verification, and says why") {
    f.clock.Advance(30 * kMillisPerDay + 1);
    service::Workers w(*f.svc, nullptr);
    REQUIRE(w.FireTimers().ok());
    const auto now = f.svc->Get(r.id);
    CHECK(now->state == "denied");
    CHECK_FALSE(now->identity_verified);
    auto expired = f.Events(r.id, "verification_expired");
    REQUIRE(expired.size() == 1);
    CHECK(Data(expired[0]).at("reason_code").as_string() == "insufficient_verification");
    CHECK(expired[0].reason ==
          "the details given to confirm your identity did not match the information we hold, after 3 attempt(s), and "
          "the request was not confirmed with the code we sent in the time allowed");
    const std::string mail =
        f.Text("SELECT body FROM outbox WHERE template = 'denied' AND request_id = '" + r.id + "'");
    CHECK(mail.find("did not match the information we hold, after 3 attempt(s)") != std::string::npos);
    CHECK(f.Count("SELECT count(*) FROM jobs WHERE request_id = '" + r.id + "'") == 0);
  }
}

TEST_CASE("data points: a correction is never verified with the data it corrects", "[service][data_points]") {
  Fixture f;
  Company c(f);
  const auto r = CreateWith(f, "correction", "ccpa",
                            json::object{{"corrections", json::object{{"phone", "+44 7700 900999"},
                                                                      {"billing.billing_address", "2 Queen Road"}}}});
  // The phone and the billing address are what the correction is about: they do not count.
  auto a = VerifyDataPoints(*f.svc, r.id, {{"name", "Alex Morgan"}, {"phone", "+44 7700 900123"},
                                          {"billing_address", "1 King Street, Exampleton"}},
                                   false, "requester");
  REQUIRE_FALSE(a.ok());
  CHECK(f.Text("SELECT matched FROM data_point_attempts WHERE request_id = '" + r.id + "'") == R"(["name"])");
  auto b = VerifyDataPoints(*f.svc, r.id, {{"name", "Alex Morgan"}, {"card_last4", "**** 4242"}}, false, "requester");
  INFO(b.status().ToString());
  REQUIRE(b.ok());
  CHECK(b->request.state == "awaiting_approval");
  CHECK(b->matched == std::vector<std::string>{"card_last4", "name"});
}

TEST_CASE("data points: bad input, no policy, no systems map", "[service][data_points]") {
  {
    Fixture f;  // no systems map configured
    const auto r = CreateWith(f, "deletion", "gdpr");
    CHECK(VerifyDataPoints(*f.svc, r.id, {{"name", "x"}}, false, "requester").status().kind() ==
          Status::Kind::kUnprocessable);
  }
  Fixture f;
  Company c(f);
  const auto r = CreateWith(f, "deletion", "gdpr");
  auto unknown = VerifyDataPoints(*f.svc, r.id, {{"password", "x"}}, false, "requester");
  CHECK(unknown.status().kind() == Status::Kind::kInvalid);
  CHECK(unknown.status().message() ==
        "unknown data point 'password' (expected: billing_address, card_last4, name, phone)");
  CHECK(VerifyDataPoints(*f.svc, r.id, {}, false, "requester").status().kind() == Status::Kind::kInvalid);
  CHECK(f.Count("SELECT count(*) FROM data_point_attempts") == 0);
  // Objections offer no data points; opt-outs never verify.
  const auto obj = CreateWith(f, "objection", "gdpr");
  CHECK(VerifyDataPoints(*f.svc, obj.id, {{"name", "Alex Morgan"}, {"card_last4", "4242"}}, false, "requester")
            .status()
            .message() == "verification by data points is not offered for objection requests under gdpr");
  const auto opt = CreateWith(f, "opt_out_sale", "ccpa");
  CHECK(VerifyDataPoints(*f.svc, opt.id, {{"name", "Alex Morgan"}}, false, "requester").status().IsRefused());
}

TEST_CASE("data points: an agent's request with a signed permission proceeds once the subject matches points",
          "[service][data_points][agents]") {
  Fixture f;
  Company c(f);
  service::CreateRequestInput in;
  in.type = "deletion";
  in.jurisdiction = "ccpa";
  in.subject.email = "alex.morgan@example.com";
  in.requester = Requester{"agent@proxy.example.net", "Pat Proxy", "authorized_agent", ""};
  auto created = f.svc->CreateRequest(in);
  REQUIRE(created.ok());
  const auto id = created->request.id;
  REQUIRE(RecordAgentAuthorization(*f.svc, id, "signed_permission", "signed form", "", "staff:a", std::nullopt).ok());
  CHECK(f.svc->Get(id)->state == "verifying");
  auto v = VerifyDataPoints(*f.svc, id, {{"name", "Alex Morgan"}, {"card_last4", "4242"}}, false, "requester");
  REQUIRE(v.ok());
  CHECK(v->request.state == "fulfilling");
}
