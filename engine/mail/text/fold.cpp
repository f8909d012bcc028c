#include "mail/text/fold.h"

#include <cstdint>

#include "mail/text/utf8.h"

namespace dsar::mail {

using namespace text;

std::string NarrowWidth(std::string_view s) {
  // U+FF61..U+FF9F, half-width katakana and punctuation, as full-width characters.
  static constexpr std::uint16_t kHalfKana[63] = {
      0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5,
      0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3,
      0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC,
      0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4,
      0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x309B, 0x309C};
  std::string out;
  out.reserve(s.size());
  std::uint32_t last = 0;      // the last code point written, when it was a converted katakana
  std::size_t last_at = 0;     // where it starts in `out`
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 0;
    const std::uint32_t cp = CodePointAt(s, i, len);
    if (cp == 0xFFFD && len == 1) {  // an invalid byte: copied (ToUtf8 output never has one)
      out += s[i];
      ++i;
      last = 0;
      continue;
    }
    const std::uint32_t prev = last;
    last = 0;
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
      out += static_cast<char>(cp - 0xFEE0);
    } else if (cp == 0x3000) {
      out += ' ';
    } else if (cp == 0xFF9E || cp == 0xFF9F) {
      // A (semi-)voiced sound mark after a half-width kana composes with it (ｶﾞ -> ガ, ﾊﾟ -> パ).
      const bool kstt = (prev >= 0x30AB && prev <= 0x30C1 && (prev - 0x30AB) % 2 == 0) || prev == 0x30C4 ||
                        prev == 0x30C6 || prev == 0x30C8;
      const bool h = prev == 0x30CF || prev == 0x30D2 || prev == 0x30D5 || prev == 0x30D8 || prev == 0x30DB;
      std::uint32_t composed = 0;
      if (cp == 0xFF9E && (kstt || h)) composed = prev + 1;
      if (cp == 0xFF9E && prev == 0x30A6) composed = 0x30F4;  // ｳﾞ -> ヴ
      if (cp == 0xFF9F && h) composed = prev + 2;
      if (composed != 0) {
        out.resize(last_at);
        AppendUtf8(out, composed);
      } else {
        AppendUtf8(out, kHalfKana[cp - 0xFF61]);
      }
    } else if (cp >= 0xFF61 && cp <= 0xFF9D) {
      last_at = out.size();
      last = kHalfKana[cp - 0xFF61];
      AppendUtf8(out, last);
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string FoldForMatching(std::string_view input) {
  const std::string narrowed = NarrowWidth(input);
  const std::string_view s = narrowed;
  // U+00C0..U+00FF, lower-cased and without accents.
  static const char* const kLatin1Fold[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "y"};
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += AsciiLower(static_cast<char>(b));
      ++i;
      continue;
    }
    const std::size_t len = Utf8SeqLen(s, i);
    if (len == 0) {
      out += ' ';
      ++i;
      continue;
    }
    std::uint32_t cp = b & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (cp >= 0xC0 && cp <= 0xFF) {
      out += kLatin1Fold[cp - 0xC0];
    } else if (cp == 0xA0 || cp == 0x2007 || cp == 0x202F || cp == 0x2009 || cp == 0x2002 || cp == 0x2003 ||
               cp == 0xA1 || cp == 0xBF) {
      out += ' ';
    } else if (cp == 0xAB || cp == 0xBB || cp == 0x201C || cp == 0x201D || cp == 0x201E) {
      out += '"';
    } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x2032 || cp == 0xB4) {
      out += '\'';
    } else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 ||
               cp == 0x2212 || cp == 0x2500 || cp == 0x2501 || cp == 0x2550) {
      out += '-';
    } else if (cp == 0x2026) {
      out += "...";
    } else if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF || cp == 0xAD) {
      // zero-width: dropped
    } else if (cp == 0xAA || cp == 0xBA) {  // ordinal indicators: "nº" -> "no"
      out += cp == 0xAA ? 'a' : 'o';
    } else if (cp == 0x0152 || cp == 0x0153) {
      out += "oe";
    } else if (cp >= 0x0100 && cp <= 0x017F) {
      // Latin Extended-A: fold the common letters to their base.
      static const char kExtA[] =
          "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "ii" "jj" "kkk"
          "llllllllll" "nnnnnnnnn" "oooooo" "oo" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww"
          "yyy" "zzzzzz" "s";
      static_assert(sizeof(kExtA) - 1 == 128);
      const std::size_t idx = cp - 0x0100;
      if (idx < sizeof(kExtA) - 1) out += kExtA[idx];
      else out.append(s.substr(i, len));
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace dsar::mail
