// Export packages: JSON text, CSV and ZIP files written byte-for-byte reproducibly (same data,
// same bytes), so a retried export step produces the same package.
//
// Thread safety: free functions without shared state.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace dsar::fulfillment {

// JSON text indented by two spaces, keys in the object's order, ending with a newline. Doubles
// in shortest round-trip form (non-finite ones as null).
std::string PrettyJson(const boost::json::value& v);

// One CSV record (RFC 4180): fields quoted when they hold a comma, quote, CR or LF, or begin or
// end with a blank; ends with CRLF.
std::string CsvRecord(const std::vector<std::string>& fields);

// Writes `bytes` to `path` through a temporary file renamed into place (no partial file).
Status WriteFileAtomically(const std::string& path, const std::string& bytes);

// Writes a ZIP archive of `entries` (name, bytes), deflated, every entry dated 1980-01-01 00:00
// so the archive depends on nothing but its contents. Replaces `path` atomically (libzip
// writes a temporary file and renames it on close).
Status WriteZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace dsar::fulfillment
