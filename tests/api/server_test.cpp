// The real Server on 127.0.0.1:0 over a temporary store, driven by a synchronous Beast client:
// every endpoint and every error of the HTTP API contract over a socket.
#include <boost/json/parse.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "api_fixture.h"

namespace dsar::api {
namespace {

namespace json = boost::json;
using test::Auth;
using test::Call;
using test::Client;
using test::CreateBody;
using test::HttpResult;
using test::ServerFixture;

bool IsProblem(const HttpResult& r) {
  if (r.Header("Content-Type") != "application/problem+json") return false;
  json::value v = r.Json();
  return v.is_object() && v.as_object().contains("type") && v.as_object().contains("title") &&
         v.as_object().at("status").as_int64() == r.status;
}

std::string Detail(const HttpResult& r) { return r.Str("detail"); }

HttpResult Create(ServerFixture& f, const std::string& email, const std::string& type = "deletion") {
  HttpResult r = Call(f.port, "POST", "/api/v1/requests", CreateBody(email, type), Auth(f.token));
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r;
}

TEST_CASE("server: healthz is public", "[api][server]") {
  ServerFixture f;
  HttpResult r = Call(f.port, "GET", "/api/v1/healthz");
  CHECK(r.status == 200);
  CHECK(r.Header("Content-Type") == "application/json");
  CHECK(r.Str("status") == "ok");
  CHECK(Call(f.port, "GET", "/healthz").status == 200);
}

TEST_CASE("server: staff endpoints need a bearer token (401 + WWW-Authenticate)", "[api][server]") {
  ServerFixture f;
  for (auto [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/requests"},
           {"POST", "/api/v1/requests"},
           {"GET", "/api/v1/requests/x"},
           {"GET", "/api/v1/requests/x/transitions"},
           {"POST", "/api/v1/requests/x/events"},
           {"GET", "/api/v1/requests/x/export"},
           {"POST", "/api/v1/legal-holds"},
           {"GET", "/api/v1/legal-holds"},
           {"DELETE", "/api/v1/legal-holds/x"},
           {"POST", "/api/v1/intake/mail"}}) {
    INFO(method << " " << target);
    HttpResult r = Call(f.port, method, target, "{}");
    CHECK(r.status == 401);
    CHECK(r.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
    CHECK(IsProblem(r));
    HttpResult wrong = Call(f.port, method, target, "{}", Auth("wrong-token"));
    CHECK(wrong.status == 401);
    CHECK(wrong.Header("WWW-Authenticate").find("invalid_token") != std::string::npos);
  }
}

TEST_CASE("server: unknown routes 404, wrong methods 405 with Allow", "[api][server]") {
  ServerFixture f;
  HttpResult r = Call(f.port, "GET", "/api/v1/nope", "", Auth(f.token));
  CHECK(r.status == 404);
  CHECK(IsProblem(r));
  CHECK(Call(f.port, "GET", "/api/v2/requests", "", Auth(f.token)).status == 404);
  CHECK(Call(f.port, "GET", "/api/v1/requests/", "", Auth(f.token)).status == 404);
  HttpResult m = Call(f.port, "DELETE", "/api/v1/requests", "", Auth(f.token));
  CHECK(m.status == 405);
  CHECK(m.Header("Allow") == "POST, GET");
  CHECK(IsProblem(m));
  HttpResult m2 = Call(f.port, "PUT", "/api/v1/legal-holds/abc", "{}", Auth(f.token));
  CHECK(m2.status == 405);
  CHECK(m2.Header("Allow") == "DELETE");
  CHECK(Call(f.port, "GET", "/api/v1/requests/x/verify").Header("Allow") == "POST");
}

TEST_CASE("server: create, get by id and reference, transitions", "[api][server]") {
  ServerFixture f;
  HttpResult c = Create(f, "grace@example.com");
  json::object res = c.Json().as_object();
  const std::string id(res.at("id").as_string());
  const std::string ref(res.at("reference").as_string());
  CHECK(c.Header("Location") == "/api/v1/requests/" + id);
  for (const char* k : {"id", "reference", "type", "state", "jurisdiction", "subject", "requester", "channel",
                        "received_at", "due_at", "version", "workflow", "allowed_events"})
    CHECK(res.contains(k));
  CHECK(res.at("subject").as_object().at("email").as_string() == "grace@example.com");
  CHECK(res.at("received_at").as_string() == "2026-03-02T10:00:00Z");
  CHECK(res.at("channel").as_string() == "api");

  HttpResult g = Call(f.port, "GET", "/api/v1/requests/" + id, "", Auth(f.token));
  CHECK(g.status == 200);
  CHECK(g.Str("reference") == ref);
  HttpResult g2 = Call(f.port, "GET", "/api/v1/requests/" + ref, "", Auth(f.token));
  CHECK(g2.status == 200);
  CHECK(g2.Str("id") == id);

  HttpResult missing = Call(f.port, "GET", "/api/v1/requests/00000000-no-such-request", "", Auth(f.token));
  CHECK(missing.status == 404);
  CHECK(IsProblem(missing));

  HttpResult t = Call(f.port, "GET", "/api/v1/requests/" + id + "/transitions", "", Auth(f.token));
  REQUIRE(t.status == 200);
  const json::value tv = t.Json();
  const json::array& items = tv.as_object().at("items").as_array();
  REQUIRE(items.size() >= 2);
  CHECK(items[0].as_object().at("event").as_string() == "create");
  CHECK(items[0].as_object().at("version").as_int64() == 1);
  CHECK(items.back().as_object().at("to").as_string() == res.at("state").as_string());
  CHECK(Call(f.port, "GET", "/api/v1/requests/nope/transitions", "", Auth(f.token)).status == 404);
}

TEST_CASE("server: bad input is 400, unknown type 422, each with a detail", "[api][server]") {
  ServerFixture f;
  auto post = [&](const std::string& body) { return Call(f.port, "POST", "/api/v1/requests", body, Auth(f.token)); };
  HttpResult bad = post("{\"type\": \"access\", ");
  CHECK(bad.status == 400);
  CHECK(IsProblem(bad));
  CHECK(Detail(bad).find("not valid JSON") != std::string::npos);
  HttpResult unknown = post(R"({"type":"teleport","subject":{"email":"x@example.com"}})");
  CHECK(unknown.status == 422);
  CHECK(IsProblem(unknown));
  CHECK(Detail(unknown).find("teleport") != std::string::npos);
  HttpResult subject = post(R"({"type":"access","subject":["x@example.com"]})");
  CHECK(subject.status == 400);
  CHECK(Detail(subject) == "field 'subject' must be an object");
  CHECK(post(R"({"type":"access","subject":{"email":"not-an-email"}})").status == 400);
  CHECK(post(R"({"type":"access","subject":{"email":"x@example.com"},"jurisdiction":"mars"})").status == 422);
  CHECK(post(R"({"type":"access","subject":{"email":"x@example.com"},"received_at":"2026-13-01T00:00:00Z"})").status ==
        400);
  CHECK(post(R"({"type":"access","subject":{"email":"x@example.com"},"received_at":"2099-01-01T00:00:00Z"})").status ==
        400);  // in the future
  CHECK(post(R"({"type":"access","subject":{"email":"x@example.com"},"requester":{"name":"No Mail"}})").status == 400);
}

TEST_CASE("server: an Idempotency-Key replay returns the same resource and leaves one row", "[api][server]") {
  ServerFixture f;
  auto headers = Auth(f.token);
  headers.emplace_back("Idempotency-Key", "form-submission-7f3a");
  const std::string body = CreateBody("hopper@example.com", "access");
  HttpResult first = Call(f.port, "POST", "/api/v1/requests", body, headers);
  REQUIRE(first.status == 201);
  HttpResult second = Call(f.port, "POST", "/api/v1/requests", body, headers);
  REQUIRE(second.status == 201);
  CHECK(second.Header("Idempotent-Replayed") == "true");
  CHECK(second.Str("id") == first.Str("id"));
  CHECK(second.Header("Location") == first.Header("Location"));

  HttpResult list = Call(f.port, "GET", "/api/v1/requests?email=hopper%40example.com", "", Auth(f.token));
  REQUIRE(list.status == 200);
  CHECK(list.Json().as_object().at("items").as_array().size() == 1);

  HttpResult reuse = Call(f.port, "POST", "/api/v1/requests", CreateBody("someone@example.com", "access"), headers);
  CHECK(reuse.status == 422);
  CHECK(IsProblem(reuse));
  HttpResult list2 = Call(f.port, "GET", "/api/v1/requests?email=someone%40example.com", "", Auth(f.token));
  CHECK(list2.Json().as_object().at("items").as_array().empty());
}

TEST_CASE("server: staff events, 409 when refused or stale, 422 for a non-staff event", "[api][server]") {
  ServerFixture f;
  json::object res = Create(f, "turing@example.com").Json().as_object();
  const std::string id(res.at("id").as_string());
  const std::int64_t version = res.at("version").as_int64();
  const std::string target = "/api/v1/requests/" + id + "/events";
  auto post = [&](const std::string& body) { return Call(f.port, "POST", target, body, Auth(f.token)); };

  HttpResult refused = post(R"({"event":"approve"})");  // not offered while verifying
  CHECK(refused.status == 409);
  CHECK(IsProblem(refused));
  CHECK(!Detail(refused).empty());
  HttpResult no_reason = post(R"({"event":"deny"})");  // deny needs a reason code and a reason: malformed
  CHECK(no_reason.status == 400);
  CHECK(Detail(no_reason).find("a denial needs data.reason_code (one of insufficient_verification, no_match") !=
        std::string::npos);
  HttpResult reasons = Call(f.port, "GET", "/api/v1/denial-reasons", "", Auth(f.token));
  REQUIRE(reasons.status == 200);
  const auto items = reasons.Json().as_object().at("items");
  CHECK(items.as_array().size() == 8);  // with fraudulent_request (issue 5: § 7026)
  CHECK(items.as_array()[0].as_object().at("code").as_string() == "insufficient_verification");
  CHECK(Call(f.port, "GET", "/api/v1/denial-reasons", "").status == 401);

  HttpResult assign = post(R"({"event":"assign","data":{"staff":"maria"},"expected_version":)" +
                           std::to_string(version) + "}");
  INFO(assign.body);
  REQUIRE(assign.status == 200);
  CHECK(assign.Json().as_object().at("version").as_int64() == version + 1);
  HttpResult t = Call(f.port, "GET", "/api/v1/requests/" + id + "/transitions", "", Auth(f.token));
  CHECK(t.Json().as_object().at("items").as_array().back().as_object().at("actor").as_string().rfind("staff:", 0) == 0);

  HttpResult stale = post(R"({"event":"assign","data":{"staff":"li"},"expected_version":)" + std::to_string(version) + "}");
  CHECK(stale.status == 409);
  CHECK(IsProblem(stale));

  HttpResult system_event = post(R"({"event":"identity_verified"})");
  CHECK(system_event.status == 422);
  CHECK(post(R"({"event":42})").status == 400);
  CHECK(post(R"({"event":"cancel","reason":"asked by phone","expected_version":"3"})").status == 400);
  CHECK(post(R"({"event":"cancel","data":"x"})").status == 400);
  CHECK(post("not json").status == 400);
  CHECK(Call(f.port, "POST", "/api/v1/requests/nope/events", R"({"event":"approve"})", Auth(f.token)).status == 404);

  HttpResult cancel = post(R"({"event":"cancel","reason":"withdrawn by the data subject"})");
  REQUIRE(cancel.status == 200);
  CHECK(cancel.Str("state") == "cancelled");
  CHECK(cancel.Json().as_object().at("allowed_events").as_array().empty());
}

TEST_CASE("server: verify is public, a wrong code is a problem, the right one verifies", "[api][server]") {
  ServerFixture f;
  json::object res = Create(f, "lovelace@example.com").Json().as_object();
  const std::string id(res.at("id").as_string());
  REQUIRE(res.at("state").as_string() == "verifying");
  const std::string code = f.MailedCode(id);
  REQUIRE(code.size() == 6);
  const std::string wrong_code = code == "000000" ? "111111" : "000000";
  const std::string target = "/api/v1/requests/" + id + "/verify";

  HttpResult wrong = Call(f.port, "POST", target, R"({"code":")" + wrong_code + "\"}");
  CHECK((wrong.status == 409 || wrong.status == 422));
  CHECK(IsProblem(wrong));
  CHECK(Detail(wrong).find("wrong code") != std::string::npos);
  CHECK(Detail(wrong).find(code) == std::string::npos);
  CHECK(Call(f.port, "POST", target, R"({"code":123456})").status == 400);
  CHECK(Call(f.port, "POST", target, R"({})").status == 400);
  CHECK(Call(f.port, "POST", "/api/v1/requests/nope/verify", R"({"code":"123456"})").status == 404);

  HttpResult ok = Call(f.port, "POST", "/api/v1/requests/" + std::string(res.at("reference").as_string()) + "/verify",
                       R"({"code":")" + code + "\"}");
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  json::object v = ok.Json().as_object();
  CHECK(v.at("identity_verified").as_bool());
  CHECK(!v.contains("subject"));  // a public answer carries no personal data
  CHECK(Call(f.port, "GET", "/api/v1/requests/" + id, "", Auth(f.token)).Json().as_object().at("identity_verified").as_bool());
  // The code is spent.
  CHECK(Call(f.port, "POST", target, R"({"code":")" + code + "\"}").status == 409);
}

