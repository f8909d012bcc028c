// Size limits on inbound mail through the real binary (issue 4 §2): `dsar intake-mail` takes a
// message of exactly max_message_bytes (25 MiB by default: a request with a large base64
// attachment) as a request, and refuses one byte more — from stdin or from a file — printing
// `refused: <reason>` and recording its true size, the SHA-256 of every byte and its first 64 KiB.
// POST /api/v1/intake/mail follows the configured limit: 413 above it, and nothing is stored (the
// bytes never arrive; the client keeps the message). The messages are generated into the test's
// temporary deployment folder.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>

#include "support/harness.h"

using namespace dsar::test;

namespace {

const char* kClock = "2026-11-17T09:00:00Z";
const std::size_t kLimit = 25 * 1024 * 1024;

// A deletion request from `from` with an ID scan attached (base64), exactly `total` bytes long.
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

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// sha256sum's digest of a file.
std::string Sha256Of(const std::string& path) {
  FILE* p = popen(("sha256sum '" + path + "'").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[65] = {};
  const size_t n = fread(buf, 1, 64, p);
  pclose(p);
  REQUIRE(n == 64);
  return std::string(buf, 64);
}

std::string Refused(std::size_t size, std::size_t limit) {
  return "refused: the message is " + std::to_string(size) + " bytes; the limit is " + std::to_string(limit) +
         " bytes (only its first 65536 bytes are kept)";
}

}  // namespace

TEST_CASE("large mail: dsar intake-mail takes 25 MiB as a request and refuses one byte more, recorded",
          "[e2e][large]") {
  Deployment d(false);
  const std::string fits = WriteFile(d.dir() + "/fits.eml", BigMail(kLimit, "big.sender@example.org", "fits@example.org"));
  int rc = -1;
  const std::string ref = d.Cli({"--test-clock", kClock, "intake-mail", fits}, "", &rc);
  CHECK(rc == 0);
  REQUIRE(std::regex_match(ref, std::regex("DSR-[0-9A-Z]{4}-[0-9A-Z]{4}")));
  CHECK(Query(d.db(), "SELECT type, json_extract(subject_json, '$.email') FROM requests WHERE reference = '" + ref + "'") ==
        "deletion|big.sender@example.org");
  CHECK(Query(d.db(), "SELECT size, (SELECT length(raw) FROM inbound_raw WHERE message_row = inbound_messages.id), sha256 FROM inbound_messages") ==
        std::to_string(kLimit) + "|" + std::to_string(kLimit) + "|" + Sha256Of(fits));

  const std::string over_text = BigMail(kLimit + 1, "too.big@example.org", "over@example.org");
  const std::string over = WriteFile(d.dir() + "/over.eml", over_text);
  const std::string sha = Sha256Of(over);
  // From stdin (a Postfix pipe): the size is only known at the end.
  CHECK(d.Cli({"--test-clock", kClock, "intake-mail"}, over_text, &rc) == Refused(kLimit + 1, kLimit));
  CHECK(rc == 0);
  // As a file: its size tells before it is read.
  CHECK(d.Cli({"--test-clock", kClock, "intake-mail", over}, "", &rc) == Refused(kLimit + 1, kLimit));
  CHECK(rc == 0);
  CHECK(Query(d.db(), "SELECT size, (SELECT length(raw) FROM inbound_raw WHERE message_row = inbound_messages.id), sha256, outcome, request_id IS NULL, received_at = intake_at, "
                      "substr(detail, 1, 23) FROM inbound_messages WHERE outcome = 'refused'") ==
        std::to_string(kLimit + 1) + "|65536|" + sha + "|refused|1|1|the message is 26214401\n" +
            std::to_string(kLimit + 1) + "|65536|" + sha + "|refused|1|1|the message is 26214401");
  CHECK(Query(d.db(), "SELECT count(*) FROM requests") == "1");
}

TEST_CASE("large mail: POST /intake/mail follows max_message_bytes, above it 413 and nothing stored", "[e2e][large]") {
  Deployment d(false);
  { std::ofstream(d.config(), std::ios::app) << "max_message_bytes: 100000\n"; }
  const std::string token = d.Cli({"token", "create"});
  const unsigned short port = d.StartServer({"--test-clock", kClock});
  const std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + token},
                                                      {"Content-Type", "message/rfc822"}};
  auto fits = Http(port, "POST", "/api/v1/intake/mail", BigMail(100000, "fits@example.org", "h-fits@example.org"), headers);
  CHECK(fits.status == 201);
  auto over = Http(port, "POST", "/api/v1/intake/mail", BigMail(100001, "over@example.org", "h-over@example.org"), headers);
  CHECK(over.status == 413);
  CHECK(over.headers["content-type"] == "application/problem+json");
  CHECK(over.body.find("100000 bytes") != std::string::npos);
  CHECK(d.StopServer() == 0);
  CHECK(Query(d.db(), "SELECT count(*) FROM inbound_messages") == "1");
  // The command line follows the same key.
  int rc = -1;
  CHECK(d.Cli({"--test-clock", kClock, "intake-mail"}, BigMail(100001, "over@example.org", "c-over@example.org"), &rc) ==
        Refused(100001, 100000));
  CHECK(rc == 0);
}
