#include "core/denial.h"

namespace dsar {

const std::vector<DenialReason>& DenialReasons() {
  static const std::vector<DenialReason> reasons = {
      {"insufficient_verification",
       "GDPR Art. 12(2) and 12(6); Cal. Code Regs. tit. 11 §§ 7024(a)-(b), 7062"},
      {"no_match", "GDPR Art. 11(2); Cal. Code Regs. tit. 11 § 7024(c)"},
      {"exempt_data",
       "GDPR Art. 17(3) and Art. 23; Cal. Civ. Code §§ 1798.105(d), 1798.145; Cal. Code Regs. tit. 11 §§ 7022(f), "
       "7024(e)"},
      {"manifestly_unfounded_or_excessive", "GDPR Art. 12(5)(b); Cal. Civ. Code § 1798.145(h)(3)"},
      {"too_many_requests", "Cal. Civ. Code § 1798.130(b) (twice in 12 months); GDPR Art. 12(5) (repetitive requests)"},
      {"agent_not_authorized", "Cal. Code Regs. tit. 11 § 7063(a); GDPR Art. 12(6)"},
      {"outside_scope", "GDPR Art. 2-3; Cal. Civ. Code § 1798.140(i) (consumer: a California resident)"},
      // An opt-out of sale/sharing held for staff review by the fraud check (verification.yaml).
      {"fraudulent_request",
       "Cal. Code Regs. tit. 11 § 7026(d)-(e) (a good-faith, reasonable and documented belief that a request to "
       "opt out of sale/sharing is fraudulent; the requester is told why); GDPR Art. 12(5)(b)"},
  };
  return reasons;
}

const DenialReason* FindDenialReason(std::string_view code) {
  for (const auto& r : DenialReasons())
    if (r.code == code) return &r;
  return nullptr;
}

}  // namespace dsar
