// Reading one inbound message from a file descriptor in bounded memory.
//
// Thread safety: a free function without shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include "core/status.h"

namespace dsar::service {

// How much of a refused message (over Config::max_message_bytes) is stored: its first bytes,
// which hold its headers, so that staff can see who sent it.
inline constexpr std::size_t kRefusedKeptBytes = 64 * 1024;

// A message as an intake channel read it, in bounded memory (ReadMail).
struct MailBytes {
  std::string raw;          // every byte; only the first kRefusedKeptBytes when `over_limit`
  std::int64_t size = 0;    // the true size in bytes
  std::string sha256;       // hex SHA-256 of all `size` bytes
  bool over_limit = false;  // larger than the limit it was read with
};

// Reads a message from `fd` (a file, a pipe, stdin) to its end, holding at most `limit` bytes
// (Config::max_message_bytes) in memory: a longer message keeps its first kRefusedKeptBytes and
// is hashed and counted streaming to its end (`over_limit`). A regular file over the limit (its
// size, by fstat) is never read into memory beyond those first bytes. Does not close `fd`.
// IoError (with strerror) when a read fails.
Result<MailBytes> ReadMail(int fd, std::int64_t limit);

}  // namespace dsar::service
