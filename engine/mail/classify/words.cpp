#include "mail/classify/words.h"

#include <algorithm>
#include <cstdint>

namespace dsar::mail::classify {

// The byte index of the code point after the one at text[i].
std::size_t NextCodePoint(std::string_view text, std::size_t i) {
  ++i;
  while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// The code point at s[i] (U+FFFD when the byte does not start valid UTF-8); `len` gets its size.
std::uint32_t CodePointAt(std::string_view s, std::size_t i, std::size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  len = 1;
  if (b0 < 0x80) return b0;
  const std::size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0xFFFD;
  std::uint32_t cp = b0 & (0xFF >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (b & 0x3F);
  }
  len = n;
  return cp;
}

// Han, kana and Hangul: scripts whose words are not separated by blanks (or, for Hangul, not
// always), matched by the cjk patterns. Japanese punctuation (、。「」・) is not among them.
bool IsCjkLetter(std::uint32_t cp) {
  return (cp >= 0x3041 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x3005 || cp == 0x3006 ||
         (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

bool IsKana(std::uint32_t cp) { return (cp >= 0x3041 && cp <= 0x30FA) || cp == 0x30FC; }

// Punctuation and symbols outside ASCII that separate words: general punctuation, arrows, box
// drawing, shapes, dingbats, CJK punctuation and the remaining full-width forms.
bool IsSymbol(std::uint32_t cp) {
  return (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x2500 && cp <= 0x27BF) ||
         (cp >= 0x3000 && cp <= 0x3004) || (cp >= 0x3007 && cp <= 0x303F) || cp == 0x30FB ||
         (cp >= 0xFE30 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFFEF) || cp == 0xFFFD;
}

// Words of folded text: runs of ASCII letters and digits (with other letters, e.g. Greek or
// Cyrillic), and separately runs of Han and kana, so a change of script is a word boundary.
std::vector<std::string> Words(std::string_view folded) {
  enum Kind { kGap, kLatin, kCjk };
  std::vector<std::string> out;
  std::size_t start = 0;
  Kind run = kGap;
  std::size_t i = 0;
  while (i <= folded.size()) {
    Kind kind = kGap;
    std::size_t len = 1;
    if (i < folded.size()) {
      const std::uint32_t cp = CodePointAt(folded, i, len);
      if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) kind = kLatin;
      else if (IsCjkLetter(cp)) kind = kCjk;
      else if (cp >= 0x80 && !IsSymbol(cp)) kind = kLatin;
    }
    if (kind != run) {
      if (run != kGap) out.emplace_back(folded.substr(start, i - start));
      start = i;
      run = kind;
    }
    if (i == folded.size()) break;
    i += len;
  }
  return out;
}

bool HasCjk(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    if (IsCjkLetter(CodePointAt(s, i, len))) return true;
    i += len;
  }
  return false;
}

// The last code point of `s` (0 when empty).
std::uint32_t LastCodePoint(std::string_view s) {
  if (s.empty()) return 0;
  std::size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  std::size_t len = 0;
  return CodePointAt(s, i, len);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsUpperStart(std::string_view s) {
  if (s.empty()) return false;
  const auto b = static_cast<unsigned char>(s[0]);
  if (b >= 'A' && b <= 'Z') return true;
  // Latin-1 capitals (U+00C0..U+00DE) are C3 80..C3 9E.
  return b == 0xC3 && s.size() > 1 && static_cast<unsigned char>(s[1]) >= 0x80 &&
         static_cast<unsigned char>(s[1]) <= 0x9E;
}

bool TextHasAny(std::string_view text, std::initializer_list<std::string_view> parts) {
  for (std::string_view p : parts) {
    if (text.find(p) != std::string_view::npos) return true;
  }
  return false;
}

bool IsAlnumByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool WordIn(std::string_view w, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

bool WordStarts(std::string_view w, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (w.substr(0, p.size()) == p) return true;
  }
  return false;
}

}  // namespace dsar::mail::classify
