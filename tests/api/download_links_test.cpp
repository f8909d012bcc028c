// Issue 5 §5 (downloads): the package of a completed access request is given through an expiring
// link token mailed to the data subject (hashed at rest, limited downloads); an expired link shows
// a plain page and the attempt is recorded; the package is deleted once its link expired.
#include <regex>

#include "api_fixture.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"
#include "support/sql.h"

using namespace dsar;
using namespace dsar::api;
using namespace dsar::api::test;

namespace {

struct DownloadFixture : ServerFixture {
  fulfillment::testing::TempDir company;
  std::shared_ptr<fulfillment::Fulfiller> fulfiller;
  Context ctx{*svc};
  int client = 0;

  DownloadFixture() {
    const std::string db = fulfillment::testing::MakeSmallCompanyDb(company);
    auto map = fulfillment::LoadSystemsMap(fulfillment::testing::DemoMapPath());
    REQUIRE(map.ok());
    fulfiller = std::make_shared<fulfillment::Fulfiller>(*map, db, svc->config().exports_dir);
    fulfiller->KeepReviewData(true);  // as `dsar serve` does with access_review on (the default)
  }

  // An access request for `email`, verified with the mailed code, its export run.
  store::RequestRow Completed(const std::string& email) {
    auto r = CreateDirect(email, "access");
    const std::string code = MailedCode(r.id);
    REQUIRE(code.size() == 6);
    auto v = Verify(*svc, r.id, code, "requester");
    INFO(v.status().ToString());
    REQUIRE(v.ok());
    service::Workers w(*svc, fulfiller);
    auto n = w.RunJobs();
    INFO(n.status().ToString());
    REQUIRE(n.ok());
    // A package waits for the redaction review (issue 5 §5); staff approve it as it is. (An
    // export that found nothing completes at once: there is nothing to review.)
    if (svc->Get(r.id)->state == "awaiting_approval") {
      Event approve;
      approve.name = "approve";
      approve.actor = "staff:alice";
      auto approved = svc->ApplyStaffEvent(r.id, approve, std::nullopt);
      INFO(approved.status().ToString());
      REQUIRE(approved.ok());
    }
    auto done = svc->Get(r.id);
    REQUIRE(done.ok());
    REQUIRE(done->state == "completed");
    return *done;
  }

  // The newest outbox row of `template_name` for the request (before delivery: body present).
  store::OutboxRow Newest(const std::string& request_id, const std::string& template_name) {
    store::OutboxRow out;
    REQUIRE(store->Read([&](store::Tx& tx) {
      auto rows = tx.OutboxFor(request_id);
      if (!rows.ok()) return rows.status();
      for (const auto& o : *rows)
        if (o.template_name == template_name) out = o;
      return Status::Ok();
    }).ok());
    REQUIRE(out.id != 0);
    return out;
  }

  static std::string TokenIn(const std::string& text) {
    std::smatch m;
    REQUIRE(std::regex_search(text, m, std::regex("http://127\\.0\\.0\\.1:8080/d/([0-9A-Z]{52})")));
    return m[1];
  }

  Response Get(const std::string& target) {
    Request req;
    req.method = "GET";
    req.target = target;
    req.client = "198.51.100." + std::to_string(++client);  // the per-client rate limit is tested elsewhere
    return Handle(req, ctx);
  }


  // Every byte the database holds (main file and WAL).
  std::string DatabaseBytes() {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in((dir / ("dsar.db" + std::string(suffix))).string(), std::ios::binary);
      all += std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return all;
  }

