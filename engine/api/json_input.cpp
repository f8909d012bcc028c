#include "api/json_input.h"

#include <algorithm>
#include <boost/json/parse.hpp>

#include "api/router.h"

namespace dsar::api {

namespace json = boost::json;

namespace {

std::string FieldName(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

}  // namespace

Status OnlyKeys(const json::object& o, std::initializer_list<std::string_view> allowed, std::string_view prefix) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Status::Invalid("unknown field '" + FieldName(prefix, kv.key()) + "' (expected: " + list + ")");
    }
  }
  return Status::Ok();
}

Status StringField(const json::object& o, std::string_view key, std::string_view prefix, bool required,
                   std::string& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return Status::Invalid("field '" + FieldName(prefix, key) + "' is required");
    return Status::Ok();
  }
  if (!v->is_string()) return Status::Invalid("field '" + FieldName(prefix, key) + "' must be a string");
  out = std::string(v->as_string());
  if (required && out.empty()) return Status::Invalid("field '" + FieldName(prefix, key) + "' must not be empty");
  return Status::Ok();
}

const json::object* ObjectField(const json::object& o, std::string_view key, std::string_view prefix, bool required,
                                Status& st) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) st = Status::Invalid("field '" + FieldName(prefix, key) + "' is required (an object)");
    return nullptr;
  }
  if (!v->is_object()) {
    st = Status::Invalid("field '" + FieldName(prefix, key) + "' must be an object");
    return nullptr;
  }
  return &v->as_object();
}

Status ParseObject(std::string_view body, bool empty_ok, json::object& out) {
  if (Trim(body).empty()) {
    if (empty_ok) return Status::Ok();
    return Status::Invalid("the request body must be a JSON object");
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Status::Invalid("the request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::Invalid("the request body must be a JSON object");
  out = std::move(v.as_object());
  return Status::Ok();
}
Status ExpectedVersion(const json::object& body, std::optional<std::int64_t>& out) {
  const json::value* v = body.if_contains("expected_version");
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (v->is_int64() && v->as_int64() >= 1) out = v->as_int64();
  else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    out = static_cast<std::int64_t>(v->as_uint64());
  else return Status::Invalid("field 'expected_version' must be a positive integer");
  return Status::Ok();
}

}  // namespace dsar::api
