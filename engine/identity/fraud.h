// The opt-out fraud check at submission (Cal. Code Regs. tit. 11 § 7026(d)-(e)).
//
// Thread safety: free functions, run inside the caller's transaction.
#pragma once

#include <string>
#include <vector>
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// An opt-out suspected of fraud by the request type's fraud_check (Cal. Code Regs. tit. 11
// § 7026(d)-(e)): `reasons` documents why ("more than N opt-out requests for this data subject
// within an hour", "the address is at a blocked domain (d)"); empty when not suspected.
struct FraudAssessment {
  bool suspected = false;
  std::vector<std::string> reasons;
};

// The check of `r`, already inserted (so the count per hour includes it), under its policy's
// fraud_check (none: not suspected).
Result<FraudAssessment> AssessFraud(Engine& e, store::Tx& tx, const store::RequestRow& r, Millis now);

}  // namespace dsar::service
