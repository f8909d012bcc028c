#include "core/model.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace dsar {

namespace {
struct TypeName {
  RequestType type;
  std::string_view name;
};
constexpr std::array<TypeName, 7> kTypeNames = {{
    {RequestType::kAccess, "access"},
    {RequestType::kDeletion, "deletion"},
    {RequestType::kPortability, "portability"},
    {RequestType::kCorrection, "correction"},
    {RequestType::kOptOutSale, "opt_out_sale"},
    {RequestType::kOptOutMarketing, "opt_out_marketing"},
    {RequestType::kObjection, "objection"},
}};
}  // namespace

const std::vector<RequestType>& AllRequestTypes() {
  static const std::vector<RequestType> all = [] {
    std::vector<RequestType> v;
    for (const auto& t : kTypeNames) v.push_back(t.type);
    return v;
  }();
  return all;
}

std::string_view RequestTypeName(RequestType t) {
  for (const auto& tn : kTypeNames)
    if (tn.type == t) return tn.name;
  return "unknown";
}

std::optional<RequestType> ParseRequestType(std::string_view name) {
  for (const auto& tn : kTypeNames)
    if (tn.name == name) return tn.type;
  return std::nullopt;
}

bool IsKnownJurisdiction(std::string_view code) {
  static constexpr std::array<std::string_view, 9> kCodes = {"gdpr",  "uk_gdpr", "ccpa", "vcdpa", "cpa",
                                                              "ctdpa", "tdpsa",   "lgpd", "pipeda"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

bool IsKnownChannel(std::string_view channel) {
  return channel == "email" || channel == "web" || channel == "staff" || channel == "api";
}

std::string NormalizeEmail(std::string_view email) {
  size_t b = 0, e = email.size();
  while (b < e && std::isspace(static_cast<unsigned char>(email[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(email[e - 1]))) --e;
  std::string out(email.substr(b, e - b));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsValidEmail(std::string_view e) {
  if (e.empty() || e.size() > 254) return false;
  const auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || e.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view local = e.substr(0, at), domain = e.substr(at + 1);
  for (unsigned char c : local) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' || c == ';' || c == '<' ||
        c == '>' || c == '[' || c == ']' || c == '\\')
      return false;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) return false;
  size_t label = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      if (label == 0 || label > 63 || domain[i - 1] == '-' || domain[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(domain[i]);
    if (!(std::isalnum(c) || c == '-' || c >= 0x80)) return false;
    ++label;
  }
  return true;
}

}  // namespace dsar
