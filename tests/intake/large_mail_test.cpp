// Size limits on inbound mail (issue 4 §2, config max_message_bytes): a message of exactly the
// limit (25 MiB by default: a text request with a large base64 attachment) goes through intake as
// a request; one byte more is refused and still recorded with its true size, the SHA-256 of every
// byte, the intake time and only its first 64 KiB — through the service, ReadMail on a pipe and on
// a file, and the Maildir watcher. The messages are generated here, into a temporary folder.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/sha256.h"
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
const std::int64_t kLimit = 25 * 1024 * 1024;

// A deletion request from `from` with an ID scan attached (base64), exactly `total` bytes long (the
// last few bytes are padding in the MIME epilogue).
std::string BigMail(std::size_t total, const std::string& from, const std::string& message_id) {
  std::string m = "From: " + from + "\r\nTo: privacy@nimbus.example\r\nSubject: Delete my data\r\nMessage-ID: <" +
                  message_id +
                  ">\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                  "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                  "Please delete my account and all my personal data. A scan of my ID is attached.\r\n"
                  "--b1\r\nContent-Type: application/pdf; name=\"id-scan.pdf\"\r\n"
                  "Content-Disposition: attachment; filename=\"id-scan.pdf\"\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n";
  const std::string tail = "--b1--\r\n";
  const std::string line = std::string(76, 'Q') + "\r\n";
  m.reserve(total);
  while (m.size() + line.size() + tail.size() <= total) m += line;
  m += tail;
  m.append(total - m.size(), ' ');
  REQUIRE(m.size() == total);
  return m;
}

struct Fixture {
  fs::path dir;
  service::Config cfg;
  ManualClock clock{kStart};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::Engine> svc;

  Fixture() {
    char tmpl[] = "/tmp/dsar-large-XXXXXX";
    dir = mkdtemp(tmpl);
    cfg.db_path = (dir / "dsar.db").string();
    cfg.workflows_dir = std::string(DSAR_SOURCE_DIR) + "/workflows";
    cfg.templates_dir = std::string(DSAR_SOURCE_DIR) + "/templates/mail";
    cfg.secret_key_file = (dir / "secret.key").string();
    cfg.outbox_maildir = (dir / "outbox").string();
    cfg.exports_dir = (dir / "exports").string();
    cfg.intake_maildir = (dir / "inbox").string();
    auto st = store::Store::Open({cfg.db_path});
    REQUIRE(st.ok());
    store = std::move(st.value());
    auto s = service::Engine::Create(cfg, *store, clock);
    if (!s.ok()) FAIL(s.status().ToString());
    svc = std::move(s.value());
  }
  ~Fixture() {
    svc.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // Every row of a one-column query (join the columns with || '|' ||), joined with '\n'.
  std::string Row(const std::string& sql) { return test_sql::Text(store->path(), sql, "\n"); }
};

std::string RefusedLine(std::int64_t size) {
  return "refused: the message is " + std::to_string(size) + " bytes; the limit is " + std::to_string(kLimit) +
         " bytes (only its first 65536 bytes are kept)";
}

}  // namespace

