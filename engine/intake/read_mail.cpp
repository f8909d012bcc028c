#include "intake/read_mail.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/denial.h"
#include "core/json_fields.h"
#include "core/sha256.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/package/review.h"
#include "mail/message.h"
#include "workflow/loader.h"

namespace dsar::service {

namespace json = boost::json;

Result<MailBytes> ReadMail(int fd, std::int64_t limit) {
  MailBytes out;
  Sha256 hash;
  const std::size_t keep_at_most = static_cast<std::size_t>(limit);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (st.st_size > limit) out.over_limit = true;  // refused from the start: only its beginning is read into memory
    else if (st.st_size > 0) out.raw.reserve(static_cast<std::size_t>(st.st_size));
  }
  // Keeps `n` more bytes, up to `cap` in all.
  auto keep = [&](const char* p, std::size_t n, std::size_t cap) {
    if (out.raw.size() < cap) out.raw.append(p, std::min(n, cap - out.raw.size()));
  };
  std::vector<char> buf(1 << 16);
  for (;;) {
    const ssize_t got = ::read(fd, buf.data(), buf.size());
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::strerror(errno));
    }
    const std::size_t n = static_cast<std::size_t>(got);
    hash.Update(buf.data(), n);
    if (!out.over_limit && static_cast<std::int64_t>(out.raw.size() + n) > limit) {
      out.over_limit = true;  // crossed the limit: keep only the beginning, hash the rest
      out.raw.resize(std::min(out.raw.size(), kRefusedKeptBytes));
      out.raw.shrink_to_fit();
    }
    if (out.over_limit) {
      keep(buf.data(), n, kRefusedKeptBytes);
    } else {
      // Grow by doubling, never past the limit (a pipe has no size to reserve up front). A new
      // string reserved from empty gets exactly that capacity (std::string::reserve on a
      // non-empty one may round up to twice the old capacity).
      if (out.raw.capacity() < out.raw.size() + n) {
        std::string bigger;
        bigger.reserve(std::min(keep_at_most, std::max(out.raw.capacity() * 2, out.raw.size() + n)));
        bigger.append(out.raw);
        out.raw.swap(bigger);
      }
      out.raw.append(buf.data(), n);
    }
    out.size += static_cast<std::int64_t>(n);
  }
  out.sha256 = hash.HexDigest();
  return out;
}

}  // namespace dsar::service
