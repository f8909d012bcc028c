// What a list page costs: the statements GET /requests runs do not grow with the page's length
// (issue 10 §3): the agents' authority of a page is one query, the pinned workflows come from
// the cache, and nothing is read again while the answer is built.
#include "api_fixture.h"

namespace dsar::api::test {
namespace {

// The SQL statements `target` costs, with its answer.
std::pair<int, Response> Counted(ServiceFixture& f, Context& ctx, const std::string& target) {
  int statements = 0;
  f.store->TEST_OnStatement([&](std::string_view) { ++statements; });
  Response r = Handle(Req("GET", target, "", f.token), ctx);
  f.store->TEST_OnStatement(nullptr);
  return {statements, std::move(r)};
}

}  // namespace

TEST_CASE("a page of GET /requests costs the same statements whatever its length", "[api][routes][cost]") {
  ServiceFixture f;
  // 60 requests; every other one made by an agent, every fourth with the agent's authority recorded.
  for (int i = 0; i < 60; ++i) {
    service::CreateRequestInput in;
    in.type = "access";
    in.jurisdiction = "gdpr";
    in.subject.email = "cost" + std::to_string(i) + "@example.org";
    if (i % 2 == 0) in.requester = Requester{"agent" + std::to_string(i) + "@agency.example", "Agent", "authorized_agent", ""};
    auto out = f.svc->CreateRequest(in);
    REQUIRE(out.ok());
    if (i % 4 == 0) {
      auto a = service::RecordAgentAuthorization(*f.svc, out->request.id, "power_of_attorney", "notarised copy", "",
                                                 "staff:ann", std::nullopt);
      INFO(a.status().ToString());
      REQUIRE(a.ok());
    }
  }
  Context ctx(*f.svc);
  auto [five, small] = Counted(f, ctx, "/api/v1/requests?limit=5");
  auto [fifty, large] = Counted(f, ctx, "/api/v1/requests?limit=50");
  REQUIRE(small.status == 200);
  REQUIRE(large.status == 200);
  const json::value page = json::parse(large.body);
  const json::array& items = page.at("items").as_array();
  CHECK(json::parse(small.body).at("items").as_array().size() == 5);
  CHECK(items.size() == 50);
  CHECK(five > 0);
  CHECK(five == fifty);  // bounded: the token check, the page, the page's agent authorizations
  // The one batched read answers as the per-request read did.
  int poa = 0, missing = 0, none = 0;
  for (const auto& item : items) {
    const json::value& a = item.at("agent_authorization");
    if (a.is_null()) ++none;
    else if (a.as_string() == "power_of_attorney") ++poa;
    else if (a.as_string() == "missing") ++missing;
  }
  CHECK(none == 25);
  CHECK(poa + missing == 25);
  CHECK(poa >= 12);
  CHECK(missing >= 12);
  // A single request's answer agrees with the page's.
  const json::object& first = items.front().as_object();
  auto [one, got] = Counted(f, ctx, "/api/v1/requests/" + std::string(first.at("id").as_string()));
  REQUIRE(got.status == 200);
  CHECK(json::parse(got.body).at("agent_authorization") == first.at("agent_authorization"));
  CHECK(json::parse(got.body).at("allowed_events") == first.at("allowed_events"));
}

}  // namespace dsar::api::test
