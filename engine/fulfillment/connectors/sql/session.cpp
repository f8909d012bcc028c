#include "fulfillment/connectors/sql/session.h"

#include "fulfillment/package/index_html.h"

namespace dsar::fulfillment::sql {

json::value ToJson(const SqlValue& v) {
  switch (v.type) {
    case SQLITE_INTEGER:
      return v.i;
    case SQLITE_FLOAT:
      return v.d;
    case SQLITE_TEXT:
      return json::string(v.s);
    case SQLITE_BLOB:
      return json::string(v.ToText());  // hex
    default:
      return nullptr;
  }
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}
// "Nimbus Cloud production database", for messages to the person.
std::string Where(const SystemsMap& map) {
  if (!map.system.empty()) return map.system;
  if (!map.controller.name.empty()) return map.controller.name + "'s systems";
  return "our systems";
}

std::string Count(std::int64_t n, const char* one, const char* many) {
  return FormatCount(n) + " " + (n == 1 ? one : many);
}
}  // namespace dsar::fulfillment::sql