TEST_CASE("server: verify is rate-limited per request and per client (429 + Retry-After)", "[api][server]") {
  ServerFixture f;
  const std::string a(Create(f, "a@example.com").Json().as_object().at("id").as_string());
  const std::string b(Create(f, "b@example.com").Json().as_object().at("id").as_string());
  // Per request: 10 per minute, whatever the client.
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    HttpResult r = Call(f.port, "POST", "/api/v1/requests/" + a + "/verify", R"({"code":"999999"})");
    if (r.status == 429) {
      ++limited;
      CHECK(IsProblem(r));
      CHECK(!r.Header("Retry-After").empty());
    }
  }
  CHECK(limited == 2);
  // The client bucket (10 per minute per address) is empty now, whichever request it names.
  HttpResult other = Call(f.port, "POST", "/api/v1/requests/" + b + "/verify", R"({"code":"999999"})");
  CHECK(other.status == 429);
  f.clock.Advance(kMillisPerMinute);
  HttpResult later = Call(f.port, "POST", "/api/v1/requests/" + b + "/verify", R"({"code":"999999"})");
  CHECK(later.status == 409);
}

TEST_CASE("server: keyset paging over 1,000 requests returns each id exactly once", "[api][server][paging]") {
  ServerFixture f;
  std::set<std::string> created;
  for (int i = 0; i < 1000; ++i) created.insert(f.CreateDirect("person" + std::to_string(i) + "@example.com").id);
  REQUIRE(created.size() == 1000);

  std::multiset<std::string> seen;
  std::string cursor;
  int pages = 0;
  Client client(f.port);  // one keep-alive connection for every page
  for (;;) {
    std::string target = "/api/v1/requests?limit=97";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    HttpResult r = client.Send("GET", target, "", Auth(f.token));
    REQUIRE(r.status == 200);
    json::object page = r.Json().as_object();
    const json::array& items = page.at("items").as_array();
    CHECK(items.size() <= 97);
    for (const auto& it : items) seen.insert(std::string(it.as_object().at("id").as_string()));
    ++pages;
    REQUIRE(pages <= 20);
    if (page.at("next_cursor").is_null()) break;
    cursor = std::string(page.at("next_cursor").as_string());
  }
  CHECK(pages == 11);  // 10 full pages of 97 and one of 30
  CHECK(seen.size() == 1000);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == created);

  // Filters and default limit.
  HttpResult def = client.Send("GET", "/api/v1/requests?type=deletion&state=verifying&overdue=false", "", Auth(f.token));
  REQUIRE(def.status == 200);
  CHECK(def.Json().as_object().at("items").as_array().size() == 50);
  CHECK(client.Send("GET", "/api/v1/requests?type=access", "", Auth(f.token)).Json().as_object().at("items").as_array().empty());
  CHECK(client.Send("GET", "/api/v1/requests?overdue=true", "", Auth(f.token)).Json().as_object().at("items").as_array().empty());
  f.clock.Advance(400 * kMillisPerDay);
  HttpResult overdue = client.Send("GET", "/api/v1/requests?overdue=true&limit=200", "", Auth(f.token));
  REQUIRE(overdue.status == 200);
  CHECK(overdue.Json().as_object().at("items").as_array().size() == 200);
  CHECK(client.Send("GET", "/api/v1/requests?due_before=2026-03-03T00:00:00Z", "", Auth(f.token))
            .Json().as_object().at("items").as_array().empty());

  for (const char* bad : {"limit=0", "limit=201", "limit=ten", "cursor=%%%", "cursor=NDI", "overdue=maybe",
                          "due_before=tomorrow", "type=teleport", "jurisdiction=mars", "colour=red"}) {
    INFO(bad);
    HttpResult r = client.Send("GET", std::string("/api/v1/requests?") + bad, "", Auth(f.token));
    CHECK(r.status == 400);
    CHECK(IsProblem(r));
  }
}

