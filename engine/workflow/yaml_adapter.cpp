#include "workflow/yaml_adapter.h"

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>

namespace dsar::workflow {

namespace {

bool IsPlainBool(const std::string& s, bool* value) {
  if (s == "true" || s == "True" || s == "TRUE") {
    *value = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    *value = false;
    return true;
  }
  return false;
}

bool AllOf(const std::string& s, size_t from, bool (*pred)(char)) {
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); ++i)
    if (!pred(s[i])) return false;
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// YAML 1.2 core schema: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
bool IsPlainInteger(const std::string& s) {
  if (s.rfind("0o", 0) == 0) return AllOf(s, 2, IsOctal);
  if (s.rfind("0x", 0) == 0) return AllOf(s, 2, IsHex);
  return AllOf(s, (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0, IsDigit);
}

// YAML 1.2 core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.inf | \.nan
bool IsPlainFloat(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const std::string rest = s.substr(i);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") return true;
  if (i == 0 && (s == ".nan" || s == ".NaN" || s == ".NAN")) return true;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

}  // namespace

ScalarKind ClassifyScalar(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return ScalarKind::kNull;
  if (!node.IsScalar()) return ScalarKind::kNotScalar;
  if (node.Tag() != "?") return ScalarKind::kString;  // quoted ("!") or explicitly tagged
  const std::string& s = node.Scalar();
  bool b;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ScalarKind::kNull;
  if (IsPlainBool(s, &b)) return ScalarKind::kBool;
  if (IsPlainInteger(s)) return ScalarKind::kInteger;
  if (IsPlainFloat(s)) return ScalarKind::kNumber;
  return ScalarKind::kString;
}

std::optional<bool> ScalarBool(const YAML::Node& node) {
  bool b;
  if (ClassifyScalar(node) != ScalarKind::kBool || !IsPlainBool(node.Scalar(), &b)) return std::nullopt;
  return b;
}

std::optional<std::int64_t> ScalarInteger(const YAML::Node& node) {
  if (ClassifyScalar(node) != ScalarKind::kInteger) return std::nullopt;
  std::string s = node.Scalar();
  int base = 10;
  bool negative = false;
  if (s.rfind("0o", 0) == 0) {
    base = 8;
    s = s.substr(2);
  } else if (s.rfind("0x", 0) == 0) {
    base = 16;
    s = s.substr(2);
  } else if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s = s.substr(1);
  }
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (!negative && magnitude > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  if (negative && magnitude > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
}

std::string DescribeNode(const YAML::Node& node) {
  switch (ClassifyScalar(node)) {
    case ScalarKind::kNotScalar: return node.IsMap() ? "a mapping" : "a list";
    case ScalarKind::kNull: return "nothing";
    case ScalarKind::kBool: return "boolean " + node.Scalar();
    case ScalarKind::kInteger: return "integer " + node.Scalar();
    case ScalarKind::kNumber: return "number " + node.Scalar();
    case ScalarKind::kString: return "'" + node.Scalar() + "'";
  }
  return "a value";
}

bool StrictYamlValue::getBool(bool& result) const {
  auto b = ScalarBool(value_);
  if (!b) return false;
  result = *b;
  return true;
}

bool StrictYamlValue::getInteger(int64_t& result) const {
  auto i = ScalarInteger(value_);
  if (!i) return false;
  result = *i;
  return true;
}

bool StrictYamlValue::getDouble(double& result) const {
  if (kind_ == ScalarKind::kInteger) {
    auto i = ScalarInteger(value_);
    if (!i) return false;
    result = static_cast<double>(*i);
    return true;
  }
  if (kind_ != ScalarKind::kNumber) return false;
  const std::string& s = value_.Scalar();
  if (s.find("inf") != std::string::npos || s.find("Inf") != std::string::npos || s.find("INF") != std::string::npos) {
    result = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  } else if (s.find('.') == 0 && s.size() > 1 && (s[1] == 'n' || s[1] == 'N')) {
    result = NAN;
  } else {
    result = std::strtod(s.c_str(), nullptr);
  }
  return true;
}

}  // namespace dsar::workflow
