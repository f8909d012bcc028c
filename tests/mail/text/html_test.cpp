// HTML to text (mail/text/html.h), as ParseMessage applies it to HTML-only mail.
#include <catch2/catch.hpp>

#include <string>

#include "mail/fixtures.h"
#include "mail/message.h"
#include "mail/raw_message.h"
#include "mail/text/html.h"

using namespace dsar;
using namespace dsar::mail;
using test::kRequests;
using test::MustParse;
using test::ReadFile;

TEST_CASE("HTML-only mail is converted to text", "[mail][parse]") {
  const auto m = MustParse(ReadFile(kRequests / "webform_html_only_deletion.eml"));
  CHECK(m.text.find('<') == std::string::npos);
  CHECK(m.text.find("Request type\tDelete my data") != std::string::npos);
  CHECK(m.text.find("Email\tlucia.bianchi@example.com") != std::string::npos);
  CHECK(HtmlToText("<p>a&amp;b&nbsp;c &lt;x&gt; &eacute;&#233;&#xE9;</p><script>x()</script><br>d") ==
        "a&b c <x> ééé\n\nd");
  CHECK(HtmlToText("<div>mine</div><blockquote>theirs<br>more</blockquote>") == "mine\n\n> theirs\n> more");
}
