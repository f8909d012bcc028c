// engine/api without sockets: the status table, problem bodies, cursors, limits, the rate
// limiter, and Handle() called directly on a few routes.
#include <boost/json/parse.hpp>

#include "api/cursor.h"
#include "api/problem.h"
#include "api/routes.h"
#include "api/server.h"
#include "api_fixture.h"

namespace dsar::api {
namespace {

namespace json = boost::json;
using namespace test;  // ServiceFixture, Req, Body

TEST_CASE("one table maps each Status kind to its HTTP status", "[api][problem]") {
  CHECK(HttpStatusFor(Status::Kind::kNotFound) == 404);
  CHECK(HttpStatusFor(Status::Kind::kConflict) == 409);
  CHECK(HttpStatusFor(Status::Kind::kRefused) == 409);
  CHECK(HttpStatusFor(Status::Kind::kInvalid) == 400);
  CHECK(HttpStatusFor(Status::Kind::kUnprocessable) == 422);
  CHECK(HttpStatusFor(Status::Kind::kUnauthorized) == 401);
  CHECK(HttpStatusFor(Status::Kind::kTooLarge) == 413);
  CHECK(HttpStatusFor(Status::Kind::kGone) == 410);
  CHECK(HttpStatusFor(Status::Kind::kRateLimited) == 429);
  CHECK(HttpStatusFor(Status::Kind::kIoError) == 500);
}

TEST_CASE("a RateLimited status answers 429 with Retry-After in whole seconds, rounded up", "[api][problem]") {
  CHECK(RetryAfterSeconds(1) == "1");
  CHECK(RetryAfterSeconds(1000) == "1");
  CHECK(RetryAfterSeconds(1001) == "2");
  CHECK(RetryAfterSeconds(60'000) == "60");
  CHECK(RetryAfterSeconds(0) == "1");
  const auto headers = ProblemHeaders(Status::RateLimited("slow down", 2'500));
  REQUIRE(headers.size() == 1);
  CHECK(headers[0] == std::pair<std::string, std::string>("Retry-After", "3"));
  CHECK(ProblemHeaders(Status::Gone("used")).empty());
  json::object g = ProblemJson(Status::Gone("this callback was already used (completed)"), "/api/v1/callbacks/x");
  CHECK(g.at("status").as_int64() == 410);
  CHECK(g.at("type").as_string() == "/problems/gone");
  CHECK(g.at("title").as_string() == "Gone");
  json::object r = ProblemJson(Status::RateLimited("slow down", 10));
  CHECK(r.at("status").as_int64() == 429);
  CHECK(r.at("type").as_string() == "/problems/rate-limited");
  CHECK(r.at("detail").as_string() == "slow down");
}

TEST_CASE("problem bodies follow RFC 9457 and hide internal errors", "[api][problem]") {
  json::object p = ProblemJson(Status::Refused("the workflow refuses 'approve' in state verifying"), "/api/v1/x");
  CHECK(p.at("status").as_int64() == 409);
  CHECK(p.at("title").as_string() == "Conflict");
  CHECK(p.at("type").as_string() == "/problems/conflict");
  CHECK(p.at("detail").as_string() == "the workflow refuses 'approve' in state verifying");
  CHECK(p.at("instance").as_string() == "/api/v1/x");
  json::object e = ProblemJson(Status::IoError("SQLITE_FULL: disk full near 'alice@example.com'"));
  CHECK(e.at("status").as_int64() == 500);
  CHECK(std::string(e.at("detail").as_string()).find("alice") == std::string::npos);
  CHECK(!e.contains("instance"));
}

TEST_CASE("cursors are opaque and round-trip, garbage is refused", "[api][cursor]") {
  for (std::int64_t seq : {0LL, 1LL, 97LL, 1000LL, 123456789012LL}) CHECK(DecodeCursor(EncodeCursor(seq)) == seq);
  CHECK(EncodeCursor(42).find("42") == std::string::npos);
  CHECK_FALSE(DecodeCursor(""));
  CHECK_FALSE(DecodeCursor("42"));
  CHECK_FALSE(DecodeCursor("!!!!"));
  CHECK_FALSE(DecodeCursor(EncodeCursor(5) + "A"));
}

TEST_CASE("body limits are chosen from the request line", "[api][limits]") {
  CHECK(BodyLimitFor("POST", "/api/v1/intake/mail") == kMailBodyLimit);
  CHECK(BodyLimitFor("POST", "/api/v1/intake/mail?x=1") == kMailBodyLimit);
  CHECK(BodyLimitFor("POST", "/api/v1/requests") == kJsonBodyLimit);
  CHECK(BodyLimitFor("GET", "/api/v1/intake/mail") == kJsonBodyLimit);
}

TEST_CASE("the rate limiter is a token bucket per key on the injected clock", "[api][ratelimit]") {
  ManualClock clock(1000000);
  RateLimiter rl(clock, 10, kMillisPerMinute, 3);
  for (int i = 0; i < 10; ++i) CHECK(rl.Allow("a"));
  Millis wait = 0;
  CHECK_FALSE(rl.Allow("a", &wait));
  CHECK(wait > 0);
  CHECK(wait <= 6001);
  for (int i = 0; i < 5; ++i) CHECK(rl.Allow("b"));  // another key has its own bucket
  clock.Advance(6000);
  CHECK(rl.Allow("a"));  // one token back after period/capacity
  CHECK_FALSE(rl.Allow("a"));
  CHECK(rl.Allow("c"));
  CHECK_FALSE(rl.Allow("d"));  // the table is full of unrefilled buckets: new keys wait
  clock.Advance(kMillisPerMinute);
  CHECK(rl.Allow("d"));  // refilled buckets were dropped
}

TEST_CASE("ParseListen reads HOST:PORT", "[api][server]") {
  auto a = ParseListen("127.0.0.1:8080");
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8080);
  auto b = ParseListen("[::1]:0");
  REQUIRE(b.ok());
  CHECK(b->host == "::1");
  CHECK(b->port == 0);
  CHECK(ParseListen("localhost:9000").ok());
  CHECK_FALSE(ParseListen("127.0.0.1").ok());
  CHECK_FALSE(ParseListen("127.0.0.1:99999").ok());
  CHECK_FALSE(ParseListen("127.0.0.1:http").ok());
  CHECK_FALSE(ParseListen("not-an-ip:80").ok());
}

TEST_CASE("Handle() without sockets: health, auth, routing", "[api][routes]") {
  ServiceFixture f;
  Context ctx(*f.svc);

  Response h = Handle(Req("GET", "/api/v1/healthz"), ctx);
  CHECK(h.status == 200);
  CHECK(Body(h).at("status").as_string() == "ok");
  CHECK(h.route == "GET /healthz");

  Response no_token = Handle(Req("GET", "/api/v1/requests"), ctx);
  CHECK(no_token.status == 401);
  CHECK(no_token.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
  CHECK(no_token.Header("Content-Type") == "application/problem+json");

  Response bad_token = Handle(Req("GET", "/api/v1/requests", "", "not-a-token"), ctx);
  CHECK(bad_token.status == 401);
  CHECK(bad_token.Header("WWW-Authenticate").find("invalid_token") != std::string_view::npos);

  Request r = Req("GET", "/api/v1/requests");
  r.headers["authorization"] = "Basic dXNlcjpwYXNz";
  CHECK(Handle(r, ctx).status == 401);

  CHECK(Handle(Req("GET", "/api/v1/nothing-here", "", f.token), ctx).status == 404);
  CHECK(Handle(Req("GET", "/elsewhere"), ctx).status == 404);
  Response m = Handle(Req("PUT", "/api/v1/requests", "", f.token), ctx);
  CHECK(m.status == 405);
  CHECK(m.Header("Allow") == "POST, GET");
}

TEST_CASE("Handle() without sockets: verify is limited per request across client addresses", "[api][routes]") {
  ServiceFixture f;
  Context ctx(*f.svc);
  const store::RequestRow row = f.CreateDirect("limits@example.com");
  for (int i = 0; i < 10; ++i) {
    Request r = Req("POST", "/api/v1/requests/" + (i % 2 ? row.id : row.reference) + "/verify", R"({"code":"000000"})");
    r.client = "198.51.100." + std::to_string(i);
    Response res = Handle(r, ctx);
    CHECK(res.status == 409);
    CHECK(res.route == "POST /requests/{id}/verify");
  }
  Request r = Req("POST", "/api/v1/requests/" + row.id + "/verify", R"({"code":"000000"})");
  r.client = "203.0.113.1";
  Response limited = Handle(r, ctx);
  CHECK(limited.status == 429);
  CHECK(!limited.Header("Retry-After").empty());
  f.clock.Advance(kMillisPerMinute);
  CHECK(Handle(r, ctx).status == 409);
}

TEST_CASE("Handle() without sockets: create, get, idempotent replay, bad input", "[api][routes]") {
  ServiceFixture f;
  Context ctx(*f.svc);
  const std::string body = test::CreateBody("ada@example.com", "access");
  Request create = Req("POST", "/api/v1/requests", body, f.token);
  create.headers["Idempotency-Key"] = "key-1";
  Response c = Handle(create, ctx);
  REQUIRE(c.status == 201);
  json::object res = Body(c);
  const std::string id(res.at("id").as_string());
  CHECK(c.Header("Location") == "/api/v1/requests/" + id);
  CHECK(res.at("type").as_string() == "access");
  CHECK(res.at("jurisdiction").as_string() == "gdpr");
  CHECK(res.at("version").as_int64() >= 1);
  CHECK(res.at("workflow").as_object().contains("hash"));
  CHECK(res.at("allowed_events").is_array());

  Response again = Handle(create, ctx);
  CHECK(again.status == 201);
  CHECK(again.Header("Idempotent-Replayed") == "true");
  CHECK(Body(again).at("id").as_string() == id);

  Request other = Req("POST", "/api/v1/requests", test::CreateBody("bob@example.com"), f.token);
  other.headers["Idempotency-Key"] = "key-1";
  CHECK(Handle(other, ctx).status == 422);

  Response got = Handle(Req("GET", "/api/v1/requests/" + std::string(res.at("reference").as_string()), "", f.token), ctx);
  CHECK(got.status == 200);
  CHECK(Body(got).at("id").as_string() == id);

  auto status_of = [&](const std::string& b) { return Handle(Req("POST", "/api/v1/requests", b, f.token), ctx).status; };
  CHECK(status_of("{not json") == 400);
  CHECK(status_of("[1,2]") == 400);
  CHECK(status_of("") == 400);
  CHECK(status_of(R"({"type":"teleport","subject":{"email":"a@example.com"}})") == 422);
  CHECK(status_of(R"({"type":"access","subject":"a@example.com"})") == 400);
  CHECK(status_of(R"({"type":"access","subject":{"email":42}})") == 400);
  CHECK(status_of(R"({"type":"access"})") == 400);
  CHECK(status_of(R"({"type":7,"subject":{"email":"a@example.com"}})") == 400);
  CHECK(status_of(R"({"type":"access","subject":{"email":"a@example.com"},"received_at":"yesterday"})") == 400);
  CHECK(status_of(R"({"type":"access","subject":{"email":"a@example.com"},"typo":1})") == 400);
  CHECK(status_of(R"({"type":"access","subject":{"email":"a@example.com"},"details":[]})") == 400);
  Response detail = Handle(Req("POST", "/api/v1/requests", R"({"type":"access","subject":{"email":42}})", f.token), ctx);
  CHECK(Body(detail).at("detail").as_string() == "field 'subject.email' must be a string");

  // The email filter: percent-encoded, case-insensitive, exact.
  REQUIRE(Handle(Req("POST", "/api/v1/requests", test::CreateBody("Ada+DSAR@Example.com"), f.token), ctx).status == 201);
  Response listed = Handle(Req("GET", "/api/v1/requests?email=ada%2Bdsar%40example.com", "", f.token), ctx);
  REQUIRE(listed.status == 200);
  CHECK(Body(listed).at("items").as_array().size() == 1);
  CHECK(Body(listed).at("next_cursor").is_null());
  // A state no workflow has is a mistake, not an empty list.
  Response bogus = Handle(Req("GET", "/api/v1/requests?state=bogus", "", f.token), ctx);
  CHECK(bogus.status == 400);
  CHECK(Body(bogus).at("detail").as_string().find("'state'") != std::string::npos);
  CHECK(Handle(Req("GET", "/api/v1/requests?state=awaiting_approval", "", f.token), ctx).status == 200);

  Response when = Handle(Req("POST", "/api/v1/requests",
                             R"({"type":"correction","subject":{"email":"cy@example.com"},"received_at":"2026-02-27T09:30:00+01:00"})",
                             f.token),
                         ctx);
  REQUIRE(when.status == 201);
  CHECK(Body(when).at("received_at").as_string() == "2026-02-27T08:30:00Z");
}


TEST_CASE("legal-holds routes: scopes and grounds, field-naming problems, matter filter, release report",
          "[api][routes][holds]") {
  ServiceFixture f;
  f.svc->SetHoldScopes({{"accounts", "account data"}, {"billing", "financial data"}});
  Context ctx(*f.svc);
  auto post = [&](const std::string& body) { return Handle(Req("POST", "/api/v1/legal-holds", body, f.token), ctx); };

  Response table = post(R"({"table":"billing","ground":"legal_obligation","matter":"TAX-1","reason":"audit"})");
  REQUIRE(table.status == 201);
  CHECK(Body(table).at("table") == "billing");
  CHECK(Body(table).at("subject_email").is_null());
  CHECK(Body(table).at("ground") == "legal_obligation");
  CHECK(Body(table).at("citation") == "GDPR Art. 17(3)(b): compliance with a legal obligation");
  Response subject = post(R"({"subject_email":"a@example.com","matter":"CASE-2","reason":"claim"})");
  REQUIRE(subject.status == 201);
  CHECK(Body(subject).at("ground") == "legal_claims");

  Response unknown = post(R"({"table":"invoices","matter":"M","reason":"r"})");
  CHECK(unknown.status == 422);
  CHECK(unknown.Header("Content-Type") == "application/problem+json");
  CHECK_THAT(std::string(Body(unknown).at("detail").as_string()), Catch::Contains("'table'"));
  Response ground = post(R"({"subject_email":"a@example.com","ground":"whim","matter":"M","reason":"r"})");
  CHECK(ground.status == 400);
  CHECK_THAT(std::string(Body(ground).at("detail").as_string()), Catch::Contains("'ground'"));
  Response both = post(R"({"table":"billing","category":"financial data","matter":"M","reason":"r"})");
  CHECK(both.status == 400);
  Response none = post(R"({"matter":"M","reason":"r"})");
  CHECK(none.status == 400);
  CHECK_THAT(std::string(Body(none).at("detail").as_string()), Catch::Contains("'table'"));
  CHECK(post(R"({"table":7,"matter":"M","reason":"r"})").status == 400);

  Response tax = Handle(Req("GET", "/api/v1/legal-holds?matter=TAX-1", "", f.token), ctx);
  REQUIRE(tax.status == 200);
  const json::value items = Body(tax).at("items");
  REQUIRE(items.as_array().size() == 1);
  CHECK(items.at(0).at("matter") == "TAX-1");

  const std::string id(Body(subject).at("id").as_string());
  Response released = Handle(Req("DELETE", "/api/v1/legal-holds/" + id, R"({"reason":"settled"})", f.token), ctx);
  REQUIRE(released.status == 200);
  CHECK(Body(released).at("active") == false);
  CHECK(Body(released).at("resumed") == json::array());
  CHECK(Body(released).at("retained_now_free") == json::array());
}

}  // namespace
}  // namespace dsar::api
