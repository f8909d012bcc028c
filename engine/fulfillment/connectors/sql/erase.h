// The company database connector's erasure (internal to connectors/sql): one table at a time, as
// the systems map says (delete, null, mask, keep with a reason), unless a legal hold covers it;
// and the erase step's summary assembled from the tables' results (fulfiller.h documents both).
#pragma once

#include <optional>
#include <vector>

#include "core/status.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/connectors/sql/session.h"

namespace dsar::fulfillment::sql {

// What erasing one table did: its entry of the summary's "tables", and the "retained" entry when
// a legal hold kept rows there.
struct TableErasure {
  json::object table;
  std::optional<json::object> retained;
};

// erase, one table: as the map says, unless a legal hold covers it (asked right before the
// table). Linked rows were resolved before this runs.
Status EraseTable(Session& run, const TableSpec& t, const EraseOptions& options, TableErasure& out);

// The erase summary from the tables' results, in map order (Fulfiller::Assemble).
void AssembleErase(const SystemsMap& map, const std::vector<TableErasure>& parts, bool with_holds,
                   json::object& summary);

}  // namespace dsar::fulfillment::sql