TEST_CASE("server: legal holds are placed, listed and released", "[api][server]") {
  ServerFixture f;
  json::object req = Create(f, "held@example.com").Json().as_object();
  HttpResult placed = Call(f.port, "POST", "/api/v1/legal-holds",
                           R"({"subject_email":"held@example.com","matter":"Case 12-345","reason":"subpoena"})",
                           Auth(f.token));
  INFO(placed.body);
  REQUIRE(placed.status == 201);
  const std::string hold_id = placed.Str("id");
  CHECK(placed.Header("Location") == "/api/v1/legal-holds/" + hold_id);
  CHECK(placed.Json().as_object().at("active").as_bool());
  CHECK(placed.Json().as_object().at("placed_by").as_string().rfind("staff:", 0) == 0);

  auto count = [&](const std::string& q) {
    HttpResult r = Call(f.port, "GET", "/api/v1/legal-holds" + q, "", Auth(f.token));
    REQUIRE(r.status == 200);
    return r.Json().as_object().at("items").as_array().size();
  };
  CHECK(count("?active=true") == 1);
  CHECK(count("") == 1);
  CHECK(count("?active=false") == 0);
  CHECK(Call(f.port, "GET", "/api/v1/legal-holds?active=yes", "", Auth(f.token)).status == 400);
  CHECK(Call(f.port, "POST", "/api/v1/legal-holds", R"({"subject_email":"x@example.com","reason":"r"})", Auth(f.token))
            .status == 400);
  CHECK(Call(f.port, "POST", "/api/v1/legal-holds", R"({"matter":"m","reason":"r"})", Auth(f.token)).status == 400);
  CHECK(Call(f.port, "POST", "/api/v1/legal-holds", "{", Auth(f.token)).status == 400);

  // The hold was recorded on the subject's open request.
  HttpResult t = Call(f.port, "GET", "/api/v1/requests/" + std::string(req.at("id").as_string()) + "/transitions", "",
                      Auth(f.token));
  CHECK(t.Json().as_object().at("items").as_array().back().as_object().at("event").as_string() == "hold_placed");

  HttpResult released =
      Call(f.port, "DELETE", "/api/v1/legal-holds/" + hold_id, R"({"reason":"case closed"})", Auth(f.token));
  REQUIRE(released.status == 200);
  CHECK_FALSE(released.Json().as_object().at("active").as_bool());
  CHECK(released.Str("release_reason") == "case closed");
  CHECK(count("?active=true") == 0);
  CHECK(count("?active=false") == 1);
  HttpResult twice = Call(f.port, "DELETE", "/api/v1/legal-holds/" + hold_id, R"({"reason":"again"})", Auth(f.token));
  CHECK(twice.status == 409);
  CHECK(IsProblem(twice));
  CHECK(Call(f.port, "DELETE", "/api/v1/legal-holds/no-such-hold", R"({"reason":"x"})", Auth(f.token)).status == 404);

  // A release without a reason is refused and releases nothing.
  HttpResult second = Call(f.port, "POST", "/api/v1/legal-holds",
                           R"({"account_id":"acct-9","matter":"Audit","reason":"regulator"})", Auth(f.token));
  REQUIRE(second.status == 201);
  for (const char* body : {"", "{}", R"({"reason":"  "})"}) {
    HttpResult refused = Call(f.port, "DELETE", "/api/v1/legal-holds/" + second.Str("id"), body, Auth(f.token));
    CHECK(refused.status == 400);
    CHECK(IsProblem(refused));
  }
  CHECK(count("?active=true") == 1);
  CHECK(Call(f.port, "DELETE", "/api/v1/legal-holds/" + second.Str("id"), R"({"reason":"audit closed"})", Auth(f.token))
            .status == 200);
}

