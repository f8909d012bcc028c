// Words and code points of folded text, for the classifier's matchers and detectors.
//
// Pure and thread-safe. Input is UTF-8 as FoldForMatching returns it; a byte that does not start
// a sequence reads as U+FFFD and never stops a scan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace dsar::mail::classify {

// The byte index of the code point after the one at text[i].
std::size_t NextCodePoint(std::string_view text, std::size_t i);

// The code point at s[i] (U+FFFD when the byte does not start valid UTF-8); `len` gets its size.
std::uint32_t CodePointAt(std::string_view s, std::size_t i, std::size_t& len);

// The last code point of `s` (0 when empty).
std::uint32_t LastCodePoint(std::string_view s);

// Han, kana and Hangul: scripts whose words are not separated by blanks.
bool IsCjkLetter(std::uint32_t cp);
bool IsKana(std::uint32_t cp);

// Punctuation and symbols outside ASCII that separate words.
bool IsSymbol(std::uint32_t cp);

// True when `s` holds a Han, kana or Hangul letter.
bool HasCjk(std::string_view s);

// Words of folded text: runs of ASCII letters and digits (with other letters, e.g. Greek or
// Cyrillic), and separately runs of Han and kana, so a change of script is a word boundary.
std::vector<std::string> Words(std::string_view folded);

bool EndsWith(std::string_view s, std::string_view suffix);

// True when `s` starts with an ASCII or Latin-1 capital (unfolded text).
bool IsUpperStart(std::string_view s);

// True when one of `parts` is a substring of `text`.
bool TextHasAny(std::string_view text, std::initializer_list<std::string_view> parts);

bool IsAlnumByte(char c);  // ASCII letter or digit

// `w` is one of `words`; `w` starts with one of `prefixes`.
bool WordIn(std::string_view w, std::initializer_list<std::string_view> words);
bool WordStarts(std::string_view w, std::initializer_list<std::string_view> prefixes);

}  // namespace dsar::mail::classify