  // Every delivered mail file, concatenated, with quoted-printable soft line breaks undone.
  std::string DeliveredMail() {
    std::string all;
    for (const auto& e : fs::directory_iterator(dir / "outbox" / "new")) {
      std::ifstream in(e.path(), std::ios::binary);
      all += std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return std::regex_replace(all, std::regex("=\r?\n"), "");
  }
};

}  // namespace

TEST_CASE("a completed access request mails an expiring, counted download link stored only as a hash",
          "[api][downloads]") {
  DownloadFixture f;
  const store::RequestRow r = f.Completed("alex.morgan@example.com");
  const Millis completed_at = f.clock.Now();

  // One link, created with the `fulfilled` transition: a keyed hash, 7 days, 5 downloads.
  REQUIRE(f.Count("SELECT COUNT(*) FROM download_links WHERE request_id = '" + r.id + "'") == 1);
  CHECK(f.Count("SELECT COUNT(*) FROM download_links WHERE length(token_hash) = 64 AND max_downloads = 5 AND "
                "downloads = 0 AND created_by = 'system' AND expires_at = " +
                std::to_string(completed_at + 7 * kMillisPerDay)) == 1);

  // The completed mail (text part) names the URL, the last day and the number of downloads.
  const store::OutboxRow mail = f.Newest(r.id, "completed");
  CHECK(mail.carries_secret);
  REQUIRE(mail.body);
  const std::string token = DownloadFixture::TokenIn(*mail.body);
  CHECK(mail.body->find("The link works until 2026-03-09, for at most 5 downloads.") != std::string::npos);
  CHECK(mail.body->find("reply to this email") != std::string::npos);

  // Delivered: the requester has it; the outbox keeps no body; no token anywhere in the database.
  service::Workers w(*f.svc, f.fulfiller);
  REQUIRE(w.DeliverOutbox().ok());
  CHECK(f.DeliveredMail().find("/d/" + token) != std::string::npos);
  CHECK(f.Count("SELECT COUNT(*) FROM outbox WHERE template = 'completed' AND body IS NULL AND "
                "body_html IS NULL") == 1);
  const std::string db = f.DatabaseBytes();
  CHECK(db.find(token) == std::string::npos);
  CHECK(db.find(token.substr(0, 26)) == std::string::npos);

  // Five downloads work, each counted; the sixth is refused with the plain page.
  std::string package_path;
  for (int i = 1; i <= 5; ++i) {
    Response res = f.Get("/d/" + token);
    REQUIRE(res.status == 200);
    CHECK(res.Header("Content-Type") == "application/zip");
    CHECK(res.Header("Content-Disposition") == "attachment; filename=\"" + r.reference + "-access.zip\"");
    CHECK(res.route == "GET /d/{token}");
    CHECK(fs::is_regular_file(res.file_path));
    package_path = res.file_path;
    CHECK(f.Count("SELECT downloads FROM download_links") == i);
  }
  Response used_up = f.Get("/d/" + token);
  CHECK(used_up.status == 410);
  CHECK(used_up.Header("Content-Type") == "text/html; charset=utf-8");
  CHECK(used_up.body.find("This download link no longer works") != std::string::npos);
  CHECK(used_up.body.find("used the maximum number of times") != std::string::npos);
  CHECK(used_up.body.find("reply to our email about your request, quoting its reference") != std::string::npos);
  CHECK(used_up.body.find("mailto:privacy@nimbus.example") != std::string::npos);
  CHECK(used_up.body.find(r.reference) == std::string::npos);  // nothing about the request
  CHECK(f.Count("SELECT downloads FROM download_links") == 5);

  // An unknown token: 404, the same kind of page.
  Response unknown = f.Get("/d/" + std::string(52, 'A'));
  CHECK(unknown.status == 404);
  CHECK(unknown.Header("Content-Type") == "text/html; charset=utf-8");
  CHECK(unknown.body.find("We could not find this download link") != std::string::npos);

  // Every attempt is recorded, with no address.
  CHECK(f.Count("SELECT COUNT(*) FROM download_attempts WHERE outcome = 'ok' AND link_id IS NOT NULL") == 5);
  CHECK(f.Count("SELECT COUNT(*) FROM download_attempts WHERE outcome = 'exhausted'") == 1);
  CHECK(f.Count("SELECT COUNT(*) FROM download_attempts WHERE outcome = 'unknown' AND link_id IS NULL") == 1);

  // The real server streams the file and logs the route pattern, never the token.
  {
    auto exhausted = Call(f.port, "GET", "/d/" + token);
    CHECK(exhausted.status == 410);
    std::lock_guard lock(f.log_mu);
    for (const auto& line : f.log) CHECK(line.find(token) == std::string::npos);
  }
  REQUIRE(!package_path.empty());
}

TEST_CASE("staff issue a new link: the old one stops working, the new one is mailed to the data subject",
          "[api][downloads]") {
  DownloadFixture f;
  const store::RequestRow r = f.Completed("alex.morgan@example.com");
  const std::string first = DownloadFixture::TokenIn(*f.Newest(r.id, "completed").body);
  service::Workers w(*f.svc, f.fulfiller);
  REQUIRE(w.DeliverOutbox().ok());

  f.clock.Advance(2 * kMillisPerDay);
  auto issued = Call(f.port, "POST", "/api/v1/requests/" + r.reference + "/download-link", "", Auth(f.token));
  INFO(issued.body);
  REQUIRE(issued.status == 201);
  CHECK(issued.Str("expires_at") == "2026-03-11T10:00:00Z");
  CHECK(issued.body.find("/d/") == std::string::npos);  // the link goes only to the data subject

  const store::OutboxRow mail = f.Newest(r.id, "completed");
  CHECK(mail.carries_secret);
  CHECK(mail.to_json == "[\"alex.morgan@example.com\"]");
  const std::string second = DownloadFixture::TokenIn(*mail.body);
  CHECK(second != first);
  CHECK(mail.body->find("until 2026-03-11") != std::string::npos);
  CHECK(f.Count("SELECT COUNT(*) FROM download_links WHERE created_by = 'staff:tests'") == 1);
  CHECK(f.Count("SELECT COUNT(*) FROM download_links WHERE revoked_at IS NOT NULL") == 1);

  Response old = f.Get("/d/" + first);
  CHECK(old.status == 410);
  CHECK(old.body.find("A newer download link has replaced this one.") != std::string::npos);
  CHECK(f.Get("/d/" + second).status == 200);
  CHECK(f.Count("SELECT COUNT(*) FROM download_attempts WHERE outcome = 'revoked'") == 1);

  // Without a token: 401; a request not completed: 409.
  CHECK(Call(f.port, "POST", "/api/v1/requests/" + r.id + "/download-link").status == 401);
  auto open = f.CreateDirect("blake.rivers@example.org", "access");
  CHECK(Call(f.port, "POST", "/api/v1/requests/" + open.id + "/download-link", "", Auth(f.token)).status == 409);

  // Delivered: still no token in the database.
  REQUIRE(w.DeliverOutbox().ok());
  const std::string db = f.DatabaseBytes();
  CHECK(db.find(first) == std::string::npos);
  CHECK(db.find(second) == std::string::npos);
}

TEST_CASE("an expired link gives 410, and the purge deletes the package; the staff export then says so",
          "[api][downloads]") {
  DownloadFixture f;
  const store::RequestRow r = f.Completed("alex.morgan@example.com");
  const std::string token = DownloadFixture::TokenIn(*f.Newest(r.id, "completed").body);
  Response ok = f.Get("/d/" + token);
  REQUIRE(ok.status == 200);
  const fs::path package = ok.file_path;
  REQUIRE(fs::is_regular_file(package));

  service::Workers w(*f.svc, f.fulfiller);
  // Still valid a moment before the end: the purge keeps the file.
  f.clock.Advance(7 * kMillisPerDay - 1);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(fs::exists(package));
  CHECK(f.Get("/d/" + token).status == 200);

  f.clock.Advance(1);
  Response expired = f.Get("/d/" + token);
  CHECK(expired.status == 410);
  CHECK(expired.body.find("This download link has expired.") != std::string::npos);
  CHECK(f.Count("SELECT COUNT(*) FROM download_attempts WHERE outcome = 'expired'") == 1);

  auto purged = w.PurgeExpired();
  REQUIRE(purged.ok());
  CHECK(*purged >= 1);
  CHECK(!fs::exists(package));
  CHECK(!fs::exists(package.parent_path()));  // the request's folder too
  CHECK(f.Count("SELECT COUNT(*) FROM download_links WHERE file_deleted_at = " + std::to_string(f.clock.Now())) == 1);

  auto exp = Call(f.port, "GET", "/api/v1/requests/" + r.id + "/export", "", Auth(f.token));
  CHECK(exp.status == 410);
  CHECK(exp.Header("Content-Type") == "application/problem+json");
  CHECK(exp.Str("detail").find("deleted") != std::string::npos);
  // Staff cannot link to a deleted package.
  CHECK(Call(f.port, "POST", "/api/v1/requests/" + r.id + "/download-link", "", Auth(f.token)).status == 409);
}

TEST_CASE("an access request that found nothing has no package and no link", "[api][downloads]") {
  DownloadFixture f;
  const store::RequestRow r = f.Completed("nobody@example.net");
  CHECK(f.Count("SELECT COUNT(*) FROM download_links") == 0);
  const store::OutboxRow mail = f.Newest(r.id, "completed");
  CHECK(!mail.carries_secret);
  REQUIRE(mail.body);
  CHECK(mail.body->find("/d/") == std::string::npos);
  CHECK(Call(f.port, "POST", "/api/v1/requests/" + r.id + "/download-link", "", Auth(f.token)).status == 404);
}
