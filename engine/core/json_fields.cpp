#include "core/json_fields.h"

#include <boost/json/parse.hpp>
#include <cctype>

namespace dsar {

namespace json = boost::json;

std::string Utf8Prefix(const std::string& s, std::size_t limit, bool& truncated) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars == limit) {
      truncated = true;
      return s.substr(0, i);
    }
    ++chars;
  }
  truncated = false;
  return s;
}

json::object SubjectJson(const DataSubject& s) {
  json::object o;
  o["email"] = s.email;
  if (!s.name.empty()) o["name"] = s.name;
  if (!s.phone.empty()) o["phone"] = s.phone;
  if (!s.account_id.empty()) o["account_id"] = s.account_id;
  return o;
}

json::object RequesterJson(const Requester& r) {
  json::object o;
  o["email"] = r.email;
  if (!r.name.empty()) o["name"] = r.name;
  if (!r.relationship.empty()) o["relationship"] = r.relationship;
  if (!r.authority.empty()) o["authority"] = r.authority;
  return o;
}

json::value ParseOr(const std::string& text, json::value fallback) {
  if (text.empty()) return fallback;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? fallback : v;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string StringField(const json::value& v, const char* key) {
  if (!v.is_object()) return "";
  auto* p = v.as_object().if_contains(key);
  return p && p->is_string() ? std::string(p->as_string()) : "";
}

}  // namespace dsar
