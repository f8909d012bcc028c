// Outbound mail over SMTP through a local relay (python3-aiosmtpd, tests/support/smtp_sink.py):
// a request in, its acknowledgment and code out over STARTTLS with AUTH, the reply with the
// code in, verified; and the failures a relay gives: 550 at once, 451 until the retries are spent.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "support/harness.h"

using namespace dsar::test;

namespace {

const std::string kRequests = std::string(DSAR_SHARED_FIXTURES) + "/mail/requests";

void AppendConfig(const Deployment& d, const std::string& lines) { std::ofstream(d.config(), std::ios::app) << lines; }

std::vector<std::string> MailsFor(const SmtpSink& sink, const std::string& reference) {
  std::vector<std::string> out;
  for (auto& m : sink.Messages())
    if (MailHeader(m, "Subject").find("[" + reference + "]") != std::string::npos) out.push_back(m);
  return out;
}

std::string FillReply(const std::string& ref, const std::string& code, const std::string& our_id) {
  std::string t = ReadFile(kRequests + "/TEMPLATE_reply_with_code.eml");
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at; (at = t.find(from)) != std::string::npos;) t.replace(at, from.size(), to);
  };
  replace("{{CODE}}", code);
  replace("{{REFERENCE}}", ref);
  replace("{{OUR_MESSAGE_ID}}", our_id);
  replace("{{MESSAGE_ID}}", "<smtp-reply-1@example.org>");
  return t;
}

std::string Mail(const std::string& from, const std::string& mid) {
  return "From: " + from + "\r\nTo: privacy@nimbus.example\r\nSubject: Delete my account\r\nMessage-ID: <" + mid +
         ">\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello,\r\n\r\nplease delete my account and all the "
         "personal data you hold about me.\r\n\r\nThanks\r\n";
}

}  // namespace

TEST_CASE("SMTP round trip: request in, acknowledgment and code out over STARTTLS and AUTH, reply in, verified",
          "[e2e][smtp]") {
  Deployment d;
  SmtpSink sink(d.dir(), {true, "dsar:s3cret-relay", {}, {}});
  std::ofstream(d.dir() + "/smtp.pass") << "s3cret-relay\n";
  AppendConfig(d, "mail_transport: smtp\nsmtp_url: smtp://127.0.0.1:" + std::to_string(sink.port()) +
                      "\nsmtp_tls: required\nsmtp_username: dsar\nsmtp_password_file: " + d.dir() +
                      "/smtp.pass\nsmtp_ca_file: " + sink.certificate() +
                      // the package is released without the redaction review (tested in tests/api)
                      "\naccess_review: false\n");
  d.StartServer();

  const std::string ref = d.Cli({"intake-mail", kRequests + "/apple_de_auskunft.eml"});
  REQUIRE(std::regex_match(ref, std::regex("DSR-[0-9A-Z]{4}-[0-9A-Z]{4}")));
  std::vector<std::string> mails;
  REQUIRE(WaitFor([&] { return (mails = MailsFor(sink, ref)).size() == 2; }));

  // Both went over TLS, authenticated, to the data subject, threaded under her message, in German.
  const std::string log = sink.Log();
  CHECK(std::regex_search(log, std::regex("accepted <dsar\\.[0-9a-f]+@nimbus\\.example> tls=yes auth=yes\n"
                                          "accepted <dsar\\.[0-9a-f]+@nimbus\\.example> tls=yes auth=yes\n")));
  const std::string& ack = mails[0];
  const std::string& code_mail = mails[1];
  for (const auto& m : mails) {
    CHECK(MailHeader(m, "X-Sink-Envelope-From") == "privacy@nimbus.example");
    CHECK(MailHeader(m, "X-Sink-Envelope-To") == "maria.schmidt@example.org");
    CHECK(MailHeader(m, "In-Reply-To") == "<7A1C2E9B-5D0F-4C34-9E2B-0F6B8E2D11AA@example.org>");
    CHECK(MailHeader(m, "Content-Language") == "de");
    CHECK(MailHeader(m, "Auto-Submitted") == "auto-generated");
    CHECK(MailHeader(m, "Content-Type").rfind("multipart/alternative;", 0) == 0);
  }
  std::string refs = MailHeader(code_mail, "References");  // folded by GMime: unfold
  std::replace(refs.begin(), refs.end(), '\t', ' ');
  CHECK(refs == "<7A1C2E9B-5D0F-4C34-9E2B-0F6B8E2D11AA@example.org> " +
                                                   MailHeader(ack, "Message-ID"));
  std::smatch code;
  REQUIRE(std::regex_search(code_mail, code, std::regex("\r\n {4}([0-9]{6})\r\n")));

  // Her reply with the code verifies the request; fulfillment runs and the completion goes out too.
  CHECK(d.Cli({"intake-mail"}, FillReply(ref, code[1], MailHeader(code_mail, "Message-ID"))) == ref + " (reply)");
  const std::string id = Query(d.db(), "SELECT id FROM requests WHERE reference = '" + ref + "'");
  REQUIRE(WaitFor([&] { return Query(d.db(), "SELECT state FROM requests WHERE id = '" + id + "'") == "completed"; }));
  CHECK(Query(d.db(), "SELECT identity_verified FROM requests WHERE id = '" + id + "'") == "1");
  REQUIRE(WaitFor([&] { return MailsFor(sink, ref).size() == 3; }));
  // The code mail and the completion (it carries the package's download link) keep no body.
  CHECK(Query(d.db(), "SELECT template || ':' || attempts || ':' || (delivered_at IS NOT NULL) || ':' || "
                      "(body IS NULL) FROM outbox WHERE request_id = '" + id + "' ORDER BY id") ==
        "acknowledgment:1:1:0\nverification_code:1:1:1\ncompleted:1:1:1");
  // No address and no code in the server's log.
  const std::string serve_log = ReadFile(d.dir() + "/serve.log");
  CHECK(serve_log.find("maria.schmidt") == std::string::npos);
  CHECK(serve_log.find(std::string(code[1])) == std::string::npos);
}

