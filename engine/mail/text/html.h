// HTML to plain text, for mail that has no text/plain part.
//
// Pure and thread-safe; never throws on malformed HTML.
#pragma once

#include <string>
#include <string_view>

namespace dsar::mail {

// Converts HTML to plain text: drops head/script/style and comments, turns block elements
// into line breaks and table cells into "cell<TAB>cell" lines, decodes character
// references, and prefixes text inside <blockquote> with "> " so it is seen as quoted.
std::string HtmlToText(std::string_view html);

}  // namespace dsar::mail
