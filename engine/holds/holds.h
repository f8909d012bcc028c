// Legal holds (issue 5 §3; GDPR Art. 17(3)(b), (e)): placing, scoping and releasing them, and the
// grounds a hold may give. A hold stops an erasure of what it covers; placing or releasing one
// records hold_placed / hold_released on every open request it covers.
//
// Thread safety: free functions; each runs its own transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <boost/json/object.hpp>
#include <boost/json/array.hpp>
#include "core/status.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// A legal hold to place (issue 5 §3). Scope: the data subject (subject_email and/or
// account_id), a table or a category of the systems map (everyone's rows there), or a subject and
// a table/category (only that person's rows there); at least one of them, and not both a table
// and a category. `matter` (required) is the legal matter's id and groups holds; `ground` one of
// HoldGrounds() ("" = legal_claims); `reason` (required) why; `actor` who.
struct HoldInput {
  std::string subject_email;
  std::string account_id;
  std::string matter;
  std::string reason;
  std::string actor;
  std::string table;     // "" = not limited to a table
  std::string category;  // "" = not limited to a category
  std::string ground;    // "" = legal_claims
};

// The grounds a hold may give, with the law it rests on (GDPR Art. 17(3)).
struct HoldGround {
  std::string name, citation;
};
const std::vector<HoldGround>& HoldGrounds();
// The citation of a ground; "" for an unknown one.
std::string HoldCitation(const std::string& ground);

// What releasing a hold did (issue 5 §3). `resumed`: references of the requests that were
// waiting on_hold and left it (a request still covered by another whole-subject hold goes back
// on_hold and is not listed). `retained_now_free`: completed deletions that kept rows for this
// hold, one entry per table: {"request_id", "reference", "table", "rows", "category",
// "still_held_by": [ids of other active holds covering them]}. A release never re-runs an erasure
// by itself: staff open a new deletion request for the person to erase rows now free.
struct HoldRelease {
  store::HoldRow hold;
  std::vector<std::string> resumed;
  boost::json::array retained_now_free;
};

// Places a hold and records a `hold_placed` transition (hold id, scope, ground, citation, who,
// why) on every open request it covers: the subject's requests for a hold naming a person,
// every open deletion for a table or category hold naming nobody. Invalid (the message names
// the field) for a missing matter/reason, no scope, a table and a category together, a bad
// email or an unknown ground; Unprocessable for a table or category the systems map lacks (or
// when no systems map is configured).
Result<store::HoldRow> PlaceHold(Engine& e, const HoldInput& in);
// Holds, oldest first; `matter` non-empty: only that matter's.
Result<std::vector<store::HoldRow>> ListHolds(Engine& e, bool active_only, const std::string& matter = "");
// Releases a hold, records `hold_released` on every open request it covers (requests on_hold
// go back to hold_check and resume when no other hold stops them). NotFound for an unknown
// id, Conflict when already released.
Result<HoldRelease> ReleaseHold(Engine& e, const std::string& id, const std::string& actor, const std::string& reason);

}  // namespace dsar::service
