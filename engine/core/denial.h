// The reasons a request may be denied (issue 5 §7): a fixed list, so that every denial is
// counted and explained the same way; staff add free text for the case at hand. The requester
// is told the reason in their language (templates/mail/denial_reasons.yaml) and, where the law
// gives one, how to appeal (the jurisdiction's `appeal` rule).
//
// Pure data; thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace dsar {

struct DenialReason {
  std::string_view code;   // snake_case, the `data.reason_code` of a `deny` event
  std::string_view basis;  // the legal rules that allow the denial
};

// In a stable order (the API lists them in this order).
const std::vector<DenialReason>& DenialReasons();
// nullptr for a code that is not on the list.
const DenialReason* FindDenialReason(std::string_view code);

}  // namespace dsar