TEST_CASE("large mail: a message of exactly the limit is a request, one byte more is refused and recorded",
          "[service][large]") {
  Fixture f;
  REQUIRE(f.cfg.max_message_bytes == kLimit);  // the default

  const std::string fits = BigMail(static_cast<std::size_t>(kLimit), "big.sender@example.org", "big-1@example.org");
  auto ok = IntakeMail(*f.svc, fits);
  REQUIRE(ok.ok());
  CHECK(ok->kind == "request");
  CHECK(f.Row("SELECT type || '|' || json_extract(subject_json, '$.email') FROM requests") == "deletion|big.sender@example.org");
  CHECK(f.Row("SELECT size || '|' || (SELECT length(raw) FROM inbound_raw WHERE message_row = inbound_messages.id) || '|' || sha256 FROM inbound_messages WHERE id = " + std::to_string(ok->message_row)) ==
        std::to_string(kLimit) + "|" + std::to_string(kLimit) + "|" + Sha256Hex(fits));

  f.clock.Advance(kMillisPerMinute);
  const std::string over = BigMail(static_cast<std::size_t>(kLimit) + 1, "too.big@example.org", "big-2@example.org");
  auto refused = IntakeMail(*f.svc, over);
  REQUIRE(refused.ok());
  CHECK(refused->kind == "refused");
  CHECK(refused->reference.empty());
  CHECK(refused->line == RefusedLine(kLimit + 1));
  CHECK(f.Row("SELECT size || '|' || (SELECT length(raw) FROM inbound_raw WHERE message_row = inbound_messages.id) || '|' || sha256 || '|' || outcome || '|' || received_at || '|' || "
              "intake_at || '|' || (request_id IS NULL) FROM inbound_messages WHERE id = " + std::to_string(refused->message_row)) ==
        std::to_string(kLimit + 1) + "|65536|" + Sha256Hex(over) + "|refused|" + std::to_string(kStart + kMillisPerMinute) +
            "|" + std::to_string(kStart + kMillisPerMinute) + "|1");
  CHECK(f.Row("SELECT count(*) FROM requests") == "1");

  // Staff see it in the `refused` queue, decoded from the kept beginning (who sent it, the subject).
  auto queue = ListInbound(*f.svc, "refused", 0, 10);
  REQUIRE(queue.ok());
  REQUIRE(queue->size() == 1);
  CHECK((*queue)[0].row.detail == RefusedLine(kLimit + 1).substr(9));
  CHECK((*queue)[0].readable);
  CHECK((*queue)[0].subject == "Delete my data");
  CHECK((*queue)[0].from_email.value_or("") == "too.big@example.org");
  // Its Message-ID is recorded from the kept header.
  CHECK(f.Row("SELECT message_id FROM inbound_messages WHERE id = " + std::to_string(refused->message_row)) ==
        "big-2@example.org");
}

TEST_CASE("large mail: ReadMail keeps at most the limit in memory and hashes every byte", "[service][large]") {
  Fixture f;
  const std::int64_t limit = 100000;
  const std::string fits(static_cast<std::size_t>(limit), 'a');
  const std::string over = fits + "bc";

  SECTION("a pipe (stdin): the size is unknown until the end") {
    for (const std::string* text : {&fits, &over}) {
      int p[2];
      REQUIRE(pipe(p) == 0);
      std::thread writer([&] {
        std::size_t off = 0;
        while (off < text->size()) {
          const ssize_t n = write(p[1], text->data() + off, std::min<std::size_t>(4096, text->size() - off));
          if (n <= 0) break;
          off += static_cast<std::size_t>(n);
        }
        close(p[1]);
      });
      auto read = service::ReadMail(p[0], limit);
      writer.join();
      close(p[0]);
      REQUIRE(read.ok());
      CHECK(read->size == static_cast<std::int64_t>(text->size()));
      CHECK(read->sha256 == Sha256Hex(*text));
      CHECK(read->over_limit == (text == &over));
      CHECK(read->raw == (text == &over ? over.substr(0, service::kRefusedKeptBytes) : fits));
      // Never grown past the limit; once over it, only the kept beginning is held (the string may
      // have grown by doubling while the first bytes came in, as the pipe delivered them).
      if (text == &over) CHECK(read->raw.capacity() < 2 * service::kRefusedKeptBytes);
      else CHECK(read->raw.capacity() <= static_cast<std::size_t>(limit) + 64);
    }
  }
  SECTION("a regular file: over the limit by its size, only its beginning is read into memory") {
    for (const std::string* text : {&fits, &over}) {
      const fs::path file = f.dir / "message.eml";
      { std::ofstream(file, std::ios::binary | std::ios::trunc) << *text; }
      const int fd = ::open(file.c_str(), O_RDONLY);
      REQUIRE(fd >= 0);
      auto read = service::ReadMail(fd, limit);
      ::close(fd);
      REQUIRE(read.ok());
      CHECK(read->size == static_cast<std::int64_t>(text->size()));
      CHECK(read->sha256 == Sha256Hex(*text));
      CHECK(read->over_limit == (text == &over));
      CHECK(read->raw.size() == (text == &over ? service::kRefusedKeptBytes : fits.size()));
      if (text == &over) CHECK(read->raw.capacity() < 2 * service::kRefusedKeptBytes);
    }
  }
}

