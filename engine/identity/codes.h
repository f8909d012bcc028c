// Identity verification by one-time code mailed to the data subject (DESIGN.md contract — secrets at
// rest: only the code's keyed hash is stored; GDPR Art. 12(6), Cal. Code Regs. tit. 11 § 7060).
//
// Thread safety: free functions; each runs its own transaction.
#pragma once

#include <string>
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// The requester's one-time code. Refused (with the reason) when wrong, expired, locked or not
// awaiting verification; a wrong code is counted, and the last allowed wrong code denies the
// request for insufficient verification.
Result<store::RequestRow> Verify(Engine& e, const std::string& id, const std::string& code, const std::string& actor);

// A new one-time code for a request awaiting verification (issue 5 §1): the previous code
// stops working, the new one is mailed to the data subject only, and a `code_resent`
// transition records it. RateLimited (retry_after_ms() = the time left) within the policy's
// resend_cooldown of the last code; Conflict after max_resends new codes; Refused when the
// request is not awaiting verification.
Result<store::RequestRow> ResendCode(Engine& e, const std::string& id, const std::string& actor);

// Why verification of `r` failed for good, for the denial the requester reads (the code
// expired, too many wrong codes, or never confirmed).
Result<std::string> VerificationFailure(Engine& e, store::Tx& tx, const store::RequestRow& r);

// Checks `code` against the latest verification of `r` inside `tx` (the request's own
// transaction): a match applies identity_verified; a failed attempt is recorded and `refusal`
// says why (Ok is returned, so the caller must commit to keep the count).
Status VerifyCodeInTx(Engine& e, store::Tx& tx, store::RequestRow& r, const std::string& code,
                      const std::string& actor, Status& refusal);

}  // namespace dsar::service
