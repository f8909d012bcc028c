// The company database's journal (internal to connectors/sql): the table dsar_fulfillment_log,
// created in the company database on first use, one row per (reference, step or
// "<step>/<unit>"), with the unit's summary and the files it wrote. A unit that finished is
// recorded in the same transaction as its changes, so running it again changes nothing
// (fulfiller.h). Callers hold the database's transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/connectors/sql/sqlite_db.h"

namespace dsar::fulfillment::sql {

constexpr const char* kJournal = "dsar_fulfillment_log";
// The resolution of the data subject the first erase unit of a reference records (their account
// ids and the rowids linked to them): personal data, deleted with the last table's erasure.
constexpr const char* kSubjectUnit = "erase/_subject";

Status EnsureJournal(Db& db);

// A journal row: its result, whether every file it names still exists, and (exports) the
// instant the package was dated with.
struct Journaled {
  StepResult result;
  bool complete = false;
  std::optional<Millis> generated_at;
};

// The row of (reference, key), if any.
Result<std::optional<Journaled>> ReadJournal(Db& db, const std::string& reference, const std::string& key);

// Records (reference, key) with `summary` and the files written (replacing an older row).
Status WriteJournal(Db& db, const std::string& reference, const std::string& key, const boost::json::object& summary,
                    const std::vector<std::string>& file_list);

// Deletes the row of (reference, key); Ok when there is none.
Status DeleteJournal(Db& db, const std::string& reference, const std::string& key);

}  // namespace dsar::fulfillment::sql
