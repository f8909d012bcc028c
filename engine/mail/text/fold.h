// Width and case folding of text for keyword matching (never for display or storage).
//
// Pure and thread-safe; invalid UTF-8 bytes are copied (NarrowWidth) or become a blank
// (FoldForMatching).
#pragma once

#include <string>
#include <string_view>

namespace dsar::mail {

// Width folding as in Unicode NFKC, for the forms Japanese mail uses: full-width ASCII
// (U+FF01..U+FF5E, "ＧＤＰＲ" -> "GDPR", "：" -> ":") and the ideographic space become ASCII;
// half-width katakana (U+FF61..U+FF9F, as Shift_JIS mail may carry) become full-width, with a
// following half-width (semi-)voiced sound mark composed ("ﾃﾞｰﾀ" -> "データ"). Case is kept;
// everything else is copied. For matching only.
std::string NarrowWidth(std::string_view utf8);

// Lower-cases ASCII and Latin-1 letters and folds accents (é -> e, ß -> ss, ...), maps
// typographic quotes, dashes, horizontal bars and box-drawing rules ("─", "━") and no-break
// spaces to ASCII, after NarrowWidth. Han and kana are kept as they are. For keyword matching
// only.
std::string FoldForMatching(std::string_view utf8);

}  // namespace dsar::mail
