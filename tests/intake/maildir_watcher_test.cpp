// The Maildir watcher (service/maildir_intake.h) over a real store and the shipped workflows:
// new/ to cur/ with `:2,` after the commit, oldest first and bounded per scan, a listing worked
// through over several scans (and replaced when old), a batch in one
// transaction (a redelivery inside the batch is recognised), a crash between the commit and the
// move (a message without Message-ID is not doubled), unreadable files left in new/ and logged
// once, a failed batch retried one message per transaction, a poisoned message that blocks nothing.
#include <sys/stat.h>

#include <algorithm>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "workflow/config.h"
#include "intake/maildir_watcher.h"
#include "api/presenters.h"
#include "holds/holds.h"
#include "identity/agents.h"
#include "identity/api_tokens.h"
#include "identity/codes.h"
#include "identity/data_points.h"
#include "identity/suppression.h"
#include "intake/inbound_queue.h"
#include "intake/intake.h"
#include "intake/read_mail.h"
#include "release/downloads.h"
#include "release/review.h"
#include "requests/corrections.h"
#include "requests/engine.h"
#include "requests/tasks.h"
#include "support/sql.h"

using namespace dsar;
namespace fs = std::filesystem;

namespace {

const Millis kStart = 1795165200000;  // 2026-11-20T09:00:00Z

struct MaildirFixture {
  fs::path dir;
  service::Config cfg;
  ManualClock clock{kStart};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::Engine> svc;
  std::vector<std::string> log;

  MaildirFixture() {
    char tmpl[] = "/tmp/dsar-mdir-XXXXXX";
    dir = mkdtemp(tmpl);
    cfg.db_path = (dir / "dsar.db").string();
    cfg.workflows_dir = std::string(DSAR_SOURCE_DIR) + "/workflows";
    cfg.templates_dir = std::string(DSAR_SOURCE_DIR) + "/templates/mail";
    cfg.secret_key_file = (dir / "secret.key").string();
    cfg.outbox_maildir = (dir / "outbox").string();
    cfg.exports_dir = (dir / "exports").string();
    cfg.intake_maildir = (dir / "inbox").string();
    Open();
  }
  ~MaildirFixture() {
    Close();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void Close() {
    svc.reset();
    store.reset();
  }
  void Open() {
    Close();
    auto st = store::Store::Open({cfg.db_path});
    REQUIRE(st.ok());
    store = std::move(st.value());
    auto s = service::Engine::Create(cfg, *store, clock);
    if (!s.ok()) FAIL(s.status().ToString());
    svc = std::move(s.value());
  }
  service::MaildirIntake Intake(int batch = 100) {
    return service::MaildirIntake(*svc, cfg.intake_maildir, {.batch = batch},
                                  [this](const std::string& l) { log.push_back(l); });
  }
  fs::path Inbox(const std::string& sub) const { return fs::path(cfg.intake_maildir) / sub; }
  // Delivers `raw` into new/ as `name` (through tmp/, as a mail delivery agent does), with an
  // mtime `age_s` seconds in the past.
  void Deliver(const std::string& name, const std::string& raw, int age_s = 0) {
    fs::create_directories(Inbox("tmp"));
    fs::create_directories(Inbox("new"));
    {
      std::ofstream out(Inbox("tmp") / name, std::ios::binary);
      out << raw;
    }
    fs::rename(Inbox("tmp") / name, Inbox("new") / name);
    fs::last_write_time(Inbox("new") / name, fs::file_time_type::clock::now() - std::chrono::seconds(age_s));
  }
  std::vector<std::string> Names(const std::string& sub) const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(Inbox(sub), ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  long Count(const std::string& sql) { return static_cast<long>(test_sql::Count(store->path(), sql)); }
  // Runs `sql` on the store's file (e.g. a trigger that makes some inserts fail).
  void Exec(const std::string& sql) { test_sql::Exec(store->path(), sql); }
  std::string Text(const std::string& sql) { return test_sql::Text(store->path(), sql); }
};

// A deletion request from `from`; with a Message-ID only when `message_id` is given.
std::string Mail(const std::string& from, const std::string& message_id = "") {
  std::string m = "From: " + from + "\r\nTo: privacy@nimbus.example\r\nSubject: Delete my data\r\n";
  if (!message_id.empty()) m += "Message-ID: <" + message_id + ">\r\n";
  return m + "Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\nPlease delete my account and all my personal data.\r\n";
}

}  // namespace

TEST_CASE("maildir intake: new/ messages are ingested oldest first and moved to cur/ with :2,", "[service][maildir]") {
  MaildirFixture f;
  // Names in the reverse of their age: the order is by mtime, not by name.
  f.Deliver("1795000003.M1P10.mx", Mail("c.person@example.org", "c-1@example.org"), 300);
  f.Deliver("1795000002.M1P10.mx", Mail("b.person@example.org"), 200);  // no Message-ID
  f.Deliver("1795000001.M1P10.mx:2,S", Mail("a.person@example.org", "a-1@example.org"), 100);  // has info
  auto intake = f.Intake();
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 3);
  CHECK(f.Names("new").empty());
  CHECK(f.Names("cur") == std::vector<std::string>{"1795000001.M1P10.mx:2,S", "1795000002.M1P10.mx:2,",
                                                    "1795000003.M1P10.mx:2,"});
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 3);
  CHECK(f.Count("SELECT count(*) FROM requests") == 3);
  // One row each, in the order of the files' age, named without the info suffix.
  CHECK(f.Text("SELECT maildir_name FROM inbound_messages ORDER BY id") ==
        "1795000003.M1P10.mx,1795000002.M1P10.mx,1795000001.M1P10.mx");
  CHECK(f.Text("SELECT DISTINCT outcome FROM inbound_messages") == "request");
  CHECK(f.log.empty());
  // Nothing left: a second scan does nothing.
  auto again = intake.ScanOnce();
  REQUIRE(again.ok());
  CHECK(*again == 0);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 3);
}

