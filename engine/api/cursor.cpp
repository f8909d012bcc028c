#include "api/cursor.h"

#include <charconv>
#include <cstring>

#include "api/router.h"

namespace dsar::api {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = c == '\0' ? nullptr : std::strchr(kB64, c);
    if (p == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}
}  // namespace

std::string EncodeCursor(std::int64_t seq) { return Base64UrlEncode("seq:" + std::to_string(seq)); }

std::optional<std::int64_t> DecodeCursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 64) return std::nullopt;
  auto raw = Base64UrlDecode(cursor);
  if (!raw || raw->rfind("seq:", 0) != 0) return std::nullopt;
  auto n = ParseInt(std::string_view(*raw).substr(4));
  if (!n || *n < 0) return std::nullopt;
  return n;
}

std::optional<Status> ReadPageParam(std::string_view key, std::string_view value, Page& page) {
  if (key == "limit") {
    auto n = ParseInt(value);
    if (!n || *n < 1 || *n > kMaxPageLimit)
      return Status::Invalid("query parameter 'limit' must be an integer from 1 to " + std::to_string(kMaxPageLimit));
    page.limit = static_cast<int>(*n);
    return Status::Ok();
  }
  if (key == "cursor") {
    auto seq = DecodeCursor(value);
    if (!seq) return Status::Invalid("query parameter 'cursor' is not a cursor returned by this API");
    page.after = *seq;
    return Status::Ok();
  }
  return std::nullopt;
}

}  // namespace dsar::api
