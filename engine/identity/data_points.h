// Verification by matching data points the company holds (Cal. Code Regs. tit. 11 § 7062).
//
// Thread safety: free functions; each runs its own transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <functional>
#include "core/model.h"
#include "core/status.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// Where the company's verification data points come from (Cal. Code Regs. tit. 11 § 7062): the
// systems map's verification_point columns (fulfillment::Fulfiller::DataPointNames /
// DataPointValues). `names`: the point names a requester may offer; `columns`: column name (both
// "column" and "table.column") -> point name, to find the points a correction names; `values`:
// what the company holds for a data subject, by point name (personal data: compared, never logged
// or stored).
struct DataPointSource {
  std::vector<std::string> names;
  std::map<std::string, std::string> columns;
  std::function<Result<std::map<std::string, std::vector<std::string>>>(const DataSubject&)> values;
};

// A data point's value as compared: ASCII case folded, blanks trimmed and runs of blanks made one
// space; for phone numbers (a name containing "phone") and card digits (a name containing "card"
// or ending in "last4") only the digits.
std::string NormalizeDataPoint(std::string_view name, std::string_view value);

// What one data-point attempt found (never the values): the names of the points that matched,
// sorted; those offered but not counted because the correction request names them (§ 7062(e):
// a correction is not verified with the data it corrects); the points needed; whether it
// verified; and, when it did not, the failed attempts left (0: the request was denied).
struct DataPointOutcome {
  store::RequestRow request;
  std::vector<std::string> matched, excluded;
  int required = 0;
  bool verified = false;
  int attempts_left = 0;
};

// Verification by matching data points (Cal. Code Regs. tit. 11 § 7062; the policy's
// data_points). `points`: point name -> the value the requester offers; `signed_declaration`:
// the requester signed the declaration under penalty of perjury (§ 7062(c)). Each point the
// company holds for the data subject (DataPointSource) that equals the offered value after
// NormalizeDataPoint counts once; values are compared as keyed hashes in constant time and are
// never logged or stored: data_point_attempts (migration 012) keeps only the names offered and
// matched. Enough points (2, or 3 and the declaration for a reasonably high degree) verify the
// data subject: `identity_verified` with data {method: data_points, degree, points (the names),
// matched, required, signed_declaration, citation}, on the existing path (promotion, agents).
// Too few: a failed attempt (Refused, with the attempts left); at the policy's max_attempts data
// points are locked for the request (Refused thereafter), as wrong codes lock a code; the
// mailed code still works, and the verification window's denial (insufficient_verification)
// then says the details did not match (VerificationFailure). Invalid for unknown point names or no points; Refused when the
// request is not awaiting verification or the policy offers no data points; Unprocessable when
// no systems map is configured.
Result<DataPointOutcome> VerifyDataPoints(Engine& e, const std::string& id, const std::map<std::string, std::string>& points,
                                          bool signed_declaration, const std::string& actor);

}  // namespace dsar::service
