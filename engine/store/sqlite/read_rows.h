// Internal to the SQLite store: reading a row's columns into a row struct, the requests row (read
// by requests.cpp and retention.cpp), and collecting a query's rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

// Reads the current row's columns 0, 1, 2, ... into `out...`, in order, each by its type: integers
// and bools from INTEGER (NULL reads 0), strings from TEXT or BLOB (NULL reads ""), optionals
// nullopt for NULL.
inline void ReadColumn(const Statement& s, int i, std::int64_t& v) { v = s.Int(i); }
inline void ReadColumn(const Statement& s, int i, int& v) { v = static_cast<int>(s.Int(i)); }
inline void ReadColumn(const Statement& s, int i, bool& v) { v = s.Int(i) != 0; }
inline void ReadColumn(const Statement& s, int i, std::string& v) { v = s.Text(i); }
inline void ReadColumn(const Statement& s, int i, std::optional<std::int64_t>& v) { v = s.OptInt(i); }
inline void ReadColumn(const Statement& s, int i, std::optional<std::string>& v) { v = s.OptText(i); }
template <typename... T>
void ReadColumns(const Statement& s, T&... out) {
  int i = 0;
  (ReadColumn(s, i++, out), ...);
}

// Every row of `s`, read by `read`; the statement's error when a step fails.
template <typename Row, typename Reader>
Result<std::vector<Row>> Collect(Statement& s, Reader read) {
  std::vector<Row> rows;
  while (s.Step()) rows.push_back(read(s));
  if (!s.status().ok()) return s.status();
  return rows;
}

}  // namespace dsar::store
