// Issue 5 §6: POST /suppression/check answers per identifier (a value, or a keyed hash computed by
// a system holding the server key); errors are problem+json.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_fixture.h"
#include "identity/suppression.h"

using namespace dsar;
using namespace dsar::api;
using namespace dsar::api::test;
namespace json = boost::json;

TEST_CASE("POST /suppression/check: values and hashes, in order", "[api][suppression]") {
  ServiceFixture f;
  Context ctx{*f.svc};
  REQUIRE(f.store->Transact([&](store::Tx& tx) -> Status {
    auto n = service::AddSuppressionsInTx(tx, f.svc->secrets(),
                                          {{"email", "Erased.Person@example.com"}, {"phone", "+1 555 0100"}},
                                          "DSR-TEST-0001", 0);
    return n.ok() ? Status::Ok() : n.status();
  }).ok());
  auto call = [&](const std::string& body) {
    Request r;
    r.method = "POST";
    r.target = "/api/v1/suppression/check";
    r.body = body;
    r.client = "192.0.2.1";
    r.headers["Authorization"] = "Bearer " + f.token;
    return Handle(r, ctx);
  };
  const std::string hash = service::SuppressionHash(f.svc->secrets(), {"phone", "+15550100"});
  auto ok = call(R"({"identifiers":[{"value":" erased.person@EXAMPLE.com"},{"value":"+1 (555) 0100"},)"
                 R"({"kind":"account_id","value":"acc_1"},{"kind":"phone","hash":")" + hash + R"("}]})");
  REQUIRE(ok.status == 200);
  CHECK(json::parse(ok.body) == json::parse(R"({"results":[{"kind":"email","suppressed":true},)"
                                            R"({"kind":"phone","suppressed":true},)"
                                            R"({"kind":"account_id","suppressed":false},)"
                                            R"({"kind":"phone","suppressed":true}]})"));
  for (const char* bad : {R"({})", R"({"identifiers":[]})", R"({"identifiers":[{"kind":"ssn","value":"1"}]})",
                          R"({"identifiers":[{"hash":"ab"}]})", R"({"identifiers":[{"value":"a@b.example","hash":"ab"}]})",
                          R"({"identifiers":[{"value":"a@b.example","x":1}]})",
                          R"({"identifiers":[{"kind":"phone","hash":"zz"}]})",
                          R"({"identifiers":[{"kind":"email","value":"not an address"}]})"}) {
    INFO(bad);
    auto r = call(bad);
    CHECK(r.status == 400);
    CHECK(r.Header("Content-Type") == "application/problem+json");
  }
  Request anon;
  anon.method = "POST";
  anon.target = "/api/v1/suppression/check";
  anon.body = R"({"identifiers":[{"value":"a@b.example"}]})";
  anon.client = "192.0.2.1";
  CHECK(Handle(anon, ctx).status == 401);  // staff only
}