TEST_CASE("maildir intake: a scan takes at most its batch, and creates a missing Maildir", "[service][maildir]") {
  MaildirFixture f;
  auto intake = f.Intake(2);
  auto empty = intake.ScanOnce();
  REQUIRE(empty.ok());
  CHECK(*empty == 0);
  for (const char* sub : {"tmp", "new", "cur"}) CHECK(fs::is_directory(f.Inbox(sub)));
  for (int i = 0; i < 5; ++i)
    f.Deliver("17950000" + std::to_string(i) + ".M1P10.mx", Mail("p" + std::to_string(i) + "@example.org"), 100 - i);
  for (int expected : {2, 2, 1, 0}) {
    auto n = intake.ScanOnce();
    REQUIRE(n.ok());
    CHECK(*n == expected);
  }
  CHECK(f.Names("new").empty());
  CHECK(f.Names("cur").size() == 5);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 5);
}

TEST_CASE("maildir intake: a backlog is listed once and worked through over the following scans",
          "[service][maildir]") {
  MaildirFixture f;
  auto intake = f.Intake(2);
  for (int i = 1; i <= 5; ++i)
    f.Deliver("179500000" + std::to_string(i) + ".M1P10.mx", Mail("p" + std::to_string(i) + "@example.org"), 500 - i);
  auto first = intake.ScanOnce();  // lists the five, takes the two oldest
  REQUIRE(first.ok());
  CHECK(*first == 2);
  // Meanwhile: a file with an older mtime than those waiting arrives, and another reader takes one
  // of the listed files.
  f.Deliver("1795000009.M1P10.mx", Mail("late.but.old@example.org"), 1000);
  fs::remove(f.Inbox("new") / "1795000004.M1P10.mx");
  // The listing is worked through first (the file taken meanwhile is skipped silently and does not
  // count against the batch); the new file comes with the next listing.
  for (int expected : {2, 1, 0}) {
    auto n = intake.ScanOnce();
    REQUIRE(n.ok());
    CHECK(*n == expected);
  }
  CHECK(f.Text("SELECT maildir_name FROM inbound_messages ORDER BY id") ==
        "1795000001.M1P10.mx,1795000002.M1P10.mx,1795000003.M1P10.mx,1795000005.M1P10.mx,1795000009.M1P10.mx");
  CHECK(f.Names("new").empty());
  CHECK(f.log.empty());
}

