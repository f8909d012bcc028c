// The scheduler across a kill -9: every due timer fires exactly once, whatever instant the
// server dies at. Two deployments get the same requests; one runs its timers undisturbed, the
// other is killed with SIGKILL while it fires them and then restarted. Both must end with the
// same transitions and the same mail, and no timer may fire twice.
#include <signal.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/harness.h"

using namespace dsar::test;

namespace {

const std::string kFixtures = std::string(DSAR_SHARED_FIXTURES) + "/mail/requests";
const char* kReceived = "2026-11-02T09:00:00Z";
const char* kLater = "2026-12-15T12:00:00Z";  // 43 days on: verification windows and reminders are due


void Feed(const Deployment& d) {
  for (const char* f : {"gmail_en_delete_account.eml", "outlook_en_access_gdpr.eml", "apple_de_auskunft.eml",
                        "thunderbird_fr_effacement.eml", "agent_en_ccpa_deletion.eml", "outlook_en_correction.eml",
                        "ptbr_lgpd_acesso.eml", "nl_verwijderen.eml"}) {
    int rc = 0;
    d.Cli({"--test-clock", kReceived, "intake-mail", kFixtures + "/" + f}, "", &rc);
    REQUIRE(rc == 0);
  }
}

// What the timers produced, independent of ids and of when it happened.
std::string Outcome(const Deployment& d) {
  return Query(d.db(), "SELECT r.subject_email, t.version, t.from_state, t.to_state, t.event, t.actor FROM transitions t "
                       "JOIN requests r ON r.id = t.request_id ORDER BY r.subject_email, t.version") +
         "\n#\n" +
         Query(d.db(), "SELECT r.subject_email, o.template, o.to_json, count(*) FROM outbox o JOIN requests r ON "
                       "r.id = o.request_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
}

bool Settled(const Deployment& d) {
  return Query(d.db(), std::string("SELECT count(*) FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND "
                                   "fire_at <= ") +
                           "(strftime('%s', '" + std::string(kLater).substr(0, 19) + "') * 1000)") == "0" &&
         Query(d.db(), "SELECT count(*) FROM outbox WHERE delivered_at IS NULL") == "0";
}

}  // namespace

TEST_CASE("a kill -9 while timers fire neither loses nor repeats a timer", "[e2e][scheduler]") {
  Deployment control(false), killed(false);
  Feed(control);
  Feed(killed);

  control.StartServer({"--test-clock", kLater});
  REQUIRE(WaitFor([&] { return Settled(control); }, 120));
  CHECK(control.StopServer() == 0);
  const std::string expected = Outcome(control);
  // Every request waited 30 days for its code: each was denied once, by the timer.
  CHECK(Query(control.db(), "SELECT count(*) FROM transitions WHERE event = 'verification_expired'") == "8");
  CHECK(Query(control.db(), "SELECT count(DISTINCT request_id) FROM transitions WHERE event = 'verification_expired'") ==
        "8");

  // A crash right after the 5th and then the 3rd timer commits (a deterministic point)...
  for (int n : {5, 3}) {
    killed.StartServer({"--test-clock", kLater}, {{"DSAR_TEST_CRASH", "after_timers:" + std::to_string(n)}});
    CHECK(killed.WaitServerExit() == 43);
  }
  CHECK(Query(killed.db(), "SELECT count(*) FROM timers WHERE fired_at IS NOT NULL") == "8");
  // ...then SIGKILLs at whatever instant the server has reached.
  for (int round = 0; round < 2; ++round) {
    killed.StartServer({"--test-clock", kLater});
    // Die somewhere in the middle: after at least one more timer has fired.
    const std::string before = Query(killed.db(), "SELECT count(*) FROM timers WHERE fired_at IS NOT NULL");
    WaitFor([&] {
      return Settled(killed) || Query(killed.db(), "SELECT count(*) FROM timers WHERE fired_at IS NOT NULL") != before;
    }, 60);
    CHECK(killed.KillServer(SIGKILL) == 128 + SIGKILL);
  }
  killed.StartServer({"--test-clock", kLater});
  REQUIRE(WaitFor([&] { return Settled(killed); }, 120));
  CHECK(killed.StopServer() == 0);

  CHECK(Outcome(killed) == expected);
  // No mail file twice, and one per outbox row.
  CHECK(killed.MailFiles().size() == std::stoul(Query(killed.db(), "SELECT count(*) FROM outbox")));
}
