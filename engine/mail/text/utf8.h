// UTF-8 and ASCII primitives shared by the text helpers (mail/text/*) and the classifier.
//
// IsValidUtf8 is the public one. The others, in namespace text, are building blocks: pure,
// thread-safe, no allocation beyond their result, and they never throw on malformed input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dsar::mail {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

namespace text {

inline bool IsWsp(char c) { return c == ' ' || c == '\t'; }
inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
inline bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
inline bool Contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

// `s` with ASCII letters lower-cased (other bytes kept).
std::string LowerAscii(std::string_view s);

// `s` without leading and trailing blanks (space, TAB, CR, LF, FF, VT).
std::string_view Trim(std::string_view s);

// `s` without leading and trailing space, TAB, CR and LF (header values as GMime hands them over).
std::string_view TrimBlanks(std::string_view s);

// Appends `cp` as UTF-8; a surrogate or a value above U+10FFFF becomes U+FFFD.
void AppendUtf8(std::string& out, std::uint32_t cp);

// Length of the valid UTF-8 sequence starting at s[i] (i < s.size()), or 0 when it is not valid.
std::size_t Utf8SeqLen(std::string_view s, std::size_t i);

// The value of hex digit `c`, or -1.
int HexVal(char c);

// The code point at s[i] (U+FFFD for a byte that does not start valid UTF-8); `len` gets its size.
std::uint32_t CodePointAt(std::string_view s, std::size_t i, std::size_t& len);

}  // namespace text
}  // namespace dsar::mail