TEST_CASE("maildir intake: a listing older than kRelistAfter is replaced", "[service][maildir]") {
  MaildirFixture f;
  auto intake = f.Intake(1);
  for (int i = 1; i <= 3; ++i)
    f.Deliver("179500000" + std::to_string(i) + ".M1P10.mx", Mail("p" + std::to_string(i) + "@example.org"), 500 - i);
  auto first = intake.ScanOnce();
  REQUIRE(first.ok());
  CHECK(*first == 1);
  f.Deliver("1795000009.M1P10.mx", Mail("late.but.old@example.org"), 1000);
  f.clock.Advance(service::MaildirIntake::kRelistAfter);
  for (int expected : {1, 1, 1, 0}) {
    auto n = intake.ScanOnce();
    REQUIRE(n.ok());
    CHECK(*n == expected);
  }
  // Listed again before the second scan: the oldest file waiting went first.
  CHECK(f.Text("SELECT maildir_name FROM inbound_messages ORDER BY id") ==
        "1795000001.M1P10.mx,1795000009.M1P10.mx,1795000002.M1P10.mx,1795000003.M1P10.mx");
}

TEST_CASE("maildir intake: batches parsed ahead on a second thread go through as on one", "[service][maildir]") {
  for (bool ahead : {false, true}) {
    INFO("parse ahead: " << ahead);
    MaildirFixture f;
    f.Deliver("1795000001.M1P1.mx", Mail("first@example.org", "same-1@example.org"), 700);
    f.Deliver("1795000002.M1P1.mx", Mail("second@example.org", "s-2@example.org"), 600);
    f.Deliver("1795000003.M1P1.mx", Mail("first@example.org", "same-1@example.org"), 500);  // the first again
    f.Deliver("1795000004.M1P1.mx", "not a message at all", 400);                            // unreadable
    f.Deliver("1795000005.M1P1.mx", Mail("third@example.org"), 300);
    f.Deliver("1795000006.M1P1.mx", "From: robot@example.org\r\nSubject: Out of office\r\n"
                                    "Auto-Submitted: auto-replied\r\n\r\nI am away.\r\n", 200);
    f.Deliver("1795000007.M1P1.mx", Mail("fourth@example.org", "f-4@example.org"), 100);
    // Batches of two, all four in one scan: the second is parsed while the first is stored.
    service::MaildirIntake intake(*f.svc, f.cfg.intake_maildir, {.batch = 2, .batches_per_scan = 4, .parse_ahead = ahead},
                                  [&](const std::string& l) { f.log.push_back(l); });
    auto n = intake.ScanOnce();
    REQUIRE(n.ok());
    CHECK(*n == 7);
    CHECK(f.Names("new").empty());
    CHECK(f.Text("SELECT maildir_name || ':' || outcome FROM inbound_messages ORDER BY id") ==
          "1795000001.M1P1.mx:request,1795000002.M1P1.mx:request,1795000003.M1P1.mx:redelivery,"
          "1795000004.M1P1.mx:triage,1795000005.M1P1.mx:request,1795000006.M1P1.mx:ignored,"
          "1795000007.M1P1.mx:request");
    CHECK(f.Count("SELECT count(*) FROM requests") == 4);
    CHECK(f.log.empty());
  }
}

