// The Maildir watcher of `dsar serve` through the real binary (issue 4 §1, §8): every fixture
// email and 100 more requests without Message-ID dropped into the intake Maildir's new/; the
// server takes them in batches of 100, one transaction each, and is killed right after the
// commit of the batch holding the third message (which has no Message-ID), before any of its
// files moved; then restarted: every message is ingested exactly once (the committed batch is
// recognised by its Maildir names) and ends in cur/ with `:2,`.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "support/harness.h"

using namespace dsar::test;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(DSAR_SHARED_FIXTURES) + "/mail/requests";
const char* kClock = "2026-11-17T09:00:00Z";

size_t CountFiles(const fs::path& dir) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) ++n;
  return n;
}

}  // namespace

TEST_CASE("maildir intake: a crash between commit and move loses and doubles nothing", "[e2e][maildir]") {
  Deployment d(false);
  const fs::path inbox = fs::path(d.dir()) / "inbox";
  { std::ofstream(d.config(), std::ios::app) << "intake_maildir: " << inbox.string() << "\n"; }

  // The fixtures in expected.tsv order (the first delivery before its redelivery), and a request
  // without Message-ID third: the message whose move the crash interrupts.
  struct Item {
    std::string file, outcome;
  };
  std::vector<Item> items;
  {
    std::ifstream in(kFixtures + "/expected.tsv");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::stringstream ss(line);
      std::string file, outcome;
      std::getline(ss, file, '\t');
      std::getline(ss, outcome, '\t');
      if (file.rfind("TEMPLATE", 0) == 0) continue;
      items.push_back({file, outcome});
    }
  }
  REQUIRE(items.size() == 17);
  items.insert(items.begin() + 2, {"", "request"});
  const std::string no_id_mail =
      "From: Robin Example <robin.no-id@example.org>\r\nTo: privacy@nimbus.example\r\nSubject: Delete my data\r\n"
      "Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\nPlease delete my account and all my personal data.\r\n";

  // Then 100 more requests without Message-ID, so that the messages fill more than one batch.
  const int kFillers = 100;
  for (int i = 0; i < kFillers; ++i) items.push_back({"", "request"});
  auto filler_mail = [](int i) {
    return "From: Filler " + std::to_string(i) + " <filler." + std::to_string(i) +
           "@example.org>\r\nTo: privacy@nimbus.example\r\nSubject: Delete my data\r\n"
           "Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\nPlease delete my account and all my personal data.\r\n";
  };

  fs::create_directories(inbox / "tmp");
  fs::create_directories(inbox / "new");
  std::map<std::string, std::string> outcome_of;  // Maildir name -> expected outcome
  const auto now = fs::file_time_type::clock::now();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string name = std::to_string(1795000000 + i) + ".M" + std::to_string(i) + "P4242.e2e";
    const fs::path tmp = inbox / "tmp" / name;
    if (i == 2) std::ofstream(tmp, std::ios::binary) << no_id_mail;
    else if (items[i].file.empty()) std::ofstream(tmp, std::ios::binary) << filler_mail(static_cast<int>(i));
    else fs::copy_file(kFixtures + "/" + items[i].file, tmp);
    fs::rename(tmp, inbox / "new" / name);
    fs::last_write_time(inbox / "new" / name, now - std::chrono::seconds(1000 - static_cast<int>(i)));
    outcome_of[name] = items[i].outcome;
  }
  const size_t total = items.size();
  REQUIRE(CountFiles(inbox / "new") == total);

  // 1. The server exits (44) right after the commit of the batch holding the third message: the
  //    first 100 messages, in one transaction; none of their files moved.
  d.StartServer({"--test-clock", kClock}, {{"DSAR_TEST_CRASH", "maildir_after_commit:3"}});
  auto inbound = [&] { return std::stol(Query(d.db(), "SELECT count(*) FROM inbound_messages")); };
  REQUIRE(WaitFor([&] { return inbound() >= 1; }, 60));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  if (inbound() != 100) {
    d.KillServer(SIGKILL);
    FAIL("the crash hook did not stop the server after the first batch");
  }
  CHECK(d.WaitServerExit() == 44);
  CHECK(inbound() == 100);
  CHECK(CountFiles(inbox / "cur") == 0);
  CHECK(CountFiles(inbox / "new") == total);  // the first 100 are stored, but still in new/

  // 2. A normal restart recognises those by their names, moves them, and takes the rest.
  d.StartServer({"--test-clock", kClock});
  CHECK(WaitFor([&] { return CountFiles(inbox / "new") == 0; }, 120));
  CHECK(d.StopServer() == 0);

  CHECK(inbound() == static_cast<long>(total));
  // 15 fixture requests, the one without Message-ID and the fillers.
  CHECK(Query(d.db(), "SELECT count(*) FROM requests") == std::to_string(16 + kFillers));
  CHECK(Query(d.db(), "SELECT count(*) FROM requests WHERE json_extract(subject_json, '$.email') = "
                      "'robin.no-id@example.org'") == "1");
  CHECK(Query(d.db(), "SELECT count(DISTINCT maildir_name) FROM inbound_messages") == std::to_string(total));
  for (const auto& [name, outcome] : outcome_of) {
    INFO(name);
    CHECK(Query(d.db(), "SELECT outcome FROM inbound_messages WHERE maildir_name = '" + name + "'") == outcome);
    CHECK(fs::exists(inbox / "cur" / (name + ":2,")));
  }
  CHECK(CountFiles(inbox / "new") == 0);
  CHECK(CountFiles(inbox / "cur") == total);
  CHECK(ReadFile(d.dir() + "/serve.log").find('@') == std::string::npos);  // no addresses logged
}
