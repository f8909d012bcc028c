// Header decoding (mail/text/rfc2047.h): RFC 2047 encoded-words, and the guard that keeps our
// decoder where GMime has issue #133 (GMime before 3.2.14; Debian 12 ships 3.2.13).
#include <catch2/catch.hpp>

#include <gmime/gmime.h>

#include <string>

#include "mail/fixtures.h"
#include "mail/message.h"
#include "mail/raw_message.h"
#include "mail/text/rfc2047.h"

using namespace dsar;
using namespace dsar::mail;
using test::kPublic;
using test::MustParse;
using test::ReadFile;

// GMime 3.2.13 drops everything after a base64 encoded-word that ends in '=' padding
// (GMime issue #133, fixed in 3.2.14); we decode raw header values ourselves.
TEST_CASE("a base64 encoded-word ending in '=' padding keeps the rest of the header", "[mail][parse][regress]") {
  SECTION("the public fixture") {
    const auto m = MustParse(ReadFile(kPublic / "flanker_bilingual_b_subject.eml"));
    CHECK(m.subject == "Simple text. How are you? Как ты поживаешь?");
  }
  SECTION("padding in the middle of a header, followed by plain text") {
    const std::string raw =
        "From: a@example.com\r\n"
        "To: b@example.com\r\n"
        "Subject: =?UTF-8?B?Q2Fmw6k=?= and then plain text\r\n"
        "\r\nbody\r\n";
    CHECK(MustParse(raw).subject == "Café and then plain text");
  }
  SECTION("the decoder directly") {
    CHECK(DecodeHeaderText(" =?utf-8?B?YWI=?= =?utf-8?B?Y2Q=?= tail") == "abcd tail");
    CHECK(DecodeHeaderText("=?ISO-8859-1?Q?Andr=E9?= Pirard <x@y>") == "André Pirard <x@y>");
    CHECK(DecodeHeaderText("=?iso-8859-1?q?this=20is=20some=20text?=") == "this is some text");
    CHECK(DecodeHeaderText("a =?utf-8?q?b?=  c") == "a b  c");
    // a character split across two encoded-words
    CHECK(DecodeHeaderText("=?utf-8?B?w6k=?==?utf-8?B?w6k=?=") == "éé");
    CHECK(DecodeHeaderText("=?utf-8?q?=C3?= =?utf-8?q?=A9t=C3=A9?=") == "été");
    // RFC 2231 language suffix
    CHECK(DecodeHeaderText("=?utf-8*de?q?Gr=C3=BC=C3=9Fe?=") == "Grüße");
    // malformed encoded-words stay as they are
    CHECK(DecodeHeaderText("=?utf-8?x?abc?= =?broken") == "=?utf-8?x?abc?= =?broken");
    // folded
    CHECK(DecodeHeaderText(" =?UTF-8?B?w6k=?=\r\n =?UTF-8?B?w6k=?=\r\n\tend") == "éé\tend");
  }
}

// The guard: our decoder runs exactly where GMime has issue #133. On GMime before 3.2.14 its own
// decoder shows the bug (the text after the padded word is lost); on a fixed GMime it does not,
// and DecodeHeaderText hands decoding to GMime.
TEST_CASE("the RFC 2047 workaround is on exactly where GMime drops text after a padded word",
          "[mail][parse][regress]") {
  // Two encoded-words, the first ending in '=' padding (as the public fixture's Subject).
  const std::string raw = "=?utf-8?B?YWI=?= =?utf-8?B?Y2Q=?= tail";
  const bool gmime_fixed = g_mime_check_version(3, 2, 14);
  CHECK(GMimeDropsTextAfterPaddedWord() == !gmime_fixed);
  CHECK((GMimeDecodeHeaderText(raw) != "abcd tail") == GMimeDropsTextAfterPaddedWord());
  CHECK(DecodeHeaderText(raw) == "abcd tail");
  if (!gmime_fixed) {
    // Debian 12's 3.2.13: what GMime would have given, had we used it.
    CHECK(GMimeDecodeHeaderText(raw) == "ab tail");
  }
}
