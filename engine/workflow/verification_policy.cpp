#include "workflow/verification_policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <sstream>

#include "core/model.h"
#include "workflow/yaml_adapter.h"

namespace dsar::workflow {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxNodes = 5000;
constexpr int kMaxDepth = 10;

int Line(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 1; }

// Collects `file:line: message` diagnostics while reading (the same habits as rules_loader.cpp).
class Reader {
 public:
  Reader(std::string file, std::vector<Diagnostic>& errors) : file_(std::move(file)), errors_(errors) {}
  void Error(const YAML::Node& at, const std::string& m) { errors_.push_back({file_, Line(at.Mark()), m}); }
  void Error(int line, const std::string& m) { errors_.push_back({file_, line, m}); }
  std::size_t count() const { return errors_.size(); }

  bool ScanKeys(const YAML::Node& node, int depth = 0) {
    if (++nodes_ > kMaxNodes || depth > kMaxDepth) {
      Error(node, "the document is too large or too deeply nested");
      return false;
    }
    if (node.IsSequence()) {
      for (const auto& item : node)
        if (!ScanKeys(item, depth + 1)) return false;
    } else if (node.IsMap()) {
      std::map<std::string, int> seen;
      for (auto it = node.begin(); it != node.end(); ++it) {
        const int line = Line(it->first.Mark());
        if (!it->first.IsScalar()) {
          Error(line, "mapping keys must be plain names, not lists or mappings");
        } else if (auto [pos, fresh] = seen.emplace(it->first.Scalar(), line); !fresh) {
          Error(line, "duplicate key '" + it->first.Scalar() + "' (first defined on line " +
                          std::to_string(pos->second) + ")");
        }
        if (!ScanKeys(it->second, depth + 1)) return false;
      }
    }
    return true;
  }

  bool ExpectMap(const YAML::Node& node, const std::string& what) {
    if (node.IsMap()) return true;
    Error(node, what + " must be a mapping, not " + DescribeNode(node));
    return false;
  }

  void CheckKeys(const YAML::Node& map, std::initializer_list<const char*> allowed, const std::string& what) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        Error(it->first, "unknown key '" + key + "' in " + what + " (expected: " + list + ")");
      }
    }
  }

  std::optional<std::string> String(const YAML::Node& map, const char* key, bool required, const std::string& what) {
    const YAML::Node v = map[key];
    if (!v.IsDefined()) {
      if (required) Error(map, what + " needs '" + key + "'");
      return std::nullopt;
    }
    if (ClassifyScalar(v) != ScalarKind::kString || v.Scalar().empty()) {
      Error(v, "'" + std::string(key) + "' in " + what + " must be a non-empty string, not " + DescribeNode(v));
      return std::nullopt;
    }
    return v.Scalar();
  }

  std::optional<int> Int(const YAML::Node& map, const char* key, int min, int max, const std::string& what) {
    const YAML::Node v = map[key];
    if (!v.IsDefined()) return std::nullopt;
    auto n = ScalarInteger(v);
    if (!n || *n < min || *n > max) {
      Error(v, "'" + std::string(key) + "' in " + what + " must be an integer from " + std::to_string(min) + " to " +
                   std::to_string(max) + ", not " + DescribeNode(v));
      return std::nullopt;
    }
    return static_cast<int>(*n);
  }

  std::optional<Millis> Duration(const YAML::Node& map, const char* key, const std::string& what) {
    const YAML::Node v = map[key];
    if (!v.IsDefined()) return std::nullopt;
    auto d = v.IsScalar() ? ParsePolicyDuration(v.Scalar()) : std::nullopt;
    if (!d) Error(v, "'" + std::string(key) + "' in " + what + " must be a duration like 60s, 15m, 24h or 2d, not " +
                         DescribeNode(v));
    return d;
  }

 private:
  std::string file_;
  std::vector<Diagnostic>& errors_;
  std::size_t nodes_ = 0;
};

