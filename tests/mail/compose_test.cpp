// ComposeMessage: what we send parses back to what we meant, with the threading and loop-
// prevention headers, in quoted-printable UTF-8 parts.
#include <catch2/catch.hpp>

#include "mail/compose.h"
#include "mail/message.h"

using namespace dsar;

namespace {

mail::OutgoingMail Sample() {
  mail::OutgoingMail m;
  m.from = "Nimbus Cloud Datenschutz <privacy@nimbus.example>";
  m.to = {"juergen@example.de", "agent@example.org"};
  m.subject = "[DSR-AAAA-BBBB] Ihr Antrag auf Löschung — bestätigt";
  m.text = "Hallo Jürgen,\n\n" + std::string(300, 'x') + "\n    123456\n";
  m.html = "<p>Hallo J&uuml;rgen,</p>";
  m.message_id = "dsar.0123abcd@nimbus.example";
  m.in_reply_to = "their@example.de";
  m.references = {"their@example.de", "dsar.first@nimbus.example"};
  m.language = "de";
  m.date = 1795165200000;  // 2026-11-20T09:00:00Z
  return m;
}

}  // namespace

TEST_CASE("a composed message parses back to what was meant", "[mail][compose]") {
  auto raw = mail::ComposeMessage(Sample());
  REQUIRE(raw.ok());
  auto p = mail::ParseMessage(*raw);
  REQUIRE(p.ok());
  CHECK(p->subject == "[DSR-AAAA-BBBB] Ihr Antrag auf Löschung — bestätigt");
  CHECK(p->message_id == "dsar.0123abcd@nimbus.example");
  CHECK(p->in_reply_to == "their@example.de");
  CHECK(p->references == std::vector<std::string>{"their@example.de", "dsar.first@nimbus.example"});
  REQUIRE(p->from.has_value());
  CHECK(p->from->name == "Nimbus Cloud Datenschutz");
  CHECK(p->from->email == "privacy@nimbus.example");
  REQUIRE(p->to.size() == 2);
  CHECK(p->to[1].email == "agent@example.org");
  CHECK(p->date == std::optional<Millis>(1795165200000));
  // The 300-character line was soft-broken by quoted-printable and comes back whole.
  CHECK(p->text.rfind("Hallo Jürgen,\n\n" + std::string(300, 'x') + "\n    123456", 0) == 0);
  CHECK(p->part_types == std::vector<std::string>{"text/plain", "text/html"});
  CHECK(p->auto_submitted == "auto-generated");
  // Headers and bodies are 7-bit, lines end in CRLF and stay within 78 characters (QP, encoded-words).
  for (unsigned char c : *raw) CHECK(c < 0x80);
  size_t start = 0;
  for (size_t at; (at = raw->find('\n', start)) != std::string::npos; start = at + 1) {
    REQUIRE(at > start);
    CHECK(raw->at(at - 1) == '\r');
    CHECK(at - start - 1 <= 78);
  }
  CHECK(raw->find("Content-Transfer-Encoding: quoted-printable") != std::string::npos);
  CHECK(raw->find("Content-Language: de") != std::string::npos);
  CHECK(raw->find("X-Auto-Response-Suppress: All") != std::string::npos);
}

TEST_CASE("text only when there is no HTML body", "[mail][compose]") {
  auto m = Sample();
  m.html.clear();
  auto raw = mail::ComposeMessage(m);
  REQUIRE(raw.ok());
  auto p = mail::ParseMessage(*raw);
  REQUIRE(p.ok());
  CHECK(p->part_types == std::vector<std::string>{"text/plain"});
  CHECK(p->content_type == "text/plain");
}

TEST_CASE("bad addresses and a missing Message-ID are refused", "[mail][compose]") {
  auto m = Sample();
  m.to = {"not an address"};
  CHECK(mail::ComposeMessage(m).status().message() == "a recipient is not a mail address");
  m = Sample();
  m.from = "a@example.com, b@example.com";
  CHECK(mail::ComposeMessage(m).status().message() == "the sender 'a@example.com, b@example.com' is not one mail address");
  m = Sample();
  m.message_id.clear();
  CHECK(mail::ComposeMessage(m).status().message() == "an outgoing mail needs a Message-ID");
  m = Sample();
  m.to.clear();
  CHECK(mail::ComposeMessage(m).status().message() == "an outgoing mail needs a recipient");
}

TEST_CASE("unusable ids are left out of In-Reply-To and References", "[mail][compose]") {
  auto m = Sample();
  m.in_reply_to = std::string(1200, 'a') + "@example.com";
  m.references = {"hello world@example.com", "no-at-sign", "ok@example.com", m.in_reply_to};
  auto raw = mail::ComposeMessage(m);
  REQUIRE(raw.ok());
  auto p = mail::ParseMessage(*raw);
  REQUIRE(p.ok());
  CHECK(p->in_reply_to.empty());
  CHECK(p->references == std::vector<std::string>{"ok@example.com"});
  CHECK(raw->find("In-Reply-To") == std::string::npos);
}