TEST_CASE("server: export streams the package with its type and disposition", "[api][server]") {
  ServerFixture f;
  json::object req = Create(f, "export@example.com", "access").Json().as_object();
  const std::string id(req.at("id").as_string());
  const std::string ref(req.at("reference").as_string());
  HttpResult none = Call(f.port, "GET", "/api/v1/requests/" + id + "/export", "", Auth(f.token));
  CHECK(none.status == 404);
  CHECK(IsProblem(none));
  CHECK(Call(f.port, "GET", "/api/v1/requests/nope/export", "", Auth(f.token)).status == 404);

  // A finished export job, as fulfillment leaves it.
  std::filesystem::create_directories(f.dir / "exports");
  const auto file = f.dir / "exports" / "package.json";
  std::string content = R"({"subject":"export@example.com","rows":[)";
  for (int i = 0; i < 5000; ++i) content += (i ? "," : "") + std::to_string(i);
  content += "]}";
  std::ofstream(file, std::ios::binary) << content;
  Status s = f.store->Transact([&](store::Tx& tx) {
    store::JobRow j;
    j.request_id = id;
    j.kind = "fulfill";
    j.step = "export_access";
    j.idempotency_key = id + ":export_access:test";
    j.status = "pending";
    j.created_at = f.clock.Now();
    if (Status st = tx.InsertJob(j); !st.ok()) return st;
    auto jobs = tx.JobsFor(id);
    if (!jobs.ok()) return jobs.status();
    json::object result;
    result["files"] = json::array{json::string(file.string())};
    return tx.FinishJob(jobs->back().id, "done", json::serialize(result), "", f.clock.Now());
  });
  REQUIRE(s.ok());
  HttpResult got = Call(f.port, "GET", "/api/v1/requests/" + ref + "/export", "", Auth(f.token));
  INFO(got.body.substr(0, 300));
  REQUIRE(got.status == 200);
  CHECK(got.Header("Content-Type") == "application/json");
  CHECK(got.Header("Content-Disposition") == "attachment; filename=\"" + ref + "-access.json\"");
  CHECK(got.body == content);
}