TEST_CASE("maildir intake: a crash between the commit and the move doubles nothing, even without Message-ID",
          "[service][maildir]") {
  MaildirFixture f;
  const std::string raw = Mail("no.id@example.org");  // no Message-ID: only its Maildir name tells it apart
  const std::string name = "1795000100.M5P77.mx";

  SECTION("the real hook: the process exits after the commit, the file stays in new/") {
    f.Deliver(name, raw);
    f.Deliver("1795000200.M5P77.mx", Mail("later@example.org"), -10);  // newer: never reached
    f.Close();
    const pid_t pid = fork();
    if (pid == 0) {
      auto st = store::Store::Open({f.cfg.db_path});
      if (!st.ok()) std::_Exit(2);
      auto svc = service::Engine::Create(f.cfg, **st, f.clock);
      if (!svc.ok()) std::_Exit(3);
      // A batch of one: the commit the hook interrupts holds this message alone.
      service::MaildirIntake intake(**svc, f.cfg.intake_maildir, {.batch = 1}, [](const std::string&) {});
      intake.TEST_CrashAfterCommit(1);
      (void)intake.ScanOnce();
      std::_Exit(4);  // not reached
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 44);
    f.Open();
    CHECK(f.Names("new") == std::vector<std::string>{name, "1795000200.M5P77.mx"});
    CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 1);
  }
  SECTION("the same file dropped into new/ again under its name") {
    f.Deliver(name, raw);
    {
      auto intake = f.Intake();
      auto n = intake.ScanOnce();
      REQUIRE(n.ok());
      CHECK(*n == 1);
    }
    f.Deliver(name, raw);  // as if the move to cur/ had never happened
    f.Deliver("1795000200.M5P77.mx", Mail("later@example.org"), -10);
    f.Open();              // a restart
  }

  const std::string reference = f.Text("SELECT reference FROM requests");
  REQUIRE_FALSE(reference.empty());
  auto intake = f.Intake();
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 2);
  CHECK(f.Names("new").empty());
  CHECK(f.Names("cur") == std::vector<std::string>{name + ":2,", "1795000200.M5P77.mx:2,"});
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 2);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages WHERE maildir_name = '" + name + "'") == 1);
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
  CHECK(f.Count("SELECT count(*) FROM requests WHERE json_extract(subject_json, '$.email') = 'no.id@example.org'") == 1);
  CHECK(f.log.empty());

  // IntakeMail itself: a known name gives the earlier outcome and stores nothing.
  auto replay = IntakeMail(*f.svc, raw, name);
  REQUIRE(replay.ok());
  CHECK(replay->replayed);
  CHECK(replay->kind == "request");
  CHECK(replay->reference == reference);
  CHECK(replay->line == reference);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 2);
}

TEST_CASE("maildir intake: a replayed name reports the earlier outcome of every kind", "[service][maildir]") {
  MaildirFixture f;
  // The same bytes under the same name (a crash between the commit and the move to cur/).
  const std::map<std::string, std::string> raw = {
      {"n1", Mail("x.person@example.org", "x-1@example.org")},
      {"n2", Mail("x.person@example.org", "x-1@example.org")},
      {"n3", "From: q@example.org\r\nSubject: hello\r\nMessage-ID: <q-1@example.org>\r\n\r\nWhat is your office address?\r\n"},
      {"n4", "From: q@example.org\r\nSubject: hello\r\nMessage-ID: <q-1@example.org>\r\n\r\nWhat is your office address?\r\n"},
      {"n5", "From: robot@example.org\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n"}};
  auto first = IntakeMail(*f.svc, raw.at("n1"), "n1");
  REQUIRE(first.ok());
  auto redelivery = IntakeMail(*f.svc, Mail("x.person@example.org", "x-1@example.org"), "n2");
  REQUIRE(redelivery.ok());
  REQUIRE(redelivery->kind == "redelivery");
  auto triage = IntakeMail(*f.svc, "From: q@example.org\r\nSubject: hello\r\nMessage-ID: <q-1@example.org>\r\n\r\n"
                                  "What is your office address?\r\n", "n3");
  REQUIRE(triage.ok());
  REQUIRE(triage->kind == "triage");
  auto triage_again = IntakeMail(*f.svc, "From: q@example.org\r\nSubject: hello\r\nMessage-ID: <q-1@example.org>\r\n\r\n"
                                        "What is your office address?\r\n", "n4");
  REQUIRE(triage_again.ok());
  auto ignored = IntakeMail(*f.svc, "From: robot@example.org\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\n"
                                   "I am away.\r\n", "n5");
  REQUIRE(ignored.ok());
  REQUIRE(ignored->kind == "ignored");
  const long rows = f.Count("SELECT count(*) FROM inbound_messages");
  for (const auto& [name, earlier] : std::vector<std::pair<std::string, service::IntakeOutcome>>{
           {"n1", *first}, {"n2", *redelivery}, {"n3", *triage}, {"n4", *triage_again}, {"n5", *ignored}}) {
    INFO(name << ": " << earlier.line);
    auto again = IntakeMail(*f.svc, raw.at(name), name);
    REQUIRE(again.ok());
    CHECK(again->replayed);
    CHECK(again->kind == earlier.kind);
    CHECK(again->reference == earlier.reference);
    CHECK(again->line == earlier.line);
    CHECK(again->message_row == earlier.message_row);
  }
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == rows);
}

