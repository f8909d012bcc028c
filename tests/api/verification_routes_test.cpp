// Issue 5 §1 over Handle() (no sockets): POST /requests/{id}/verification/resend (public,
// 202 / 429 + Retry-After / 409) and POST /requests with `verification` (pre-verified).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/routes.h"
#include "api_fixture.h"

namespace dsar::api {
namespace {

namespace json = boost::json;
using test::ServiceFixture;

Request Req(std::string method, std::string target, std::string body = "", std::string token = "") {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.client = "192.0.2.7";
  if (!token.empty()) r.headers["Authorization"] = "Bearer " + token;
  return r;
}

json::object Body(const Response& r) {
  INFO(r.body);
  json::value v = json::parse(r.body);
  return v.as_object();
}

// The newest code queued for `id`, from its outbox row before delivery (the delivered Maildir's
// directory order does not tell the newest of several codes).
std::string NewestCode(ServiceFixture& f, const std::string& id) {
  std::string body;
  f.store->Read([&](store::Tx& tx) {
    store::Statement s(tx.connection(), "SELECT body FROM outbox WHERE request_id = '" + id +
                                            "' AND template = 'verification_code' ORDER BY id DESC LIMIT 1");
    if (s.Step()) body = s.Text(0);
    return s.status();
  });
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

}  // namespace dsar::api
