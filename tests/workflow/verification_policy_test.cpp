// workflows/verification/verification.yaml (issue 5 §1): the shipped file loads, resolves per
// request type and jurisdiction, and bad files give `file:line: message`.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/verification_policy.h"

using dsar::kMillisPerHour;
using dsar::kMillisPerMinute;
using dsar::workflow::LoadVerificationPolicyDir;
using dsar::workflow::LoadVerificationPolicySource;
using dsar::workflow::VerificationPolicy;

namespace {

std::vector<std::string> Errors(const std::string& yaml) {
  auto r = LoadVerificationPolicySource(yaml, "v.yaml");
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.ToString());
  return out;
}

}  // namespace

TEST_CASE("the shipped verification policies load and resolve", "[workflow][verification]") {
  VerificationPolicy fallback;
  fallback.code_ttl = 12 * kMillisPerHour;
  fallback.max_attempts = 7;
  auto r = LoadVerificationPolicyDir(std::string(DSAR_SOURCE_DIR) + "/workflows", fallback);
  for (const auto& d : r.errors) UNSCOPED_INFO(d.ToString());
  REQUIRE(r.ok());
  const auto access_ccpa = r.policies.For("access", "ccpa");
  CHECK(access_ccpa.method == "email_code");
  CHECK(access_ccpa.max_attempts == 3);
  CHECK(access_ccpa.code_ttl == 12 * kMillisPerHour);  // the configuration's, the file leaves it
  CHECK(access_ccpa.resend_cooldown == 60 * 1000);
  CHECK(access_ccpa.max_resends == 3);
  REQUIRE(access_ccpa.citations.size() == 3);
  CHECK(access_ccpa.citations[0].find("§ 7062(c)") != std::string::npos);
  const auto access_gdpr = r.policies.For("access", "gdpr");
  CHECK(access_gdpr.max_attempts == 7);
  CHECK(r.policies.For("access", "").max_attempts == 7);
  const auto opt_out = r.policies.For("opt_out_sale", "ccpa");
  CHECK(opt_out.method == "none");
  REQUIRE(opt_out.fraud_check.has_value());
  CHECK(opt_out.fraud_check->max_per_hour == 3);
  CHECK(opt_out.fraud_check->blocked_domains == std::vector<std::string>{"mailinator.com", "guerrillamail.com"});
  CHECK(r.policies.For("opt_out_marketing", "").method == "none");
  for (const char* t : {"access", "deletion", "portability", "correction", "objection"})
    CHECK(r.policies.For(t, "").method == "email_code");
  // Data points (Cal. Code Regs. tit. 11 § 7062): 2 points for a reasonable degree, 3 and the
  // declaration for a reasonably high one; none for objections and opt-outs.
  REQUIRE(access_ccpa.data_points.has_value());
  CHECK(access_ccpa.data_points->degree == "reasonably_high");
  CHECK(access_ccpa.data_points->required_points() == 3);
  CHECK(access_ccpa.data_points->needs_declaration());
  REQUIRE(access_gdpr.data_points.has_value());
  CHECK(access_gdpr.data_points->degree == "reasonable");
  CHECK(access_gdpr.data_points->required_points() == 2);
  CHECK_FALSE(access_gdpr.data_points->needs_declaration());
  CHECK(r.policies.For("deletion", "ccpa").data_points->degree == "reasonable");
  CHECK(r.policies.For("portability", "gdpr").data_points->degree == "reasonably_high");
  CHECK(r.policies.For("correction", "ccpa").data_points->max_attempts == 3);
  CHECK_FALSE(r.policies.For("objection", "gdpr").data_points.has_value());
  CHECK_FALSE(opt_out.data_points.has_value());
}

TEST_CASE("bad data_points rules: file:line: message", "[workflow][verification]") {
  CHECK(Errors("request_types:\n  access:\n    data_points: { degree: certain }\n    citation: x\n") ==
        std::vector<std::string>{
            "v.yaml:3: unknown degree 'certain' in data_points of request type 'access' (expected: reasonable, "
            "reasonably_high)"});
  CHECK(Errors("request_types:\n  access:\n    data_points: { degree: reasonable, max_attempts: 0 }\n    citation: x\n") ==
        std::vector<std::string>{
            "v.yaml:3: 'max_attempts' in data_points of request type 'access' must be an integer from 1 to 10, not integer 0"});
  CHECK(Errors("request_types:\n  access:\n    data_points: { points: 2 }\n    citation: x\n") ==
        std::vector<std::string>{
            "v.yaml:3: unknown key 'points' in data_points of request type 'access' (expected: degree, max_attempts)",
            "v.yaml:3: data_points of request type 'access' needs 'degree'"});
  CHECK(Errors("request_types:\n  opt_out_marketing:\n    method: none\n    data_points: { degree: reasonable }\n"
               "    citation: x\n") ==
        std::vector<std::string>{"v.yaml:3: data_points needs a verifying method (request type 'opt_out_marketing' uses none)"});
  auto ok = LoadVerificationPolicySource(
      "request_types:\n  deletion:\n    data_points: { degree: reasonably_high, max_attempts: 5 }\n    citation: x\n",
      "v.yaml");
  REQUIRE(ok.ok());
  CHECK(ok.policies.For("deletion", "").data_points->max_attempts == 5);
  CHECK(ok.policies.For("deletion", "").data_points->required_points() == 3);
  CHECK_FALSE(ok.policies.For("access", "").data_points.has_value());
}