// One rule (defaults, a request type, or a jurisdiction under a request type).
PolicyRule ReadRule(Reader& rd, const YAML::Node& node, const std::string& what, bool allow_jurisdictions) {
  PolicyRule r;
  r.line = Line(node.Mark());
  if (allow_jurisdictions)
    rd.CheckKeys(node,
                 {"method", "code_ttl", "max_attempts", "resend_cooldown", "max_resends", "fraud_check", "data_points",
                  "citation", "jurisdictions"},
                 what);
  else
    rd.CheckKeys(node,
                 {"method", "code_ttl", "max_attempts", "resend_cooldown", "max_resends", "fraud_check", "data_points",
                  "citation"},
                 what);
  r.method = rd.String(node, "method", false, what);
  if (r.method && *r.method != "email_code" && *r.method != "none") {
    rd.Error(node["method"], "unknown method '" + *r.method + "' in " + what + " (expected: email_code, none)");
    r.method.reset();
  }
  r.code_ttl = rd.Duration(node, "code_ttl", what);
  r.resend_cooldown = rd.Duration(node, "resend_cooldown", what);
  r.max_attempts = rd.Int(node, "max_attempts", 1, 20, what);
  r.max_resends = rd.Int(node, "max_resends", 0, 20, what);
  if (const YAML::Node fc = node["fraud_check"]; fc.IsDefined()) {
    const std::string fwhat = "fraud_check of " + what;
    if (rd.ExpectMap(fc, fwhat)) {
      rd.CheckKeys(fc, {"max_per_hour", "blocked_domains"}, fwhat);
      FraudCheck f;
      f.max_per_hour = rd.Int(fc, "max_per_hour", 1, 1000, fwhat).value_or(0);
      if (const YAML::Node doms = fc["blocked_domains"]; doms.IsDefined()) {
        if (!doms.IsSequence()) {
          rd.Error(doms, "'blocked_domains' in " + fwhat + " must be a list of domain names, not " + DescribeNode(doms));
        } else {
          static const std::regex kDomain("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$");
          for (const auto& d : doms) {
            std::string name = d.IsScalar() ? d.Scalar() : "";
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (!std::regex_match(name, kDomain))
              rd.Error(d, "'" + (d.IsScalar() ? d.Scalar() : DescribeNode(d)) + "' in blocked_domains of " + what +
                              " is not a domain name");
            else
              f.blocked_domains.push_back(name);
          }
        }
      }
      r.fraud_check = std::move(f);
    }
  }
  if (const YAML::Node dp = node["data_points"]; dp.IsDefined()) {
    const std::string dwhat = "data_points of " + what;
    if (rd.ExpectMap(dp, dwhat)) {
      rd.CheckKeys(dp, {"degree", "max_attempts"}, dwhat);
      DataPointRule d;
      if (auto degree = rd.String(dp, "degree", true, dwhat)) {
        if (*degree != "reasonable" && *degree != "reasonably_high")
          rd.Error(dp["degree"], "unknown degree '" + *degree + "' in " + dwhat + " (expected: reasonable, reasonably_high)");
        else
          d.degree = *degree;
      }
      d.max_attempts = rd.Int(dp, "max_attempts", 1, 10, dwhat).value_or(3);
      r.data_points = d;
    }
  }
  if (auto c = rd.String(node, "citation", true, what)) r.citation = *c;
  return r;
}

void Apply(const PolicyRule& r, VerificationPolicy& p) {
  if (r.method) p.method = *r.method;
  if (r.code_ttl) p.code_ttl = *r.code_ttl;
  if (r.max_attempts) p.max_attempts = *r.max_attempts;
  if (r.resend_cooldown) p.resend_cooldown = *r.resend_cooldown;
  if (r.max_resends) p.max_resends = *r.max_resends;
  if (r.fraud_check) p.fraud_check = r.fraud_check;
  if (r.data_points) p.data_points = r.data_points;
  if (!r.citation.empty()) p.citations.insert(p.citations.begin(), r.citation);
}

}  // namespace

std::optional<Millis> ParsePolicyDuration(const std::string& text) {
  static const std::regex kDuration("^[1-9][0-9]{0,5}[smhd]$");
  if (!std::regex_match(text, kDuration)) return std::nullopt;
  const Millis n = std::stoll(text.substr(0, text.size() - 1));
  switch (text.back()) {
    case 'd': return n * kMillisPerDay;
    case 'h': return n * kMillisPerHour;
    case 'm': return n * kMillisPerMinute;
    default: return n * 1000;
  }
}

VerificationPolicy VerificationPolicies::For(const std::string& type, const std::string& jurisdiction) const {
  VerificationPolicy p = fallback_;
  if (defaults) Apply(*defaults, p);
  if (auto t = types.find(type); t != types.end()) Apply(t->second, p);
  if (auto t = jurisdictions.find(type); t != jurisdictions.end())
    if (auto j = t->second.find(jurisdiction); j != t->second.end()) Apply(j->second, p);
  return p;
}