TEST_CASE("maildir intake: an unreadable file stays in new/, is logged once and blocks nothing", "[service][maildir]") {
  MaildirFixture f;
  // A symbolic link is never followed (it could point at any file the server can read); when the
  // tests do not run as root, a file without read permission too.
  const fs::path outside = f.dir / "secret.txt";
  { std::ofstream(outside) << Mail("link.target@example.org"); }
  fs::create_directories(f.Inbox("new"));
  fs::create_symlink(outside, f.Inbox("new") / "1795000001.M1P1.mx");
  std::vector<std::string> unreadable = {"1795000001.M1P1.mx"};
  if (geteuid() != 0) {
    f.Deliver("1795000002.M1P1.mx", Mail("locked@example.org"), 100);
    ::chmod((f.Inbox("new") / "1795000002.M1P1.mx").c_str(), 0);
    unreadable.push_back("1795000002.M1P1.mx");
  }
  f.Deliver("1795000003.M1P1.mx", Mail("fine@example.org"), 50);
  auto intake = f.Intake(1);  // a batch of one: unreadable files do not use it up
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(f.Names("cur") == std::vector<std::string>{"1795000003.M1P1.mx:2,"});
  CHECK(f.Names("new") == unreadable);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 1);
  REQUIRE(f.log.size() == unreadable.size());
  CHECK(f.log[0] == "maildir intake: new/1795000001.M1P1.mx: cannot read (left in new/, retried): a symbolic link, not followed");
  for (const auto& line : f.log) CHECK(line.find("@") == std::string::npos);  // no addresses
  // Retried on every scan, logged once.
  for (int i = 0; i < 3; ++i) {
    auto again = intake.ScanOnce();
    REQUIRE(again.ok());
    CHECK(*again == 0);
  }
  CHECK(f.log.size() == unreadable.size());
  CHECK(f.Names("new") == unreadable);
  // Once readable, it goes through.
  fs::remove(f.Inbox("new") / "1795000001.M1P1.mx");
  fs::copy_file(outside, f.Inbox("new") / "1795000001.M1P1.mx");
  if (unreadable.size() > 1) ::chmod((f.Inbox("new") / "1795000002.M1P1.mx").c_str(), 0640);
  auto healed = intake.ScanOnce();
  REQUIRE(healed.ok());
  CHECK(*healed == 1);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 2);
}

TEST_CASE("maildir intake: a FIFO or a directory in new/ is logged once, never opened, and blocks nothing",
          "[service][maildir]") {
  MaildirFixture f;
  fs::create_directories(f.Inbox("new"));
  REQUIRE(::mkfifo((f.Inbox("new") / "1795000001.M1P1.mx").c_str(), 0600) == 0);
  fs::create_directories(f.Inbox("new") / "1795000002.M1P1.mx");
  f.Deliver("1795000003.M1P1.mx", Mail("fine@example.org"), 50);
  auto intake = f.Intake();
  for (int scan = 0; scan < 3; ++scan) {
    f.clock.Advance(service::MaildirIntake::kRelistAfter);  // listed afresh each time
    auto n = intake.ScanOnce();
    REQUIRE(n.ok());
    CHECK(*n == (scan == 0 ? 1 : 0));
  }
  CHECK(f.Names("cur") == std::vector<std::string>{"1795000003.M1P1.mx:2,"});
  REQUIRE(f.log.size() == 2);
  std::sort(f.log.begin(), f.log.end());  // in the directory's order
  CHECK(f.log[0] ==
        "maildir intake: new/1795000001.M1P1.mx: not a regular file (a directory, FIFO or device): left in new/, "
        "never read");
  CHECK(f.log[1].rfind("maildir intake: new/1795000002.M1P1.mx: not a regular file", 0) == 0);
}

