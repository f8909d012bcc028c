// RFC 3676 format=flowed (mail/text/flowed.h), as ParseMessage applies it.
#include <catch2/catch.hpp>

#include <string>

#include "mail/fixtures.h"
#include "mail/message.h"
#include "mail/raw_message.h"
#include "mail/text/flowed.h"

using namespace dsar;
using namespace dsar::mail;
using test::kRequests;
using test::MustParse;
using test::ReadFile;

TEST_CASE("format=flowed bodies are unwrapped", "[mail][parse]") {
  CHECK(UnflowText("one \r\ntwo\r\n-- \r\nsig", false) == "one two\n-- \nsig");
  CHECK(UnflowText("a- \nb", true) == "a-b");
  CHECK(UnflowText("> quoted \n> more\nfresh", false) == "> quoted more\nfresh");
  const auto m = MustParse(ReadFile(kRequests / "apple_de_auskunft.eml"));
  CHECK(m.subject == "Auskunftsersuchen nach Art. 15 DSGVO");
  CHECK(m.text.find("gemäß Art. 15 DSGVO Auskunft über die zu meiner Person") != std::string::npos);
}