VerificationPolicyLoad LoadVerificationPolicySource(const std::string& source, const std::string& file,
                                                    VerificationPolicy fallback) {
  VerificationPolicyLoad out;
  out.policies = VerificationPolicies(std::move(fallback));
  Reader rd(file, out.errors);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(source);
  } catch (const YAML::Exception& e) {
    rd.Error(Line(e.mark), "YAML syntax error: " + e.msg);
    return out;
  }
  if (docs.size() != 1) {
    rd.Error(docs.empty() ? 1 : Line(docs[1].Mark()),
             docs.empty() ? "the file holds no YAML document (expected the verification policies)"
                          : "only one YAML document per file is allowed");
    return out;
  }
  const YAML::Node root = docs[0];
  if (!rd.ScanKeys(root) || out.errors.size() || !rd.ExpectMap(root, "the document")) return out;
  rd.CheckKeys(root, {"defaults", "request_types"}, "the document");
  if (const YAML::Node d = root["defaults"]; d.IsDefined() && rd.ExpectMap(d, "'defaults'")) {
    PolicyRule rule = ReadRule(rd, d, "defaults", false);
    if (rule.fraud_check) rd.Error(d["fraud_check"], "fraud_check belongs to a request type, not to defaults");
    out.policies.defaults = std::move(rule);
  }
  if (const YAML::Node types = root["request_types"]; types.IsDefined() && rd.ExpectMap(types, "'request_types'")) {
    for (auto it = types.begin(); it != types.end(); ++it) {
      const std::string type = it->first.Scalar();
      if (!ParseRequestType(type)) {
        rd.Error(it->first, "unknown request type '" + type +
                                "' (expected one of access, deletion, portability, correction, opt_out_sale, "
                                "opt_out_marketing, objection)");
        continue;
      }
      const std::string what = "request type '" + type + "'";
      if (!rd.ExpectMap(it->second, what)) continue;
      PolicyRule rule = ReadRule(rd, it->second, what, true);
      if (const YAML::Node js = it->second["jurisdictions"]; js.IsDefined() && rd.ExpectMap(js, "'jurisdictions' of " + what)) {
        for (auto j = js.begin(); j != js.end(); ++j) {
          const std::string code = j->first.Scalar();
          if (!IsKnownJurisdiction(code)) {
            rd.Error(j->first, "unknown jurisdiction '" + code + "' under " + what +
                                   " (expected one of gdpr, uk_gdpr, ccpa, vcdpa, cpa, ctdpa, tdpsa, lgpd, pipeda)");
            continue;
          }
          const std::string jwhat = "jurisdiction '" + code + "' of " + what;
          if (!rd.ExpectMap(j->second, jwhat)) continue;
          out.policies.jurisdictions[type][code] = ReadRule(rd, j->second, jwhat, false);
        }
      }
      out.policies.types[type] = std::move(rule);
    }
  }
  // A code for a request type whose policy is method none, or a fraud check on one that verifies,
  // is a contradiction worth a message.
  for (const auto& [type, rule] : out.policies.types) {
    auto p = out.policies.For(type, "");
    if (p.fraud_check && p.method != "none")
      rd.Error(rule.line, "fraud_check applies only to method none (request type '" + type + "' uses " + p.method + ")");
    if (p.data_points && p.method == "none")
      rd.Error(rule.line, "data_points needs a verifying method (request type '" + type + "' uses none)");
  }
  if (!out.errors.empty()) out.policies = VerificationPolicies(out.policies.fallback_);
  return out;
}

VerificationPolicyLoad LoadVerificationPolicyDir(const std::string& workflows_dir, VerificationPolicy fallback) {
  const fs::path path = fs::path(workflows_dir) / "verification" / "verification.yaml";
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    VerificationPolicyLoad out;
    out.policies = VerificationPolicies(std::move(fallback));
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  if (in) bytes << in.rdbuf();
  if (!in || in.bad()) {
    VerificationPolicyLoad out;
    out.errors.push_back({path.string(), 0, std::string("cannot read the file: ") + std::strerror(errno)});
    return out;
  }
  return LoadVerificationPolicySource(bytes.str(), path.string(), std::move(fallback));
}

}  // namespace dsar::workflow
