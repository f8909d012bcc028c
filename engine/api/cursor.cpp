#include "api/cursor.h"

#include <charconv>
#include <cstring>

#include "api/router.h"
#include "core/encoding.h"

namespace dsar::api {

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
