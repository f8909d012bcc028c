// Small readers and writers of JSON fields and UTF-8 text that every layer uses on stored JSON
// (request details, transition data, job results): one definition each.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/model.h"

namespace dsar {

// `text` parsed as JSON, or `fallback` when it is empty or not JSON.
boost::json::value ParseOr(const std::string& text, boost::json::value fallback);
// The string member `key` of object `v`; "" when `v` is no object or the member is absent or no string.
std::string StringField(const boost::json::value& v, const char* key);
// `s` without leading and trailing ASCII blanks.
std::string Trim(std::string_view s);
// The first `limit` Unicode characters of UTF-8 `s` (a lead byte starts a character);
// `truncated` says whether anything was cut.
std::string Utf8Prefix(const std::string& s, std::size_t limit, bool& truncated);
// The stored JSON of a data subject / requester (contract — who is who): empty members omitted.
boost::json::object SubjectJson(const DataSubject& s);
boost::json::object RequesterJson(const Requester& r);

}  // namespace dsar
