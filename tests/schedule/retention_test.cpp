// Records retention (issue 5 §8): a closed request is kept 24 months (Cal. Code Regs. tit. 11
// § 7101(a)) and then purged whole, leaving a tombstone; raw mail, verification rows and packages
// go on their shorter periods; open requests are never purged.
#include <catch2/catch.hpp>

#include "support/service_fixture.h"
#include "support/sql.h"

using namespace dsar;
using namespace dsar::test;

namespace {

const char* kMail =
    "From: Pia Purge <pia.purge@example.com>\r\nTo: privacy@nimbus.example\r\nSubject: Delete my account\r\n"
    "Message-ID: <purge-1@example.com>\r\n\r\nPlease delete my account and all my personal data.\r\n";

long Rows(Fixture& f, const std::string& table, const std::string& request_id) {
  return f.Count("SELECT count(*) FROM " + table + " WHERE request_id = '" + request_id + "'");
}

}  // namespace

TEST_CASE("a closed request is purged whole 24 months after it closed, leaving a tombstone", "[service][retention]") {
  Fixture f;
  auto in = IntakeMail(*f.svc, kMail);
  REQUIRE(in.ok());
  const auto r = *f.svc->Get(in->reference);
  const auto open = f.Create("access", "still.open@example.com");
  service::Workers w(*f.svc, nullptr);
  REQUIRE(w.DeliverOutbox().ok());
  fs::create_directories(fs::path(f.cfg.exports_dir) / r.reference);
  std::ofstream(fs::path(f.cfg.exports_dir) / r.reference / "access.zip") << "zip";

  // Closed on 2026-11-21 at 09:00 UTC.
  f.clock.Advance(kMillisPerDay);
  auto closed = f.svc->ApplyStaffEvent(r.id, Event{"cancel", "staff:ann", "withdrawn by phone", {}}, std::nullopt);
  REQUIRE(closed.ok());
  const Millis closed_at = closed->updated_at;
  CHECK(Rows(f, "transitions", r.id) == 3);
  CHECK(Rows(f, "outbox", r.id) == 3);
  CHECK(Rows(f, "verifications", r.id) == 1);
  CHECK(Rows(f, "inbound_messages", r.id) == 1);

  // 30 days: the verification rows go; 30 days: the package; 90 days: the raw mail.
  f.clock.Set(closed_at + 30 * kMillisPerDay);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(Rows(f, "verifications", r.id) == 1);  // not yet: strictly older than 30 days
  f.clock.Set(closed_at + 30 * kMillisPerDay + 1);
  auto n = w.PurgeExpired();
  REQUIRE(n.ok());
  CHECK(*n == 2);  // the code hash and the package folder
  CHECK(Rows(f, "verifications", r.id) == 0);
  CHECK(Rows(f, "verifications", open.id) == 1);  // an open request keeps its code
  CHECK(!fs::exists(fs::path(f.cfg.exports_dir) / r.reference));
  f.clock.Set(closed_at + 90 * kMillisPerDay + 1);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM inbound_raw") == 0);
  CHECK(f.Count("SELECT raw_purged_at FROM inbound_messages") == closed_at + 90 * kMillisPerDay + 1);
  auto msg = GetInbound(*f.svc, in->message_row);
  REQUIRE(msg.ok());
  CHECK(!msg->readable);
  CHECK(msg->unreadable == "the raw message was purged on 2027-02-19T09:00:00.001Z (records retention)");

  // 730 days after closing: still kept; a moment later: gone, all of it.
  f.clock.Set(closed_at + 730 * kMillisPerDay);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM requests WHERE id = '" + r.id + "'") == 1);
  f.clock.Set(closed_at + 730 * kMillisPerDay + 1);
  n = w.PurgeExpired();
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(f.Count("SELECT count(*) FROM requests WHERE id = '" + r.id + "'") == 0);
  for (const char* table : {"transitions", "outbox", "timers", "jobs", "verifications", "inbound_messages"}) {
    INFO(table);
    CHECK(Rows(f, table, r.id) == 0);
  }
  CHECK(f.Count("SELECT count(*) FROM purge_authorizations") == 0);
  CHECK(f.Text("SELECT reference || '|' || type || '|' || final_state || '|' || received_at || '|' || closed_at "
               "FROM purged_requests") == r.reference + "|deletion|cancelled|" + std::to_string(r.received_at) + "|" +
                                             std::to_string(closed_at));
  // The open request is untouched, whatever its age.
  CHECK(f.svc->Get(open.id)->state == "verifying");
  CHECK(Rows(f, "transitions", open.id) == 2);
  // History is still append-only outside a purge.
  CHECK(!test_sql::TryExec(f.store->path(), "DELETE FROM transitions WHERE request_id = '" + open.id + "'"));
}

