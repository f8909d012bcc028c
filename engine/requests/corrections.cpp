#include "requests/corrections.h"

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

// ---- corrections (issue 5 §6) ----

Result<std::vector<fulfillment::CorrectionChange>> ParseCorrections(const json::object& data) {
  const json::value* changes = data.if_contains("changes");
  if (changes == nullptr || !changes->is_array() || changes->as_array().empty())
    return Status::Invalid("approving a correction needs data.changes: a list of {table, column, value} from the "
                           "systems map");
  std::vector<fulfillment::CorrectionChange> out;
  for (const auto& c : changes->as_array()) {
    const std::string at = "data.changes[" + std::to_string(out.size()) + "]";
    if (!c.is_object()) return Status::Invalid(at + " must be an object {table, column, value}");
    const json::object& o = c.as_object();
    for (const auto& kv : o)
      if (kv.key() != "table" && kv.key() != "column" && kv.key() != "value")
        return Status::Invalid("unknown field '" + at + "." + std::string(kv.key()) + "' (expected: table, column, value)");
    fulfillment::CorrectionChange ch;
    ch.table = StringField(c, "table");
    ch.column = StringField(c, "column");
    if (ch.table.empty() || ch.column.empty()) return Status::Invalid(at + " needs a table and a column");
    const json::value* v = o.if_contains("value");
    if (v == nullptr) return Status::Invalid(at + " needs a value (null to clear the field)");
    if (!(v->is_string() || v->is_number() || v->is_null()))
      return Status::Invalid(at + ".value must be a string, a number or null");
    ch.value = *v;
    out.push_back(std::move(ch));
  }
  return out;
}

}  // namespace dsar::service
