// The one HTML escaper (engine/core/html.h).
#include <catch2/catch.hpp>

#include "core/html.h"

using dsar::HtmlEscape;

TEST_CASE("HtmlEscape replaces the five characters that matter in text and attributes", "[core][html]") {
  CHECK(HtmlEscape("&") == "&amp;");
  CHECK(HtmlEscape("<") == "&lt;");
  CHECK(HtmlEscape(">") == "&gt;");
  CHECK(HtmlEscape("\"") == "&quot;");
  CHECK(HtmlEscape("'") == "&#39;");
  CHECK(HtmlEscape("<a href=\"x\" title='O'Neil'>Tom & Jerry</a>") ==
        "&lt;a href=&quot;x&quot; title=&#39;O&#39;Neil&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
  // Already-escaped text is escaped again (the input is text, never markup).
  CHECK(HtmlEscape("&amp;") == "&amp;amp;");
}

TEST_CASE("HtmlEscape passes every other byte through", "[core][html]") {
  CHECK(HtmlEscape("") == "");
  CHECK(HtmlEscape("plain text, 42 = 6 * 7; a/b #1 @home") == "plain text, 42 = 6 * 7; a/b #1 @home");
  CHECK(HtmlEscape("Se\xC3\xA1n \xE2\x80\x94 Zo\xC3\xAB") == "Se\xC3\xA1n \xE2\x80\x94 Zo\xC3\xAB");
  CHECK(HtmlEscape(std::string("a\0b\n\tc", 6)) == std::string("a\0b\n\tc", 6));
}
