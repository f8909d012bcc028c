// Keyset pages for the list routes: `limit` (1 to kMaxPageLimit) and an opaque `cursor`,
// base64url of "seq:<n>", where n is the last row's key on the page (a request's seq, an inbound
// message's id). Clients pass cursors back verbatim.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace dsar::api {

inline constexpr int kMaxPageLimit = 200;
inline constexpr int kDefaultPageLimit = 50;

struct Page {
  int limit = kDefaultPageLimit;
  std::int64_t after = 0;  // the key the page starts after (0: from the start)
};
// Reads query parameter `key`=`value` into `page` when `key` is `limit` or `cursor`: nullopt
// for any other key; Ok; or Invalid naming the parameter (a 400).
std::optional<Status> ReadPageParam(std::string_view key, std::string_view value, Page& page);

std::string EncodeCursor(std::int64_t seq);
// nullopt for anything EncodeCursor did not make (empty, over 64 characters, not base64url,
// not "seq:<n>" with n >= 0).
std::optional<std::int64_t> DecodeCursor(std::string_view cursor);

}  // namespace dsar::api