TEST_CASE("maildir intake: a batch is one transaction, and a redelivery inside it is recognised",
          "[service][maildir]") {
  MaildirFixture f;
  f.Deliver("1795000001.M1P1.mx", Mail("first@example.org", "same-1@example.org"), 500);
  f.Deliver("1795000002.M1P1.mx", Mail("second@example.org", "s-2@example.org"), 400);
  f.Deliver("1795000003.M1P1.mx", Mail("first@example.org", "same-1@example.org"), 300);  // the first again
  f.Deliver("1795000004.M1P1.mx", Mail("third@example.org"), 200);
  f.Deliver("1795000005.M1P1.mx", "not a message at all", 100);  // unreadable: kept for staff
  auto intake = f.Intake();
  // The second transaction from now fails: the scan must use one, the next one gets the fault.
  f.store->TEST_FailCommitAfter(2);
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 5);
  CHECK(f.Names("new").empty());
  CHECK(f.Names("cur").size() == 5);
  auto token = CreateToken(*f.svc, "after-the-scan");
  REQUIRE_FALSE(token.ok());
  CHECK(token.status().message().find("TEST_FailCommitAfter") != std::string::npos);
  CHECK(f.Text("SELECT outcome FROM inbound_messages ORDER BY id") == "request,request,redelivery,request,triage");
  CHECK(f.Count("SELECT count(*) FROM requests") == 3);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages WHERE outcome = 'redelivery' AND request_id = "
                "(SELECT request_id FROM inbound_messages WHERE maildir_name = '1795000001.M1P1.mx')") == 1);
  CHECK(f.log.empty());
}

TEST_CASE("maildir intake: a failed batch is retried one message per transaction", "[service][maildir]") {
  MaildirFixture f;
  for (int i = 1; i <= 4; ++i)
    f.Deliver("179500000" + std::to_string(i) + ".M1P1.mx", Mail("p" + std::to_string(i) + "@example.org"), 100 - i);
  auto intake = f.Intake();
  f.store->TEST_FailCommitAfter(1);  // the batch's transaction fails once
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 4);
  CHECK(f.Names("new").empty());
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 4);
  CHECK(f.Count("SELECT count(DISTINCT id) FROM inbound_messages") == 4);
  CHECK(f.Text("SELECT maildir_name FROM inbound_messages ORDER BY id") ==
        "1795000001.M1P1.mx,1795000002.M1P1.mx,1795000003.M1P1.mx,1795000004.M1P1.mx");
  CHECK(f.Count("SELECT count(*) FROM requests") == 4);
  CHECK(f.log.empty());  // nothing failed for good
}

TEST_CASE("maildir intake: a poisoned message stays in new/, is logged once and blocks nothing", "[service][maildir]") {
  MaildirFixture f;
  // A message whose transaction always fails (here: a trigger refuses its row).
  f.Exec("CREATE TRIGGER poison BEFORE INSERT ON inbound_messages WHEN NEW.maildir_name = '1795000001.M1P1.mx' "
         "BEGIN SELECT RAISE(ABORT, 'poisoned'); END");
  f.Deliver("1795000001.M1P1.mx", Mail("poison@example.org", "p-1@example.org"), 300);  // the oldest: first
  f.Deliver("1795000002.M1P1.mx", Mail("good.one@example.org", "g-1@example.org"), 200);
  f.Deliver("1795000003.M1P1.mx", Mail("good.two@example.org", "g-2@example.org"), 100);
  auto intake = f.Intake();
  // The batch fails; alone, the poisoned message fails first and ends the scan.
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 0);
  CHECK(f.Names("new").size() == 3);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 0);
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0].rfind("maildir intake: new/1795000001.M1P1.mx: intake failed (left in new/, retried): ", 0) == 0);
  CHECK(f.log[0].find("poison@") == std::string::npos);
  // The next scan takes the others first, in one batch, then tries the poisoned one alone.
  auto next = intake.ScanOnce();
  REQUIRE(next.ok());
  CHECK(*next == 2);
  CHECK(f.Names("new") == std::vector<std::string>{"1795000001.M1P1.mx"});
  CHECK(f.Text("SELECT maildir_name FROM inbound_messages ORDER BY id") == "1795000002.M1P1.mx,1795000003.M1P1.mx");
  // New mail keeps flowing past it, retried on every scan, logged once.
  f.Deliver("1795000004.M1P1.mx", Mail("good.three@example.org", "g-3@example.org"), 0);
  for (int expected : {1, 0, 0}) {
    auto again = intake.ScanOnce();
    REQUIRE(again.ok());
    CHECK(*again == expected);
  }
  CHECK(f.log.size() == 1);
  CHECK(f.Names("new") == std::vector<std::string>{"1795000001.M1P1.mx"});
  // Once the cause is gone, it goes through.
  f.Exec("DROP TRIGGER poison");
  auto healed = intake.ScanOnce();
  REQUIRE(healed.ok());
  CHECK(*healed == 1);
  CHECK(f.Names("new").empty());
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 4);
  CHECK(f.Count("SELECT count(*) FROM requests") == 4);
}

