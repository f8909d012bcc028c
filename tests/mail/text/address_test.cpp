// Address lists and one-line display text (mail/text/address.h), as found in acceptance testing:
// control characters in display names and the Subject survived; a quoted local part was
// squeezed into another mailbox ("john doe"@x -> johndoe@x).
//
// People and addresses are fictional (example.* domains).
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "mail/message.h"
#include "mail/raw_message.h"
#include "mail/text/address.h"

using namespace dsar;
using namespace dsar::mail;
using test::ClassifyRaw;
using test::Mail;
using test::MustParse;
using test::RawMessage;

TEST_CASE("control characters in display names and the Subject become one space", "[mail][parse][regress]") {
  const std::string lf = "=?utf-8?B?" + test::Base64("Eve\nSubject: pwned", 0) + "?=";
  const std::string crlf_tab = "=?utf-8?Q?Mallory=0D=0A=09Bcc:_x@example.net?=";
  RawMessage m;
  m.from = lf + " <eve@example.com>";
  m.reply_to = crlf_tab + " <mallory@example.com>";
  m.to = "=?utf-8?B?" + test::Base64("Privacy\r\n\tTeam", 0) + "?= <contact@nimbus.example>";
  m.subject = "=?utf-8?B?" + test::Base64("Delete my account\r\nBcc: victim@example.org", 0) + "?=";
  m.body = "Please delete my account and all my data.";
  const ParsedMessage p = MustParse(m.Build());
  REQUIRE(p.from);
  CHECK(p.from->name == "Eve Subject: pwned");
  REQUIRE(p.reply_to);
  CHECK(p.reply_to->name == "Mallory Bcc: x@example.net");
  REQUIRE(p.to.size() == 1);
  CHECK(p.to[0].name == "Privacy Team");
  CHECK(p.subject == "Delete my account Bcc: victim@example.org");
  for (const std::string& s : {p.from->name, p.reply_to->name, p.to[0].name, p.subject}) {
    CHECK(s.find_first_of("\r\n\t") == std::string::npos);
  }

  // The names the classifier returns: the data subject's, and an agent's.
  const Classification c = Classify(p);
  REQUIRE(c.outcome == Classification::Outcome::kRequest);
  CHECK(c.subject.email == "eve@example.com");
  CHECK(c.subject.name.find_first_of("\r\n\t") == std::string::npos);
  const Classification agent = ClassifyRaw(Mail(
      "Deletion request",
      "I am an authorized agent for my client Dana Frost (dana.frost@example.org). Please delete all her "
      "personal data.",
      "=?utf-8?B?" + test::Base64("Sam\tOrtiz\r\nX-Evil: 1", 0) + "?= <sam@ortiz-privacy.example>"));
  REQUIRE(agent.outcome == Classification::Outcome::kRequest);
  REQUIRE(agent.requester);
  CHECK(agent.requester->name == "Sam Ortiz X-Evil: 1");
  CHECK(agent.subject.email == "dana.frost@example.org");

  CHECK(CollapseControls("Eve\nSubject: pwned") == "Eve Subject: pwned");
  CHECK(CollapseControls(" \tA  \r\n  B\x7f" "C\xc2\x85" "D\xe2\x80\xa8" "E \n") == "A B C D E");
  CHECK(CollapseControls("Ana  María") == "Ana  María");  // blanks alone are kept as written
}

TEST_CASE("an address with a quoted local part or blanks is kept as written, never rewritten",
          "[mail][parse][classify][regress]") {
  const std::string body = "Please delete my account and all my data.";
  SECTION("the tester's: From: \"john doe\"@example.com") {
    const ParsedMessage p = MustParse(Mail("Delete", body, "\"john doe\"@example.com"));
    REQUIRE(p.from);
    CHECK(p.from->email == "\"john doe\"@example.com");
    const Classification c = Classify(p);
    CHECK(c.subject.email == "\"john doe\"@example.com");
    CHECK(c.subject.email != "johndoe@example.com");
    CHECK_FALSE(IsValidEmail(c.subject.email));  // the service sends it to triage
  }
  SECTION("in angle brackets, and unquoted with a blank") {
    const ParsedMessage a = MustParse(Mail("Delete", body, "John Doe <\"john doe\"@example.com>"));
    REQUIRE(a.from);
    CHECK(a.from->name == "John Doe");
    CHECK(a.from->email == "\"john doe\"@example.com");
    const ParsedMessage b = MustParse(Mail("Delete", body, "john doe@example.com"));
    REQUIRE(b.from);
    CHECK(b.from->email == "john doe@example.com");
    CHECK(Classify(b).subject.email == "john doe@example.com");
  }
  SECTION("blanks around '@' and '.', a mailto: and a fully quoted address are not a rewrite") {
    CHECK(ParseAddressList("Ann <ann.lee @ example.com>").front().email == "ann.lee@example.com");
    CHECK(ParseAddressList("Ann <ann . lee@example.com>").front().email == "ann.lee@example.com");
    CHECK(ParseAddressList("<mailto:ann.lee@example.com>").front().email == "ann.lee@example.com");
    CHECK(ParseAddressList("\"ann.lee@example.com\"").front().email == "ann.lee@example.com");
    CHECK(ParseAddressList("\"Lee, Ann\" <ann.lee@example.com>").front().email == "ann.lee@example.com");
  }
}