TEST_CASE("no policy file: the fallback alone", "[workflow][verification]") {
  VerificationPolicy fallback;
  fallback.max_attempts = 9;
  auto r = LoadVerificationPolicyDir("/nonexistent-dir", fallback);
  REQUIRE(r.ok());
  CHECK(r.policies.For("access", "gdpr").max_attempts == 9);
}

TEST_CASE("durations", "[workflow][verification]") {
  CHECK(dsar::workflow::ParsePolicyDuration("60s") == 60 * 1000);
  CHECK(dsar::workflow::ParsePolicyDuration("15m") == 15 * kMillisPerMinute);
  CHECK(dsar::workflow::ParsePolicyDuration("24h") == 24 * kMillisPerHour);
  CHECK(dsar::workflow::ParsePolicyDuration("2d") == 48 * kMillisPerHour);
  CHECK_FALSE(dsar::workflow::ParsePolicyDuration("0s"));
  CHECK_FALSE(dsar::workflow::ParsePolicyDuration("1w"));
  CHECK_FALSE(dsar::workflow::ParsePolicyDuration("-5m"));
  CHECK_FALSE(dsar::workflow::ParsePolicyDuration("24 hours"));
}

TEST_CASE("bad verification policy files: file:line: message", "[workflow][verification]") {
  CHECK(Errors("defaults:\n  method: email_code\n  colour: red\n  citation: x\n") ==
        std::vector<std::string>{"v.yaml:3: unknown key 'colour' in defaults (expected: method, code_ttl, "
                                 "max_attempts, resend_cooldown, max_resends, fraud_check, data_points, "
                                 "citation)"});
  CHECK(Errors("request_types:\n  erasure:\n    citation: x\n") ==
        std::vector<std::string>{"v.yaml:2: unknown request type 'erasure' (expected one of access, deletion, "
                                 "portability, correction, opt_out_sale, opt_out_marketing, objection)"});
  CHECK(Errors("request_types:\n  access:\n    citation: x\n    jurisdictions:\n      texas: { citation: y }\n") ==
        std::vector<std::string>{"v.yaml:5: unknown jurisdiction 'texas' under request type 'access' (expected one "
                                 "of gdpr, uk_gdpr, ccpa, vcdpa, cpa, ctdpa, tdpsa, lgpd, pipeda)"});
  CHECK(Errors("defaults:\n  max_attempts: 0\n  citation: x\n") ==
        std::vector<std::string>{"v.yaml:2: 'max_attempts' in defaults must be an integer from 1 to 20, not integer 0"});
  CHECK(Errors("defaults:\n  max_resends: lots\n  citation: x\n") ==
        std::vector<std::string>{"v.yaml:2: 'max_resends' in defaults must be an integer from 0 to 20, not 'lots'"});
  CHECK(Errors("defaults:\n  resend_cooldown: 1w\n  citation: x\n") ==
        std::vector<std::string>{"v.yaml:2: 'resend_cooldown' in defaults must be a duration like 60s, 15m, 24h or 2d, "
                                 "not '1w'"});
  CHECK(Errors("defaults:\n  method: sms\n  citation: x\n") ==
        std::vector<std::string>{"v.yaml:2: unknown method 'sms' in defaults (expected: email_code, none)"});
  CHECK(Errors("request_types:\n  access:\n    code_ttl: 1h\n") ==
        std::vector<std::string>{"v.yaml:3: request type 'access' needs 'citation'"});
  CHECK(Errors("request_types:\n  access:\n    citation: x\n  access:\n    citation: y\n") ==
        std::vector<std::string>{"v.yaml:4: duplicate key 'access' (first defined on line 2)"});
  CHECK(Errors("request_types:\n  access:\n    fraud_check: { max_per_hour: 2 }\n    citation: x\n") ==
        std::vector<std::string>{"v.yaml:3: fraud_check applies only to method none (request type 'access' uses "
                                 "email_code)"});
  CHECK(Errors("request_types:\n  opt_out_sale:\n    method: none\n    fraud_check: { blocked_domains: [\"not a "
               "domain\"] }\n    citation: x\n") ==
        std::vector<std::string>{"v.yaml:4: 'not a domain' in blocked_domains of request type 'opt_out_sale' is not a "
                                 "domain name"});
  CHECK(Errors("- a list\n") == std::vector<std::string>{"v.yaml:1: the document must be a mapping, not a list"});
  // A failed load carries no data.
  auto bad = LoadVerificationPolicySource("defaults:\n  max_attempts: 99\n  citation: x\n", "v.yaml");
  CHECK_FALSE(bad.ok());
  CHECK_FALSE(bad.policies.defaults.has_value());
}