TEST_CASE("large mail: the Maildir watcher refuses a file over the limit, records it and moves it to cur/",
          "[service][large][maildir]") {
  Fixture f;
  const fs::path inbox(f.cfg.intake_maildir);
  fs::create_directories(inbox / "new");
  const std::string fits = BigMail(static_cast<std::size_t>(kLimit), "fits@example.org", "m-fits@example.org");
  const std::string over = BigMail(static_cast<std::size_t>(kLimit) + 1, "over@example.org", "m-over@example.org");
  { std::ofstream(inbox / "new" / "1795000001.M1P1.mx", std::ios::binary) << over; }
  { std::ofstream(inbox / "new" / "1795000002.M1P1.mx", std::ios::binary) << fits; }
  fs::last_write_time(inbox / "new" / "1795000001.M1P1.mx", fs::file_time_type::clock::now() - std::chrono::seconds(10));
  std::vector<std::string> log;
  service::MaildirIntake intake(*f.svc, f.cfg.intake_maildir, {.batch = 100}, [&](const std::string& l) { log.push_back(l); });
  auto n = intake.ScanOnce();
  REQUIRE(n.ok());
  CHECK(*n == 2);
  CHECK(fs::is_empty(inbox / "new"));
  CHECK(fs::exists(inbox / "cur" / "1795000001.M1P1.mx:2,"));
  CHECK(fs::exists(inbox / "cur" / "1795000002.M1P1.mx:2,"));
  CHECK(log.empty());
  CHECK(f.Row("SELECT maildir_name || '|' || outcome || '|' || size || '|' || (SELECT length(raw) FROM inbound_raw WHERE message_row = inbound_messages.id) || '|' || sha256 FROM "
              "inbound_messages ORDER BY id") ==
        "1795000001.M1P1.mx|refused|" + std::to_string(kLimit + 1) + "|65536|" + Sha256Hex(over) + "\n" +
            "1795000002.M1P1.mx|request|" + std::to_string(kLimit) + "|" + std::to_string(kLimit) + "|" +
            Sha256Hex(fits));
  CHECK(f.Row("SELECT json_extract(subject_json, '$.email') FROM requests") == "fits@example.org");
  // Found again in new/ (a crash before the move): the earlier outcome, nothing stored twice.
  auto again = IntakeMail(*f.svc, over, "1795000001.M1P1.mx");
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->line == RefusedLine(kLimit + 1));
  CHECK(f.Row("SELECT count(*) FROM inbound_messages") == "2");
}

TEST_CASE("large mail: the max_message_bytes config key", "[service][large]") {
  char tmpl[] = "/tmp/dsar-large-cfg-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const fs::path file = dir / "dsar.yaml";
  { std::ofstream(file) << "max_message_bytes: 1048576\n"; }
  auto c = service::LoadConfig(file.string());
  REQUIRE(c.ok());
  CHECK(c->max_message_bytes == 1048576);
  CHECK(service::Config().max_message_bytes == 26214400);
  { std::ofstream(file, std::ios::trunc) << "max_message_bytes: 1000\n"; }
  auto small = service::LoadConfig(file.string());
  REQUIRE_FALSE(small.ok());
  CHECK(small.status().message() == file.string() + ":1: 'max_message_bytes' must be at least 65536");
  { std::ofstream(file, std::ios::trunc) << "max_message_bytes: lots\n"; }
  CHECK_FALSE(service::LoadConfig(file.string()).ok());
  fs::remove_all(dir);
}