TEST_CASE("maildir intake: a failure while the next batch is parsed ahead stores nothing of that batch",
          "[service][maildir]") {
  MaildirFixture f;
  f.Exec("CREATE TRIGGER poison BEFORE INSERT ON inbound_messages WHEN NEW.maildir_name = '1795000001.M1P1.mx' "
         "BEGIN SELECT RAISE(ABORT, 'poisoned'); END");
  f.Deliver("1795000001.M1P1.mx", Mail("poison@example.org", "p-1@example.org"), 500);
  for (int i = 2; i <= 5; ++i)
    f.Deliver("179500000" + std::to_string(i) + ".M1P1.mx",
              Mail("good" + std::to_string(i) + "@example.org", "g-" + std::to_string(i) + "@example.org"), 500 - 100 * i);
  service::MaildirIntake intake(*f.svc, f.cfg.intake_maildir, {.batch = 2, .batches_per_scan = 5, .parse_ahead = true},
                                [&](const std::string& l) { f.log.push_back(l); });
  // The first batch (poisoned, good2) fails, then the poisoned message alone: the scan ends. The
  // second batch (good3, good4) was parsed meanwhile but is neither stored nor moved.
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 0);
  CHECK(f.Names("new").size() == 5);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 0);
  REQUIRE(f.log.size() == 1);
  // The next scan lists afresh: the four others first (two batches), then the poisoned one alone.
  auto next = intake.ScanOnce();
  REQUIRE(next.ok());
  CHECK(*next == 4);
  CHECK(f.Names("new") == std::vector<std::string>{"1795000001.M1P1.mx"});
  CHECK(f.Text("SELECT maildir_name FROM inbound_messages ORDER BY id") ==
        "1795000002.M1P1.mx,1795000003.M1P1.mx,1795000004.M1P1.mx,1795000005.M1P1.mx");
  CHECK(f.Count("SELECT count(*) FROM requests") == 4);
  CHECK(f.log.size() == 1);
}

TEST_CASE("maildir intake: a store that fails every transaction leaves every message in new/", "[service][maildir]") {
  MaildirFixture f;
  f.Exec("CREATE TRIGGER full BEFORE INSERT ON inbound_messages BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  f.Deliver("1795000001.M1P1.mx", Mail("retry.me@example.org", "r-1@example.org"), 100);
  f.Deliver("1795000002.M1P1.mx", Mail("next.one@example.org", "n-1@example.org"), 50);
  auto intake = f.Intake();
  auto n = intake.ScanOnce();  // the batch fails, then the first message alone: the scan stops
  REQUIRE(n.ok());
  CHECK(*n == 0);
  CHECK(f.Names("new") == std::vector<std::string>{"1795000001.M1P1.mx", "1795000002.M1P1.mx"});
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 0);
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0].rfind("maildir intake: new/1795000001.M1P1.mx: intake failed (left in new/, retried): ", 0) == 0);
  CHECK(f.log[0].find("retry.me") == std::string::npos);
  // The next scan starts with the message that has not failed yet; then each is logged once.
  auto second = intake.ScanOnce();
  REQUIRE(second.ok());
  CHECK(*second == 0);
  REQUIRE(f.log.size() == 2);
  CHECK(f.log[1].rfind("maildir intake: new/1795000002.M1P1.mx: intake failed", 0) == 0);
  auto third = intake.ScanOnce();
  REQUIRE(third.ok());
  CHECK(f.log.size() == 2);
  // The store heals: both go through, in their order.
  f.Exec("DROP TRIGGER full");
  auto healed = intake.ScanOnce();
  REQUIRE(healed.ok());
  CHECK(*healed == 2);
  CHECK(f.Names("new").empty());
  CHECK(f.Names("cur") == std::vector<std::string>{"1795000001.M1P1.mx:2,", "1795000002.M1P1.mx:2,"});
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
  CHECK(f.log.size() == 2);
}

