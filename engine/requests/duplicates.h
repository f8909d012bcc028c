// Duplicate requests (DESIGN.md contract — duplicates): following a duplicate to its primary.
#pragma once

#include <optional>
#include "core/status.h"
#include "store/store.h"

namespace dsar::service {

// The first request of a duplicate chain (r.duplicate_of, followed while it is itself a
// duplicate, at most kMaxDuplicateChain links); nullopt when r is no duplicate or the chain is
// broken (a purged primary).
inline constexpr int kMaxDuplicateChain = 16;
Result<std::optional<store::RequestRow>> PrimaryOf(store::Tx& tx, const store::RequestRow& r);

}  // namespace dsar::service
