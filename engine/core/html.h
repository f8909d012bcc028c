// Escaping text for HTML: the one escaper of every page and HTML mail part the engine writes
// (the access package's index.html and review notes, the download-link page, HTML mail bodies).
// Thread-safe; allocates the result.
#pragma once

#include <string>
#include <string_view>

namespace dsar {

// `s` with & < > " ' replaced by character references (&amp; &lt; &gt; &quot; &#39;): safe as
// HTML text and inside a quoted attribute value. Every value an HTML page shows goes through it
// (personal data included). Other bytes, UTF-8 sequences included, pass unchanged.
std::string HtmlEscape(std::string_view s);

}  // namespace dsar
