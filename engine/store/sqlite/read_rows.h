// Internal to the SQLite store: reading rows that more than one table group's file reads (the
// requests row, read by requests.cpp and retention.cpp) and collecting a query's rows.
#pragma once

#include <vector>

#include "core/status.h"
#include "store/rows.h"
#include "store/sqlite/sqlite.h"

namespace dsar::store {

// The columns ReadRequest reads, in its order.
inline constexpr const char* kRequestColumns =
    "seq, id, reference, type, state, jurisdiction, subject_json, subject_email, subject_account, requester_json, "
    "channel, received_at, due_at, details_json, identity_verified, duplicate_of, language, version, workflow_id, "
    "workflow_hash, created_at, updated_at, ack_due_at, extensions, paused_at, paused_days";

// The current row of a query over kRequestColumns.
RequestRow ReadRequest(const Statement& s);

// Every row of `s`, read by `read`; the statement's error when a step fails.
template <typename Row, typename Reader>
Result<std::vector<Row>> Collect(Statement& s, Reader read) {
  std::vector<Row> rows;
  while (s.Step()) rows.push_back(read(s));
  if (!s.status().ok()) return s.status();
  return rows;
}

}  // namespace dsar::store
