// Raw RFC 5322 messages for the mail tests: a builder for the headers and body, and the encoders
// a test needs to write a message the way a mail client would (charset conversion with iconv,
// base64, RFC 2047 encoded-words). Header-only; every function is pure apart from iconv's tables.
//
// People and addresses used with it are fictional (example.* domains).
#pragma once

#include <catch2/catch.hpp>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mail/message.h"

namespace dsar::mail::test {

// `utf8` converted to `charset` (an iconv name: "ISO-2022-JP", "CP932", "EUC-JP", ...). Fails
// the test when iconv cannot convert every character.
inline std::string Encode(const std::string& utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string in = utf8;
  std::string out;
  char* inp = in.data();
  std::size_t inleft = in.size();
  std::array<char, 4096> buf;
  bool ok = true;
  while (inleft > 0) {
    char* outp = buf.data();
    std::size_t outleft = buf.size();
    const std::size_t rc = iconv(cd, &inp, &inleft, &outp, &outleft);
    out.append(buf.data(), static_cast<std::size_t>(outp - buf.data()));
    if (rc == static_cast<std::size_t>(-1) && errno != E2BIG) {
      ok = false;
      break;
    }
  }
  // Back to the initial shift state (ISO-2022-JP ends in ASCII).
  char* outp = buf.data();
  std::size_t outleft = buf.size();
  iconv(cd, nullptr, nullptr, &outp, &outleft);
  out.append(buf.data(), static_cast<std::size_t>(outp - buf.data()));
  iconv_close(cd);
  INFO("encoding to " << charset << ": " << utf8);
  REQUIRE(ok);
  return out;
}

inline std::string Base64(const std::string& bytes, std::size_t line_length = 76) {
  static const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t column = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 0x3F] : '=';
    column += 4;
    if (line_length > 0 && column >= line_length && i + 3 < bytes.size()) {
      out += "\r\n";
      column = 0;
    }
  }
  return out;
}

// An RFC 2047 B encoded-word of `utf8` in `charset` ("ISO-2022-JP", "Shift_JIS", "UTF-8");
// `iconv_name` is what iconv calls that charset when it differs (e.g. "CP932" for Shift_JIS).
inline std::string EncodedWord(const std::string& utf8, const char* charset, const char* iconv_name = nullptr) {
  const std::string bytes = Encode(utf8, iconv_name ? iconv_name : charset);
  return std::string("=?") + charset + "?B?" + Base64(bytes, 0) + "?=";
}

// A message as a mail client sends it. Header values are written as given (raw 8-bit UTF-8 or
// encoded-words); `body` is already in `charset` and `transfer_encoding` ("8bit", "7bit",
// "base64": then `body` holds the decoded bytes and Build encodes them).
struct RawMessage {
  std::string from;  // "Name <addr>" or "addr"
  std::string to = "contact@nimbus.example";
  std::string subject;  // omitted when empty
  std::string reply_to;
  std::string message_id;
  std::string date = "Wed, 25 Nov 2026 10:00:00 +0900";
  std::string charset = "utf-8";
  std::string transfer_encoding = "8bit";
  std::string content_type = "text/plain";
  std::vector<std::string> extra_headers;  // "Name: value"
  std::string body;

  std::string Build() const {
    std::string raw;
    raw += "From: " + from + "\r\n";
    raw += "To: " + to + "\r\n";
    if (!reply_to.empty()) raw += "Reply-To: " + reply_to + "\r\n";
    if (!subject.empty()) raw += "Subject: " + subject + "\r\n";
    raw += "Date: " + date + "\r\n";
    if (!message_id.empty()) raw += "Message-ID: <" + message_id + ">\r\n";
    for (const std::string& h : extra_headers) raw += h + "\r\n";
    raw += "MIME-Version: 1.0\r\n";
    raw += "Content-Type: " + content_type + "; charset=" + charset + "\r\n";
    raw += "Content-Transfer-Encoding: " + transfer_encoding + "\r\n\r\n";
    raw += transfer_encoding == "base64" ? Base64(body) : body;
    raw += "\r\n";
    return raw;
  }
};

// A plain UTF-8 message from `from` with `subject` and `body`, its Message-ID made from them.
inline std::string Mail(const std::string& subject, const std::string& body,
                        const std::string& from = "Robin Vale <robin.vale@example.com>") {
  RawMessage m;
  m.from = from;
  m.subject = subject;
  m.message_id = "defect-" + std::to_string(std::hash<std::string>{}(subject + body)) + "@example.com";
  m.body = body;
  return m.Build();
}

inline ParsedMessage MustParse(const std::string& raw) {
  auto parsed = ParseMessage(raw);
  REQUIRE(parsed.ok());
  return *parsed;
}

inline Classification ClassifyRaw(const std::string& raw) { return Classify(MustParse(raw)); }

// The names of the rights in `c.types` ("access", "deletion", ...), in order.
inline std::vector<std::string> Names(const Classification& c) {
  std::vector<std::string> out;
  for (RequestType t : c.types) out.emplace_back(RequestTypeName(t));
  return out;
}

}  // namespace dsar::mail::test
