// Identity verification policies (issue 5 §1), configured beside the workflows in
// `<workflows_dir>/verification/verification.yaml` (a subfolder, because LoadWorkflowDir reads
// every top-level *.yaml as a workflow).
//
// File format (one mapping; every rule carries a non-empty `citation`):
//   defaults:                      # optional; applies to every request type
//     method: email_code           # email_code | none
//     code_ttl: 24h                # a one-time code's life from its stored issue time: N{s,m,h,d}
//     max_attempts: 5              # wrong codes allowed before the code locks (1..20)
//     resend_cooldown: 60s         # the least time between two codes for one request
//     max_resends: 3               # new codes a requester may ask for (0..20)
//     citation: ...
//   request_types:
//     <contract request type>:     # the same keys, replacing the defaults they name, plus
//       fraud_check:               # for method none (opt-outs): staff review instead of acting
//         max_per_hour: 3          #   when more opt-outs than this came for the same subject
//                                  #   in the last hour (1..1000)
//         blocked_domains: [..]    #   or the subject's address is at one of these domains
//       data_points:           # verification by matching data points the business holds
//         degree: reasonable       #   (Cal. Code Regs. tit. 11 § 7062): reasonable = 2 matching
//                                  #   points (§ 7062(b), (d)); reasonably_high = 3 matching
//                                  #   points and a signed declaration under penalty of perjury
//                                  #   (§ 7062(c)); the points are the systems map's
//                                  #   verification_point columns
//         max_attempts: 3          #   failed attempts before the request is denied (1..10)
//       jurisdictions:
//         <contract jurisdiction>: # the same keys again (no nested jurisdictions), replacing
//           code_ttl: 48h          # the request type's for requests of that jurisdiction
//           citation: ...
//
// Precedence for each value: the jurisdiction entry, the request type entry, `defaults`, and
// last the service configuration (Config::verification_code_ttl / verification_max_attempts for
// code_ttl / max_attempts; method email_code, resend_cooldown 60s, max_resends 3 otherwise).
// A missing file means every value comes from that last level.
//
// Every problem is a Diagnostic (`file:line: message`, workflow/loader.h): YAML syntax,
// duplicate keys, unknown keys, unknown request types, jurisdictions or methods, bad durations
// and out-of-range numbers, a missing citation. A result carries data only without errors.
//
// Thread safety: the functions are reentrant; VerificationPolicies is immutable after loading.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "workflow/loader.h"

namespace dsar::workflow {

// Data-point verification (Cal. Code Regs. tit. 11 § 7062). A correction is never verified with
// the data it corrects: the fields a correction request names do not count (§ 7062(e) with
// § 7060(b)-(c)).
struct DataPointRule {
  std::string degree = "reasonable";  // reasonable | reasonably_high
  int max_attempts = 3;               // failed attempts before the request is denied
  // Matching points needed: 2 for a reasonable degree of certainty (§ 7062(b), (d)), 3 for a
  // reasonably high degree (§ 7062(c)), which also needs the signed declaration.
  int required_points() const { return degree == "reasonably_high" ? 3 : 2; }
  bool needs_declaration() const { return degree == "reasonably_high"; }
};

struct FraudCheck {
  int max_per_hour = 0;                      // 0 = no limit on the count
  std::vector<std::string> blocked_domains;  // lower-case
};

// One level of the file: only the keys it names are set.
struct PolicyRule {
  std::optional<std::string> method;
  std::optional<Millis> code_ttl, resend_cooldown;
  std::optional<int> max_attempts, max_resends;
  std::optional<FraudCheck> fraud_check;
  std::optional<DataPointRule> data_points;
  std::string citation;
  int line = 0;
};

// The policy in force for one request.
struct VerificationPolicy {
  std::string method = "email_code";  // email_code | none
  Millis code_ttl = 24 * kMillisPerHour;
  int max_attempts = 5;
  Millis resend_cooldown = 60 * 1000;
  int max_resends = 3;
  std::optional<FraudCheck> fraud_check;
  std::optional<DataPointRule> data_points;  // nullopt: data-point verification is not offered
  std::vector<std::string> citations;  // of the rules that set it, most specific first
};

class VerificationPolicies {
 public:
  // `fallback` is the last level (built from the service configuration).
  explicit VerificationPolicies(VerificationPolicy fallback = {}) : fallback_(std::move(fallback)) {}
  // The policy for a request of `type` in `jurisdiction` ("" = unknown: the type's rule).
  VerificationPolicy For(const std::string& type, const std::string& jurisdiction) const;

  std::optional<PolicyRule> defaults;
  std::map<std::string, PolicyRule> types;
  std::map<std::string, std::map<std::string, PolicyRule>> jurisdictions;  // type -> code -> rule
  VerificationPolicy fallback_;
};

struct VerificationPolicyLoad {
  VerificationPolicies policies;
  std::vector<Diagnostic> errors;
  bool ok() const { return errors.empty(); }
};

// Parses `source`; `file` names it in diagnostics. `fallback` as above.
VerificationPolicyLoad LoadVerificationPolicySource(const std::string& source, const std::string& file,
                                                    VerificationPolicy fallback = {});
// `<workflows_dir>/verification/verification.yaml`; no file: the fallback alone, no error.
VerificationPolicyLoad LoadVerificationPolicyDir(const std::string& workflows_dir, VerificationPolicy fallback = {});

// "2d", "24h", "90m", "60s" -> milliseconds; nullopt unless ^[1-9][0-9]{0,5}[smhd]$.
std::optional<Millis> ParsePolicyDuration(const std::string& text);

}  // namespace dsar::workflow
