#include "requests/duplicates.h"

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

// The first request of a duplicate chain (r.duplicate_of, followed while it is itself a
// duplicate); nullopt when r is no duplicate or the chain is broken (a purged primary).
Result<std::optional<store::RequestRow>> PrimaryOf(store::Tx& tx, const store::RequestRow& r) {
  std::string next = r.duplicate_of;
  std::optional<store::RequestRow> found;
  for (int i = 0; !next.empty() && i < kMaxDuplicateChain; ++i) {
    auto p = tx.GetRequest(next);
    if (!p.ok() && p.status().IsNotFound()) return found;
    if (!p.ok()) return p.status();
    if (p->id == r.id) break;  // a cycle: never written, but never followed either
    found = std::move(p.value());
    next = found->duplicate_of;
  }
  return found;
}

}  // namespace dsar::service