TEST_CASE("server: intake of a raw message needs message/rfc822", "[api][server]") {
  ServerFixture f;
  const std::string mail =
      "Received: from mx.example.org by mail.nimbus.example; Mon, 2 Mar 2026 09:00:00 +0000\r\n"
      "From: Katherine Johnson <katherine@example.org>\r\n"
      "To: contact@nimbus.example\r\n"
      "Subject: Please delete my account and all my data\r\n"
      "Date: Mon, 2 Mar 2026 08:59:00 +0000\r\n"
      "Message-ID: <api-test-1@example.org>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "Hello,\r\n\r\nunder Article 17 GDPR I ask you to delete my account and all personal data you hold about "
      "me.\r\n\r\nKatherine Johnson\r\n";
  HttpResult wrong = Call(f.port, "POST", "/api/v1/intake/mail", mail, Auth(f.token));  // no Content-Type
  CHECK(wrong.status == 415);
  CHECK(IsProblem(wrong));
  auto headers = Auth(f.token);
  headers.emplace_back("Content-Type", "application/json");
  CHECK(Call(f.port, "POST", "/api/v1/intake/mail", mail, headers).status == 415);

  headers = Auth(f.token);
  headers.emplace_back("Content-Type", "message/rfc822");
  HttpResult first = Call(f.port, "POST", "/api/v1/intake/mail", mail, headers);
  INFO(first.body);
  REQUIRE((first.status == 200 || first.status == 201));
  json::object o = first.Json().as_object();
  CHECK(o.contains("outcome"));
  CHECK(o.contains("reference"));
  CHECK(!o.at("line").as_string().empty());
  HttpResult again = Call(f.port, "POST", "/api/v1/intake/mail", mail, headers);
  REQUIRE(again.status == 200);
  CHECK(again.Str("outcome") == "redelivery");
  CHECK(again.Json().as_object().at("reference") == o.at("reference"));
  CHECK(Call(f.port, "POST", "/api/v1/intake/mail", "", headers).status == 400);
}

