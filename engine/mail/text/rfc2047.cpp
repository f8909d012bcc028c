#include "mail/text/rfc2047.h"

#include <cstdint>
#include <memory>

#include "mail/gmime_support.h"
#include "mail/text/charset.h"
#include "mail/text/utf8.h"

namespace dsar::mail {
namespace {

using namespace text;

std::string DecodeBase64Lenient(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=') break;  // padding ends this word
    else continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string DecodeQWord(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=' && i + 2 < in.size() && HexVal(in[i + 1]) >= 0 && HexVal(in[i + 2]) >= 0) {
      out += static_cast<char>(HexVal(in[i + 1]) * 16 + HexVal(in[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

namespace text {

std::string Unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\r') continue;
    if (c == '\n') continue;  // a fold's WSP follows and is kept; a bare newline is dropped
    out += c;
  }
  return out;
}

// Parses "=?charset?B|Q?text?=" at s[i]; false when there is none.
bool ParseEncodedWord(std::string_view s, std::size_t i, EncodedWord& ew) {
  if (s.compare(i, 2, "=?") != 0) return false;
  const std::size_t q1 = s.find('?', i + 2);
  if (q1 == std::string_view::npos || q1 == i + 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
  const char enc = AsciiLower(s[q1 + 1]);
  if (enc != 'b' && enc != 'q') return false;
  const std::size_t text_start = q1 + 3;
  const std::size_t close = s.find("?=", text_start);
  if (close == std::string_view::npos) return false;
  const std::string_view charset = s.substr(i + 2, q1 - i - 2);
  const std::string_view text = s.substr(text_start, close - text_start);
  for (char c : charset) {
    if (IsSpace(c)) return false;
  }
  for (char c : text) {
    if (IsSpace(c)) return false;
  }
  ew.charset = CanonicalCharset(charset);
  ew.bytes = enc == 'b' ? DecodeBase64Lenient(text) : DecodeQWord(text);
  ew.end = close + 2;
  return true;
}

}  // namespace text

namespace {

using namespace text;

// Our decoder: the workaround for GMime issue #133 (rfc2047.h), and the contract of
// DecodeHeaderText.
std::string DecodeOwn(std::string_view raw_in) {
  const std::string s = Unfold(raw_in);
  std::string out;
  std::string raw;       // pending undecoded bytes
  std::string ew_cs;     // charset of the pending encoded-word bytes
  std::string ew_bytes;  // pending encoded-word bytes
  bool have_ew = false;
  std::string held_ws;   // whitespace after an encoded-word
  auto flush_raw = [&] {
    if (!raw.empty()) out += RepairUtf8(raw);
    raw.clear();
  };
  auto flush_ew = [&] {
    if (have_ew) out += ToUtf8(ew_bytes, ew_cs);
    have_ew = false;
    ew_bytes.clear();
    ew_cs.clear();
  };
  std::size_t i = 0;
  bool last_was_ew = false;
  while (i < s.size()) {
    EncodedWord ew;
    if (s[i] == '=' && ParseEncodedWord(s, i, ew)) {
      held_ws.clear();  // whitespace between adjacent encoded-words is not displayed
      if (!last_was_ew) flush_raw();
      if (have_ew && ew.charset != ew_cs) flush_ew();
      if (!have_ew) {
        have_ew = true;
        ew_cs = ew.charset;
      }
      ew_bytes += ew.bytes;
      i = ew.end;
      last_was_ew = true;
      continue;
    }
    if (last_was_ew && IsWsp(s[i])) {
      held_ws += s[i];
      ++i;
      continue;
    }
    if (last_was_ew) {
      flush_ew();
      raw += held_ws;
      held_ws.clear();
      last_was_ew = false;
    }
    raw += s[i];
    ++i;
  }
  flush_ew();
  raw += held_ws;
  flush_raw();
  return std::string(Trim(out));
}

}  // namespace

bool GMimeDropsTextAfterPaddedWord() {
  // Fixed in GMime 3.2.14 (issue #133); asked at run time, so a rebuilt library counts.
  static const bool dropped = !g_mime_check_version(3, 2, 14);
  return dropped;
}

std::string GMimeDecodeHeaderText(std::string_view raw) {
  InitGMimeOnce();
  const std::string in = Unfold(raw);  // as DecodeOwn: a value without its folds
  const std::unique_ptr<char, GFreeDeleter> decoded(g_mime_utils_header_decode_text(nullptr, in.c_str()));
  return std::string(Trim(RepairUtf8(decoded ? decoded.get() : "")));
}

std::string DecodeHeaderText(std::string_view raw) {
  return GMimeDropsTextAfterPaddedWord() ? DecodeOwn(raw) : GMimeDecodeHeaderText(raw);
}

}  // namespace dsar::mail
