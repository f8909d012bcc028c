// Readers of JSON request bodies for the routes: each returns Ok, or Invalid with a detail that
// names the offending field ("field 'subject.email' is required"), which the route answers as a
// 400 problem. `prefix` names the enclosing object ("subject", "identifiers[2]"; "" at the top).
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace dsar::api {

// Invalid for the first key of `o` not in `allowed` (the detail lists the allowed ones).
Status OnlyKeys(const boost::json::object& o, std::initializer_list<std::string_view> allowed, std::string_view prefix);

// An optional (null = absent: `out` unchanged) or required string field; a required one must
// not be empty.
Status StringField(const boost::json::object& o, std::string_view key, std::string_view prefix, bool required,
                   std::string& out);

// An object field: the object, or nullptr when absent/null (then `st` is Invalid if `required`)
// or not an object (`st` Invalid). `st` is left unchanged on success.
const boost::json::object* ObjectField(const boost::json::object& o, std::string_view key, std::string_view prefix,
                                       bool required, Status& st);

// The body as a JSON object. An empty body is an empty object when `empty_ok`.
Status ParseObject(std::string_view body, bool empty_ok, boost::json::object& out);

// The optional `expected_version` of a body: a positive integer, or absent/null.
Status ExpectedVersion(const boost::json::object& body, std::optional<std::int64_t>& out);

}  // namespace dsar::api