TEST_CASE("maildir intake: a crash after a batch's commit moves nothing and doubles nothing", "[service][maildir]") {
  MaildirFixture f;
  for (int i = 1; i <= 3; ++i)
    f.Deliver("179500000" + std::to_string(i) + ".M9P9.mx", Mail("b" + std::to_string(i) + "@example.org"), 100 - i);
  f.Close();
  const pid_t pid = fork();
  if (pid == 0) {
    auto st = store::Store::Open({f.cfg.db_path});
    if (!st.ok()) std::_Exit(2);
    auto svc = service::Engine::Create(f.cfg, **st, f.clock);
    if (!svc.ok()) std::_Exit(3);
    service::MaildirIntake intake(**svc, f.cfg.intake_maildir, {.batch = 100}, [](const std::string&) {});
    intake.TEST_CrashAfterCommit(2);  // the second message: the crash comes after its batch's commit
    (void)intake.ScanOnce();
    std::_Exit(4);  // not reached
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 44);
  f.Open();
  CHECK(f.Names("new").size() == 3);  // all committed, none moved
  CHECK(f.Names("cur").empty());
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 3);
  // The restart recognises them by name (none has a Message-ID) and moves them.
  auto intake = f.Intake();
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 3);
  CHECK(f.Names("new").empty());
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 3);
  CHECK(f.Count("SELECT count(*) FROM requests") == 3);
  CHECK(f.log.empty());
}

TEST_CASE("maildir intake: the intake_maildir config key", "[service][maildir]") {
  char tmpl[] = "/tmp/dsar-mdir-cfg-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const fs::path file = dir / "dsar.yaml";
  { std::ofstream(file) << "intake_maildir: /var/mail/privacy\n"; }
  auto c = service::LoadConfig(file.string());
  REQUIRE(c.ok());
  CHECK(c->intake_maildir == "/var/mail/privacy");
  CHECK(service::Config().intake_maildir.empty());  // off by default
  fs::remove_all(dir);
}

TEST_CASE("maildir intake: another message under a unique name already ingested is a new message, and no file is overwritten",
          "[service][maildir][regress]") {
  MaildirFixture f;
  const std::string first = Mail("first.person@example.org", "same-name-1@example.org");
  const std::string second = Mail("second.person@example.org", "same-name-2@example.org");
  f.Deliver("1800000000.imm0.acc", first);
  {
    auto intake = f.Intake();
    REQUIRE(intake.ScanOnce().ok());
  }
  f.Deliver("1800000000.imm0.acc", second);  // the same unique name, other bytes
  auto intake = f.Intake();
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 2);
  CHECK(f.Count("SELECT count(*) FROM requests") == 2);
  CHECK(f.Names("new").empty());
  CHECK(f.Names("cur") == std::vector<std::string>{"1800000000.imm0.acc.1:2,", "1800000000.imm0.acc:2,"});
  auto read = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  CHECK(read(f.Inbox("cur") / "1800000000.imm0.acc:2,") == first);  // the first file kept
  CHECK(read(f.Inbox("cur") / "1800000000.imm0.acc.1:2,") == second);
  // The same second file found again in new/ (a crash before its move) is a replay, not a third message.
  f.Deliver("1800000000.imm0.acc", second);
  auto again = f.Intake();
  REQUIRE(again.ScanOnce().ok());
  CHECK(f.Count("SELECT count(*) FROM inbound_messages") == 2);
}