TEST_CASE("raw mail linked to no request is purged after its period from intake", "[service][retention]") {
  Fixture f;
  f.cfg.retention_raw_mail_days = 10;
  f.Open();
  auto in = IntakeMail(*f.svc, 
      "From: Q <q@example.com>\r\nTo: privacy@nimbus.example\r\nSubject: pricing\r\nMessage-ID: <q1@example.com>\r\n\r\n"
      "How much does the team plan cost?\r\n");
  REQUIRE(in.ok());
  REQUIRE(in->kind == "triage");
  service::Workers w(*f.svc, nullptr);
  f.clock.Advance(10 * kMillisPerDay);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM inbound_raw") == 1);
  f.clock.Advance(1);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM inbound_raw") == 0);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages WHERE outcome = 'triage' AND raw_purged_at IS NOT NULL") == 1);
}

TEST_CASE("retention periods are at least a day", "[service][retention][config]") {
  char tmpl[] = "/tmp/dsar-cfg-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  std::ofstream(dir / "c.yaml") << "retention_raw_mail_days: 0\n";
  auto c = service::LoadConfig((dir / "c.yaml").string());
  REQUIRE(!c.ok());
  CHECK(c.status().message() == (dir / "c.yaml").string() + ": retention_raw_mail_days must be at least 1 (days)");
  fs::remove_all(dir);
}

TEST_CASE("a duplicate goes with its primary: purged once the primary it was answered through is purged",
          "[service][retention]") {
  Fixture f;
  const auto primary = f.Create("deletion", "dup.retention@example.com");
  const auto dup = f.Create("deletion", "dup.retention@example.com");
  REQUIRE(f.svc->Get(dup.id)->state == "duplicate");
  REQUIRE(f.svc->Get(dup.id)->duplicate_of == primary.id);
  f.clock.Advance(kMillisPerDay);
  auto closed = f.svc->ApplyStaffEvent(primary.id, Event{"cancel", "staff:ann", "withdrawn by phone", {}}, std::nullopt);
  REQUIRE(closed.ok());
  service::Workers w(*f.svc, nullptr);
  // Within the primary's retention, the duplicate stays (its primary still answers for it).
  f.clock.Set(closed->updated_at + 730 * kMillisPerDay);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
  // After it: the primary goes, then its duplicate (unlinked), each leaving a tombstone.
  f.clock.Set(closed->updated_at + 730 * kMillisPerDay + 1);
  REQUIRE(w.PurgeExpired().ok());
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM requests") == 0);
  CHECK(f.Text("SELECT group_concat(reference || ':' || final_state, ',') FROM (SELECT * FROM purged_requests "
                "ORDER BY final_state)") ==
        primary.reference + ":cancelled," + dup.reference + ":duplicate");
  CHECK(f.Count("SELECT count(*) FROM transitions WHERE request_id = '" + dup.id + "'") == 0);
}

TEST_CASE("an open duplicate of an open primary is never purged", "[service][retention]") {
  Fixture f;
  const auto primary = f.Create("access", "open.dup@example.com");
  const auto dup = f.Create("access", "open.dup@example.com");
  service::Workers w(*f.svc, nullptr);
  f.clock.Advance(1000 * kMillisPerDay);
  REQUIRE(w.PurgeExpired().ok());
  CHECK(f.Count("SELECT count(*) FROM requests WHERE id IN ('" + primary.id + "', '" + dup.id + "')") == 2);
}
