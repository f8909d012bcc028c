// Issue 5 §4 over HTTP (Handle() without sockets): staff tasks listed and completed with a note or
// an uploaded file as evidence, the step ledger, and the public webhook callback's answers.
#include <sys/stat.h>

#include "api_fixture.h"
#include "core/sha256.h"

using namespace dsar;
using namespace dsar::api;
using namespace dsar::api::test;

namespace {

std::string ContentType(const Response& r) {
  for (const auto& [k, v] : r.headers)
    if (k == "Content-Type") return v;
  return "";
}

}  // namespace

TEST_CASE("tasks: listed for staff, completed with an uploaded file as evidence or a JSON note", "[api][tasks]") {
  ServiceFixture f;
  Context ctx{*f.svc};
  auto r = f.CreateDirect("cy@example.com", "objection");
  REQUIRE(Verify(*f.svc, r.id, f.MailedCode(r.id), "requester").ok());
  REQUIRE(f.svc->Get(r.id)->state == "awaiting_task");

  Response list = Handle(Req("GET", "/api/v1/tasks", "", f.token), ctx);
  REQUIRE(list.status == 200);
  const json::object listed = Body(list);  // kept alive: never hold a reference into a temporary
  const json::array& items = listed.at("items").as_array();
  REQUIRE(items.size() == 1);
  CHECK(items[0].at("task") == "review_objection");
  CHECK(items[0].at("status") == "open");
  CHECK(std::string(items[0].at("reference").as_string()) == r.reference);
  CHECK(Handle(Req("GET", "/api/v1/tasks"), ctx).status == 401);

  const std::string base = "/api/v1/requests/" + r.id + "/tasks/";
  // No note: 400; an unknown task: 409; both as problem+json.
  Response no_note = Handle(Req("POST", base + "review_objection/complete", "{}", f.token), ctx);
  CHECK(no_note.status == 400);
  CHECK(ContentType(no_note) == "application/problem+json");
  Response unknown = Handle(Req("POST", base + "shred/complete", R"({"note":"done"})", f.token), ctx);
  CHECK(unknown.status == 409);
  CHECK_THAT(std::string(Body(unknown).at("detail").as_string()), Catch::Contains("no open task 'shred'"));

  // A file as evidence: stored by its SHA-256, owner-only; recorded on the transition.
  const std::string letter = "Signed letter: the objection is upheld.\n";
  Response done = Handle(Req("POST", base + "review_objection/complete?note=objection%20upheld", letter, f.token,
                             "text/plain"),
                         ctx);
  INFO(done.body);
  REQUIRE(done.status == 200);
  CHECK(Body(done).at("state") == "completed");
  const std::string sha = Sha256Hex(letter);
  const fs::path stored = f.dir / "evidence" / r.reference / sha;
  struct stat st {};
  REQUIRE(::stat(stored.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto transitions = f.svc->Transitions(r.id);
  REQUIRE(transitions.ok());
  const json::object data = json::parse(transitions->back().data_json).as_object();
  CHECK(transitions->back().event == "complete_task");
  CHECK(data.at("note") == "objection upheld");
  CHECK(std::string(data.at("evidence").at("sha256").as_string()) == sha);
  CHECK(data.at("evidence").at("content_type") == "text/plain");
  CHECK(data.at("evidence").at("size") == static_cast<std::int64_t>(letter.size()));

  Response mine = Handle(Req("GET", "/api/v1/requests/" + r.id + "/tasks", "", f.token), ctx);
  REQUIRE(mine.status == 200);
  CHECK(Body(mine).at("items").at(0).at("status") == "closed");
  CHECK(Body(Handle(Req("GET", "/api/v1/tasks", "", f.token), ctx)).at("items").as_array().empty());

  // A refused upload (the task is done already) leaves no file behind; the recorded one stays.
  Response again = Handle(Req("POST", base + "review_objection/complete", "another letter\n", f.token, "text/plain"), ctx);
  CHECK(again.status == 409);
  CHECK_FALSE(fs::exists(f.dir / "evidence" / r.reference / Sha256Hex("another letter\n")));
  CHECK(fs::exists(stored));

  // A JSON note alone, on another objection, sent as `curl -d` sends it (form-urlencoded).
  auto r2 = f.CreateDirect("dee@example.com", "objection");
  REQUIRE(Verify(*f.svc, r2.id, f.MailedCode(r2.id), "requester").ok());
  Response noted = Handle(Req("POST", "/api/v1/requests/" + r2.id + "/tasks/review_objection/complete",
                              R"({"note":"marketing profile switched off"})", f.token,
                              "application/x-www-form-urlencoded"),
                          ctx);
  REQUIRE(noted.status == 200);
  CHECK(Body(noted).at("state") == "completed");
  auto noted_history = f.svc->Transitions(r2.id);
  REQUIRE(noted_history.ok());
  const json::object noted_data = json::parse(noted_history->back().data_json).as_object();
  CHECK(noted_data.at("note") == "marketing profile switched off");
  CHECK_FALSE(noted_data.contains("evidence"));

  // The upload route takes bodies up to the mail limit; other JSON routes 64 KiB.
  CHECK(BodyLimitFor("POST", base + "review_objection/complete", 1000000) == 1000000);
  CHECK(BodyLimitFor("POST", "/api/v1/requests/" + r.id + "/events", 1000000) == kJsonBodyLimit);
}

TEST_CASE("steps and callbacks: the ledger for staff, and the public callback's answers", "[api][connectors]") {
  ServiceFixture f;
  Context ctx{*f.svc};
  auto r = f.CreateDirect("cy@example.com", "deletion");
  Response steps = Handle(Req("GET", "/api/v1/requests/" + r.id + "/steps", "", f.token), ctx);
  REQUIRE(steps.status == 200);
  CHECK(Body(steps).at("items").as_array().empty());
  CHECK(Handle(Req("GET", "/api/v1/requests/nope/steps", "", f.token), ctx).status == 404);

  // Public (no token), but only a stored token's hash opens it.
  Response unknown = Handle(Req("POST", "/api/v1/callbacks/AAAABBBBCCCC", R"({"status":"completed"})"), ctx);
  CHECK(unknown.status == 404);
  CHECK(ContentType(unknown) == "application/problem+json");
  Response bad = Handle(Req("POST", "/api/v1/callbacks/AAAABBBBCCCC", R"({"status":"maybe"})"), ctx);
  CHECK(bad.status == 400);
}