TEST_CASE("server: oversized bodies get 413 (Content-Length, chunked, 100-continue)", "[api][server][limits]") {
  ServerFixture f;
  const std::string big = R"({"type":"access","subject":{"email":"x@example.com"},"details":{"pad":")" +
                          std::string(kJsonBodyLimit, 'x') + "\"}}";
  {
    Client c(f.port);
    HttpResult r = c.Send("POST", "/api/v1/requests?x=1", big, Auth(f.token));
    CHECK(r.status == 413);
    CHECK(IsProblem(r));
    CHECK(r.Str("instance") == "/api/v1/requests");  // the path, never the query
    CHECK(r.Header("Connection") == "close");
    CHECK(c.ServerClosed());
  }
  {
    Client c(f.port);
    HttpResult r = c.Send("POST", "/api/v1/requests", big, Auth(f.token), /*chunked=*/true);
    CHECK(r.status == 413);
    CHECK(IsProblem(r));
    CHECK(r.Str("instance") == "/api/v1/requests");
  }
  {
    // A 40 MB message announced with Expect: 100-continue is refused before it is sent.
    Client c(f.port);
    c.WriteRaw("POST /api/v1/intake/mail HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + f.token +
               "\r\nContent-Type: message/rfc822\r\nContent-Length: 40000000\r\nExpect: 100-continue\r\n\r\n");
    HttpResult r = c.Read();
    CHECK(r.status == 413);
  }
  // A JSON body just under the limit is read (and then judged on its content).
  const std::string fits = R"({"type":"access","subject":{"email":"fits@example.com"},"details":{"pad":")" +
                           std::string(kJsonBodyLimit - 200, 'x') + "\"}}";
  CHECK(Call(f.port, "POST", "/api/v1/requests", fits, Auth(f.token)).status == 201);
}