TEST_CASE("SMTP failures: a 550 fails at once, a 451 is retried until the attempts are spent, staff see both",
          "[e2e][smtp]") {
  Deployment d;
  SmtpSink sink(d.dir(), {false, "", {"bounce.me@example.com"}, {"later@example.com"}});
  AppendConfig(d, "mail_transport: smtp\nsmtp_url: smtp://127.0.0.1:" + std::to_string(sink.port()) +
                      "\nsmtp_tls: none\nmail_retry_initial_seconds: 1\nmail_max_attempts: 3\n");
  d.StartServer();
  const std::string bounced = d.Cli({"intake-mail"}, Mail("Bo Unce <bounce.me@example.com>", "b1@example.com"));
  const std::string deferred = d.Cli({"intake-mail"}, Mail("Lee Later <later@example.com>", "l1@example.com"));
  const std::string fine = d.Cli({"intake-mail"}, Mail("Fay Fine <fine@example.com>", "f1@example.com"));
  auto rows = [&](const std::string& ref) {
    return Query(d.db(), "SELECT o.template || ':' || o.attempts || ':' || (o.failed_at IS NOT NULL) || ':' || "
                         "(o.delivered_at IS NOT NULL) FROM outbox o JOIN requests r ON r.id = o.request_id "
                         "WHERE r.reference = '" + ref + "' ORDER BY o.id");
  };
  REQUIRE(WaitFor([&] { return rows(bounced) == "acknowledgment:1:1:0\nverification_code:1:1:0"; }));
  REQUIRE(WaitFor([&] { return rows(deferred) == "acknowledgment:3:1:0\nverification_code:3:1:0"; }));
  REQUIRE(WaitFor([&] { return rows(fine) == "acknowledgment:1:0:1\nverification_code:1:0:1"; }));
  CHECK(Query(d.db(), "SELECT DISTINCT o.last_error FROM outbox o JOIN requests r ON r.id = o.request_id "
                      "WHERE r.reference = '" + bounced + "'")
            == "SMTP 550 5.1.1 mailbox unavailable");  // the relay's own words, for staff
  // The history staff read: one mail_failed per failed mail, the request still waiting for its code.
  auto failures = [&](const std::string& ref) {
    return Query(d.db(), "SELECT t.event || ' ' || t.to_state || ' ' || json_extract(t.data_json, '$.template') "
                         "FROM transitions t JOIN requests r ON r.id = t.request_id WHERE r.reference = '" + ref +
                         "' AND t.event = 'mail_failed' ORDER BY t.seq");
  };
  CHECK(failures(bounced) == "mail_failed verifying acknowledgment\nmail_failed verifying verification_code");
  CHECK(failures(deferred) == "mail_failed verifying acknowledgment\nmail_failed verifying verification_code");
  CHECK(failures(fine).empty());
  CHECK(Query(d.db(), "SELECT reason FROM transitions t JOIN requests r ON r.id = t.request_id WHERE r.reference = '" +
                          deferred + "' AND t.event = 'mail_failed' ORDER BY t.seq LIMIT 1")
            .find("(gave up after 3 attempts)") != std::string::npos);
  CHECK(sink.Messages().size() == 2);  // only Fay's mails were accepted
}
