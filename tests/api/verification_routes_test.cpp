// Issue 5 §1 over Handle() (no sockets): POST /requests/{id}/verification/resend (public,
// 202 / 429 + Retry-After / 409) and POST /requests with `verification` (pre-verified).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/routes.h"
#include "api_fixture.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"
#include "support/sql.h"

namespace dsar::api {
namespace {

namespace json = boost::json;
using namespace test;  // ServiceFixture, Req, Body

// The newest code queued for `id`, from its outbox row before delivery (the delivered Maildir's
// directory order does not tell the newest of several codes).
std::string NewestCode(ServiceFixture& f, const std::string& id) {
  const std::string body = test_sql::First(f.store->path(), "SELECT body FROM outbox WHERE request_id = '" + id +
                                                                "' AND template = 'verification_code' ORDER BY id DESC LIMIT 1");
  std::smatch m;
  REQUIRE(std::regex_search(body, m, std::regex("\\n\\s+([0-9]{6})\\r?\\n")));
  return m[1];
}

}  // namespace

TEST_CASE("resend: public, 429 with Retry-After in the cooldown, 202 after, 409 past max_resends",
          "[api][verify][resend]") {
  ServiceFixture f;
  Context ctx(*f.svc);
  const store::RequestRow row = f.CreateDirect("resend-api@example.com", "access");
  const std::string path = "/api/v1/requests/" + row.reference + "/verification/resend";

  Response early = Handle(Req("POST", path), ctx);
  CHECK(early.status == 429);
  CHECK(early.route == "POST /requests/{id}/verification/resend");
  CHECK(early.Header("Content-Type") == "application/problem+json");
  CHECK(early.Header("Retry-After") == "60");
  CHECK(Body(early).at("detail").as_string() == "a new code was sent less than 60 seconds ago; try again later");

  f.clock.Advance(45 * 1000);
  CHECK(Handle(Req("POST", path, "{}"), ctx).Header("Retry-After") == "15");
  CHECK(Handle(Req("POST", path, R"({"code":"1"})"), ctx).status == 400);  // no fields

  for (int i = 1; i <= 3; ++i) {
    f.clock.Advance(60 * 1000);
    Response ok = Handle(Req("POST", path), ctx);
    REQUIRE(ok.status == 202);
    const json::object o = Body(ok);
    CHECK(o.at("reference").as_string() == row.reference);
    CHECK(o.at("state").as_string() == "verifying");
    CHECK(o.at("code_sent").as_bool());
    CHECK(o.size() == 3);  // nothing about the data subject
  }
  f.clock.Advance(60 * 1000);
  Response over = Handle(Req("POST", path), ctx);
  CHECK(over.status == 409);
  CHECK(Body(over).at("detail").as_string() ==
        "no more new codes for request " + row.reference + " (3 already sent); staff can verify by other means");
  // Staff see the resends in the history.
  Response hist = Handle(Req("GET", "/api/v1/requests/" + row.id + "/transitions", "", f.token), ctx);
  int resent = 0;
  const json::object history = Body(hist);  // kept: never iterate a temporary's array
  for (const auto& t : history.at("items").as_array())
    if (t.at("event").as_string() == "code_resent") ++resent;
  CHECK(resent == 3);
  // The latest mailed code verifies.
  const std::string code = NewestCode(f, row.id);
  Response v = Handle(Req("POST", "/api/v1/requests/" + row.id + "/verify", R"({"code":")" + code + R"("})"), ctx);
  CHECK(v.status == 200);
  CHECK(Body(v).at("state").as_string() == "fulfilling");
  CHECK(Handle(Req("POST", "/api/v1/requests/nope/verification/resend"), ctx).status == 404);
}

TEST_CASE("POST /requests with verification: created verified, the note required", "[api][verify][preverified]") {
  ServiceFixture f;
  Context ctx(*f.svc);
  json::object body;
  body["type"] = "access";
  body["jurisdiction"] = "ccpa";
  body["subject"] = json::object{{"email", "portal-user@example.com"}};
  body["verification"] = json::object{{"method", "session"}, {"note", "signed-in session, account 4711"}};
  Response created = Handle(Req("POST", "/api/v1/requests", json::serialize(body), f.token), ctx);
  REQUIRE(created.status == 201);
  const json::object o = Body(created);
  CHECK(o.at("state").as_string() == "fulfilling");
  CHECK(o.at("identity_verified").as_bool());
  Response hist = Handle(
      Req("GET", "/api/v1/requests/" + std::string(o.at("id").as_string()) + "/transitions", "", f.token), ctx);
  const json::object h = Body(hist);
  const auto& last = h.at("items").as_array().back().as_object();
  CHECK(last.at("event").as_string() == "submit_verified");
  CHECK(last.at("actor").as_string() == "staff:tests");
  CHECK(last.at("data").at("note").as_string() == "signed-in session, account 4711");

  body["subject"] = json::object{{"email", "other@example.com"}};
  body["verification"] = json::object{{"method", "session"}};
  Response no_note = Handle(Req("POST", "/api/v1/requests", json::serialize(body), f.token), ctx);
  CHECK(no_note.status == 400);
  CHECK(Body(no_note).at("detail").as_string() == "field 'verification.note' is required");
  body["verification"] = json::object{{"method", "session"}, {"note", "x"}, {"extra", 1}};
  CHECK(Handle(Req("POST", "/api/v1/requests", json::serialize(body), f.token), ctx).status == 400);
  // Without a token the route is refused as before.
  CHECK(Handle(Req("POST", "/api/v1/requests", json::serialize(body)), ctx).status == 401);
}

TEST_CASE("POST /requests/{id}/agent-authorization: staff only, problem+json errors, the request proceeds",
          "[api][verify][agents]") {
  ServiceFixture f;
  Context ctx(*f.svc);
  json::object body;
  body["type"] = "access";
  body["jurisdiction"] = "ccpa";
  body["subject"] = json::object{{"email", "alex.morgan@example.com"}};
  body["requester"] = json::object{{"email", "agent@proxy.example.net"}, {"relationship", "authorized_agent"}};
  Response created = Handle(Req("POST", "/api/v1/requests", json::serialize(body), f.token), ctx);
  REQUIRE(created.status == 201);
  const std::string id(Body(created).at("id").as_string());
  CHECK(Body(created).at("agent_authorization").as_string() == "missing");
  const std::string path = "/api/v1/requests/" + id + "/agent-authorization";

  // The data subject's code verifies them; the request waits for the agent's authorization.
  Response v = Handle(Req("POST", "/api/v1/requests/" + id + "/verify",
                          R"({"code":")" + NewestCode(f, id) + R"("})"), ctx);
  REQUIRE(v.status == 200);
  CHECK(Body(v).at("state").as_string() == "verifying");
  CHECK(Body(v).at("identity_verified").as_bool());

  const std::string good = R"({"kind":"signed_permission","note":"signed form","evidence_ref":"DMS-1"})";
  CHECK(Handle(Req("POST", path, good), ctx).status == 401);  // staff only
  Response bad = Handle(Req("POST", path, R"({"kind":"letter","note":"x"})", f.token), ctx);
  CHECK(bad.status == 400);
  CHECK(bad.Header("Content-Type") == "application/problem+json");
  CHECK(Body(bad).at("detail").as_string() == "kind must be 'signed_permission', 'power_of_attorney' or 'parental_responsibility'");
  CHECK(Handle(Req("POST", path, R"({"kind":"signed_permission"})", f.token), ctx).status == 400);
  CHECK(Handle(Req("POST", path, R"({"kind":"signed_permission","note":"x","extra":1})", f.token), ctx).status == 400);

  Response ok = Handle(Req("POST", path, good, f.token), ctx);
  REQUIRE(ok.status == 200);
  CHECK(ok.route == "POST /requests/{id}/agent-authorization");
  CHECK(Body(ok).at("state").as_string() == "fulfilling");
  CHECK(Body(ok).at("agent_authorization").as_string() == "signed_permission");
  Response hist = Handle(Req("GET", "/api/v1/requests/" + id + "/transitions", "", f.token), ctx);
  const json::object h = Body(hist);  // kept: never iterate a temporary's array
  const auto& last = h.at("items").as_array().back().as_object();
  CHECK(last.at("event").as_string() == "agent_authorization_recorded");
  CHECK(last.at("actor").as_string() == "staff:tests");
  CHECK(last.at("data").at("kind").as_string() == "signed_permission");
  CHECK(last.at("data").at("evidence_ref").as_string() == "DMS-1");

  // A request from the data subject has no agent: 422.
  const store::RequestRow own = f.CreateDirect("own@example.com", "access");
  CHECK(Body(Handle(Req("GET", "/api/v1/requests/" + own.id, "", f.token), ctx)).at("agent_authorization").is_null());
  Response none = Handle(Req("POST", "/api/v1/requests/" + own.id + "/agent-authorization", good, f.token), ctx);
  CHECK(none.status == 422);
  CHECK(none.Header("Content-Type") == "application/problem+json");
  CHECK(Handle(Req("POST", "/api/v1/requests/nope/agent-authorization", good, f.token), ctx).status == 404);
}

TEST_CASE("POST /requests/{id}/verification/data-points: public, problem+json errors, nothing echoed",
          "[api][verify][data_points]") {
  ServiceFixture f;
  namespace ft = fulfillment::testing;
  ft::TempDir company;
  const std::string db = ft::MakeSmallCompanyDb(company);
  auto map = fulfillment::LoadSystemsMap(ft::DemoMapPath());
  REQUIRE(map.ok());
  auto fl = std::make_shared<fulfillment::Fulfiller>(*map, db, company / "exports");
  service::DataPointSource src;
  src.names = fl->DataPointNames();
  src.values = [fl](const DataSubject& s) { return fl->DataPointValues(s); };
  f.svc->SetDataPointSource(std::move(src));
  Context ctx(*f.svc);
  const store::RequestRow row = f.CreateDirect("alex.morgan@example.com", "deletion");
  const std::string path = "/api/v1/requests/" + row.reference + "/verification/data-points";

  CHECK(Handle(Req("POST", path, R"({"points":"Alex"})"), ctx).status == 400);
  CHECK(Handle(Req("POST", path, R"({"points":{"name":1}})"), ctx).status == 400);
  CHECK(Handle(Req("POST", path, R"({"points":{"name":"x"},"signed_declaration":"yes"})"), ctx).status == 400);
  Response unknown = Handle(Req("POST", path, R"({"points":{"ssn":"123"}})"), ctx);
  CHECK(unknown.status == 400);
  CHECK(unknown.Header("Content-Type") == "application/problem+json");

  Response few = Handle(Req("POST", path, R"({"points":{"name":"Alex Morgan","card_last4":"1881"}})"), ctx);
  CHECK(few.status == 409);
  CHECK(few.route == "POST /requests/{id}/verification/data-points");
  CHECK(few.Header("Content-Type") == "application/problem+json");
  CHECK(Body(few).at("detail").as_string() ==
        "not enough of the details given match the information we hold; 2 attempt(s) left");
  CHECK(few.body.find("1881") == std::string::npos);

  Response ok = Handle(Req("POST", path, R"({"points":{"name":"alex morgan","card_last4":"4242"}})"), ctx);
  REQUIRE(ok.status == 200);
  const json::object o = Body(ok);
  CHECK(o.at("state").as_string() == "fulfilling");
  CHECK(o.at("identity_verified").as_bool());
  CHECK(o.size() == 3);  // reference, state, identity_verified: nothing about the points
  CHECK(Handle(Req("POST", "/api/v1/requests/nope/verification/data-points", R"({"points":{"name":"x"}})"), ctx)
            .status == 404);
}

}  // namespace dsar::api