TEST_CASE("server: malformed requests and huge headers are refused, then the connection closes", "[api][server]") {
  ServerFixture f;
  {
    Client c(f.port);
    c.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
    HttpResult r = c.Read();
    CHECK(r.status == 400);
    CHECK(c.ServerClosed());
  }
  {
    Client c(f.port);
    c.WriteRaw("GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
    HttpResult r = c.Read();
    CHECK(r.status == 431);
  }
}

TEST_CASE("server: keep-alive serves several requests on one connection", "[api][server]") {
  ServerFixture f;
  Client c(f.port);
  for (int i = 0; i < 5; ++i) CHECK(c.Send("GET", "/api/v1/healthz").status == 200);
  CHECK(c.Send("GET", "/api/v1/requests", "", Auth(f.token)).status == 200);
  CHECK(c.Send("GET", "/api/v1/nope").status == 404);
  CHECK(c.Send("GET", "/api/v1/healthz").status == 200);
  CHECK(f.server->TEST_SessionCount() == 1);
}

TEST_CASE("server: logs carry the route pattern, never the target, addresses or bodies", "[api][server]") {
  ServerFixture f;
  Call(f.port, "GET", "/api/v1/requests?email=secret.person%40example.com", "", Auth(f.token));
  Call(f.port, "POST", "/api/v1/requests", CreateBody("secret.person@example.com"), Auth(f.token));
  std::lock_guard lock(f.log_mu);
  REQUIRE(f.log.size() >= 2);
  for (const auto& line : f.log) {
    INFO(line);
    CHECK(line.find("secret") == std::string::npos);
    CHECK(line.find("example.com") == std::string::npos);
    CHECK(line.find("127.0.0.1") == std::string::npos);
    CHECK(line.find(f.token) == std::string::npos);
  }
  CHECK(f.log[0].find("GET /requests") != std::string::npos);
  CHECK(f.log[0].find("status=200") != std::string::npos);
}

TEST_CASE("server: Stop closes idle connections and joins, in start-stop loops", "[api][server]") {
  test::ServiceFixture s;
  for (int i = 0; i < 5; ++i) {
    Server server(*s.svc, 2);
    auto port = server.Start("127.0.0.1", 0);
    REQUIRE(port.ok());
    Client idle(*port);  // connected, sends nothing
    Client busy(*port);
    CHECK(busy.Send("GET", "/api/v1/healthz").status == 200);
    server.Stop();
    CHECK(idle.ServerClosed());
    CHECK(busy.ServerClosed());
    CHECK(server.TEST_SessionCount() == 0);
    server.Stop();  // idempotent
  }
  Server unstarted(*s.svc, 1);
  unstarted.Stop();  // never started: nothing to do

  // Bad configuration is reported, not thrown.
  Server bad(*s.svc, 1);
  auto r = bad.Start("not-an-address", 0);
  CHECK_FALSE(r.ok());
  CHECK(r.status().IsInvalid());
  Server first(*s.svc, 1);
  auto p = first.Start("127.0.0.1", 0);
  REQUIRE(p.ok());
  Server clash(*s.svc, 1);
  auto busy_port = clash.Start("127.0.0.1", *p);
  // SO_REUSEADDR does not let two listeners share a port on Linux.
  CHECK_FALSE(busy_port.ok());
  CHECK(busy_port.status().IsIoError());
  CHECK(busy_port.status().message().find(std::to_string(*p)) != std::string::npos);
  CHECK_FALSE(first.Start("127.0.0.1", 0).ok());  // a second Start
}

TEST_CASE("server: PATCH sets the jurisdiction or the true receipt time and recomputes the deadline",
          "[api][server][deadlines]") {
  ServerFixture f;  // clock at 2026-03-02T10:00:00Z, controller zone UTC
  const auto r = f.CreateDirect("patch@example.com", "access");
  auto patch = [&](const std::string& target, const std::string& body) {
    return Call(f.port, "PATCH", target, body, Auth(f.token));
  };
  HttpResult j = patch("/api/v1/requests/" + r.id, R"({"jurisdiction":"ccpa"})");
  REQUIRE(j.status == 200);
  CHECK(j.Str("jurisdiction") == "ccpa");
  CHECK(j.Str("due_at") == "2026-04-16T23:59:59.999Z");      // 2 March + 45 days
  CHECK(j.Str("ack_due_at") == "2026-03-16T23:59:59.999Z");  // 10 business days (no California holiday)
  HttpResult t = patch("/api/v1/requests/" + r.reference, R"({"received_at":"2026-02-27T16:00:00Z"})");
  REQUIRE(t.status == 200);
  CHECK(t.Str("received_at") == "2026-02-27T16:00:00Z");
  CHECK(t.Str("due_at") == "2026-04-13T23:59:59.999Z");  // 27 February + 45 days
  HttpResult future = patch("/api/v1/requests/" + r.id, R"({"received_at":"2026-03-03T10:00:00Z"})");
  CHECK(future.status == 400);
  CHECK(IsProblem(future));
  CHECK(patch("/api/v1/requests/" + r.id, R"({"jurisdiction":"atlantis"})").status == 422);
  CHECK(patch("/api/v1/requests/" + r.id, R"({"jurisdiction":"gdpr","expected_version":1})").status == 409);
  CHECK(patch("/api/v1/requests/" + r.id, R"({"colour":"blue"})").status == 400);
  CHECK(patch("/api/v1/requests/nope", R"({"jurisdiction":"gdpr"})").status == 404);
  CHECK(Call(f.port, "PATCH", "/api/v1/requests/" + r.id, R"({"jurisdiction":"gdpr"})", {}).status == 401);
  HttpResult unknown = patch("/api/v1/requests/" + r.id, R"({"jurisdiction":null})");
  REQUIRE(unknown.status == 200);
  CHECK(unknown.Json().as_object().at("jurisdiction_unknown").as_bool());
}

// ---- The staff queues of inbound mail (issue 4, triage) ----

TEST_CASE("server: the triage queue shows decoded messages, ignored ones with their reason, paged",
          "[api][server][intake][triage]") {
  ServerFixture f;
  auto headers = Auth(f.token);
  headers.emplace_back("Content-Type", "message/rfc822");
  auto post = [&](const std::string& raw) {
    HttpResult r = Call(f.port, "POST", "/api/v1/intake/mail", raw, headers);
    INFO(r.body);
    REQUIRE((r.status == 200 || r.status == 201));
    return r.Json().as_object();
  };
  // A question (triage), with an encoded subject and a quoted-printable body.
  json::object question = post(
      "From: =?UTF-8?Q?Ren=C3=A9e_Fa=C3=9Fbender?= <renee@example.org>\r\nTo: privacy@nimbus.example\r\n"
      "Subject: =?UTF-8?Q?Frage_zu_Ihrer_Datenschutzerkl=C3=A4rung?=\r\nMessage-ID: <q-1@example.org>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
      "Hallo, verkaufen Sie Daten an Dritte? Ich w=C3=BCrde das gern wissen.\r\n");
  REQUIRE(question.at("outcome") == "triage");
  const std::int64_t qid = question.at("message_row").as_int64();
  // A bounce (ignored).
  json::object bounce = post(
      "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\r\nTo: privacy@nimbus.example\r\n"
      "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b-1@mx.example.net>\r\n\r\n"
      "This is the mail system. Your message could not be delivered.\r\n");
  REQUIRE(bounce.at("outcome") == "ignored");

  HttpResult list = Call(f.port, "GET", "/api/v1/intake/messages", "", Auth(f.token));
  INFO(list.body);
  REQUIRE(list.status == 200);
  json::object lo = list.Json().as_object();
  REQUIRE(lo.at("items").as_array().size() == 1);
  const json::object& item = lo.at("items").as_array()[0].as_object();
  CHECK(item.at("id").as_int64() == qid);
  CHECK(item.at("outcome") == "triage");
  CHECK(!item.at("detail").as_string().empty());
  CHECK(item.at("subject") == "Frage zu Ihrer Datenschutzerklärung");
  CHECK(item.at("from").as_object().at("name") == "Renée Faßbender");
  CHECK(item.at("from").as_object().at("email") == "renee@example.org");
  CHECK(std::string(item.at("text").as_string()).find("Ich würde das gern wissen.") != std::string::npos);
  CHECK(item.at("message_id") == "q-1@example.org");
  CHECK(item.at("sha256").as_string().size() == 64);
  CHECK(item.at("size").as_int64() > 0);
  CHECK(item.at("reference").is_null());
  CHECK(item.contains("received_at"));
  CHECK(item.contains("intake_at"));
  CHECK(lo.at("next_cursor").is_null());

  HttpResult ignored = Call(f.port, "GET", "/api/v1/intake/messages?outcome=ignored", "", Auth(f.token));
  REQUIRE(ignored.status == 200);
  const json::value iv = ignored.Json();
  const json::array& ii = iv.as_object().at("items").as_array();
  REQUIRE(ii.size() == 1);
  CHECK(ii[0].as_object().at("detail") == bounce.at("line").as_string().subview().substr(9));
  CHECK(ii[0].as_object().at("subject") == "Undelivered Mail Returned to Sender");

  // One item; 404 for an unknown id.
  HttpResult one = Call(f.port, "GET", "/api/v1/intake/messages/" + std::to_string(qid), "", Auth(f.token));
  REQUIRE(one.status == 200);
  CHECK(one.Json().as_object().at("id").as_int64() == qid);
  CHECK(Call(f.port, "GET", "/api/v1/intake/messages/999999", "", Auth(f.token)).status == 404);
  CHECK(Call(f.port, "GET", "/api/v1/intake/messages/abc", "", Auth(f.token)).status == 404);
  // 401 without a token, 400 for a bad outcome.
  HttpResult anon = Call(f.port, "GET", "/api/v1/intake/messages");
  CHECK(anon.status == 401);
  CHECK(IsProblem(anon));
  CHECK(Call(f.port, "GET", "/api/v1/intake/messages/" + std::to_string(qid)).status == 401);
  HttpResult bad = Call(f.port, "GET", "/api/v1/intake/messages?outcome=spam", "", Auth(f.token));
  CHECK(bad.status == 400);
  CHECK(IsProblem(bad));
  CHECK(Call(f.port, "GET", "/api/v1/intake/messages?limit=0", "", Auth(f.token)).status == 400);
  CHECK(Call(f.port, "GET", "/api/v1/intake/messages?cursor=nonsense", "", Auth(f.token)).status == 400);

  // Paging: five more questions, pages of two, each exactly once, in order.
  std::vector<std::int64_t> expected = {qid};
  for (int i = 0; i < 5; ++i) {
    json::object q = post("From: Person " + std::to_string(i) + " <p" + std::to_string(i) +
                          "@example.org>\r\nTo: privacy@nimbus.example\r\nSubject: Question " + std::to_string(i) +
                          "\r\nMessage-ID: <q-page-" + std::to_string(i) +
                          "@example.org>\r\n\r\nDo you sell my data to advertisers?\r\n");
    REQUIRE(q.at("outcome") == "triage");
    expected.push_back(q.at("message_row").as_int64());
  }
  std::vector<std::int64_t> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    HttpResult page = Call(f.port, "GET",
                           "/api/v1/intake/messages?outcome=triage&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor),
                           "", Auth(f.token));
    REQUIRE(page.status == 200);
    json::object po = page.Json().as_object();
    CHECK(po.at("items").as_array().size() <= 2);
    for (const auto& it : po.at("items").as_array()) seen.push_back(it.as_object().at("id").as_int64());
    if (po.at("next_cursor").is_null()) break;
    cursor = std::string(po.at("next_cursor").as_string());
  }
  CHECK(seen == expected);
}

TEST_CASE("server: a message that became a request is listed with its reference", "[api][server][intake][triage]") {
  ServerFixture f;
  auto headers = Auth(f.token);
  headers.emplace_back("Content-Type", "message/rfc822");
  HttpResult r = Call(f.port, "POST", "/api/v1/intake/mail",
                      "From: Ada Byrne <ada.byrne@example.org>\r\nTo: privacy@nimbus.example\r\nSubject: Account\r\n"
                      "Message-ID: <req-1@example.org>\r\n\r\nPlease delete my account and all my personal data.\r\n",
                      headers);
  REQUIRE(r.status == 201);
  HttpResult list = Call(f.port, "GET", "/api/v1/intake/messages?outcome=request", "", Auth(f.token));
  REQUIRE(list.status == 200);
  const json::value lv = list.Json();
  const json::array& items = lv.as_object().at("items").as_array();
  REQUIRE(items.size() == 1);
  CHECK(items[0].as_object().at("reference") == r.Json().as_object().at("reference"));
  CHECK(Call(f.port, "GET", "/api/v1/intake/messages", "", Auth(f.token)).Json().as_object().at("items").as_array().empty());
}

}  // namespace
}  // namespace dsar::api
