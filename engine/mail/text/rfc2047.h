// Unstructured header values: unfolding and RFC 2047 encoded-words.
//
// Pure (no I/O, no clock) and thread-safe. Never throws on malformed input: every result is
// valid UTF-8.
//
// Why we decode headers ourselves: GMime 3.2.13 and older (Debian 12 ships 3.2.13) drop the
// rest of a header after a base64 encoded-word that ends in '=' padding (GMime issue #133, fixed
// in 3.2.14): the encoded-words after it are lost, so "=?utf-8?B?YWI=?= =?utf-8?B?Y2Q=?= tail"
// comes back as "ab tail", and a Subject split over two such words loses its end. With such a GMime
// (GMimeDropsTextAfterPaddedWord), DecodeHeaderText runs our decoder over the raw value GMime
// keeps; with 3.2.14 or newer it lets GMime decode and only makes the result valid UTF-8 and
// trimmed. ParseMessage reads raw header values (g_mime_header_get_raw_value) and calls
// DecodeHeaderText, never GMime's decoded values, so the choice is made here alone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dsar::mail {

// Decodes an unstructured header value as it appears after the colon (possibly folded):
// unfolds it, decodes RFC 2047 encoded-words (B and Q, any charset iconv knows; whitespace
// between adjacent encoded-words dropped; adjacent words in one charset joined before
// conversion so a character split across words survives), and reads raw 8-bit bytes as
// UTF-8 when valid, else windows-1252. Leading and trailing blanks are trimmed.
std::string DecodeHeaderText(std::string_view raw);

// True when the GMime this process runs with (g_mime_check_version, at run time) is older than
// 3.2.14 and so has GMime issue #133 (above): DecodeHeaderText then uses our own decoder.
bool GMimeDropsTextAfterPaddedWord();

// GMime's own decoder (g_mime_utils_header_decode_text with default options) over the unfolded
// value, the result made valid UTF-8 (RepairUtf8) and trimmed: what DecodeHeaderText returns when
// GMimeDropsTextAfterPaddedWord() is false. Exposed so a test can show the bug is there exactly
// when the guard says so.
std::string GMimeDecodeHeaderText(std::string_view raw);

namespace text {

// `raw` without CR and LF (a fold's WSP follows and is kept; a bare newline is dropped).
std::string Unfold(std::string_view raw);

struct EncodedWord {
  std::string charset;  // canonical (CanonicalCharset)
  std::string bytes;    // decoded, still in charset
  std::size_t end = 0;  // index just past "?="
};

// Parses "=?charset?B|Q?text?=" at s[i]; false when there is none.
bool ParseEncodedWord(std::string_view s, std::size_t i, EncodedWord& ew);

}  // namespace text
}  // namespace dsar::mail
