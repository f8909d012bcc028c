// The company database connector's steps that set values in place (internal to connectors/sql):
// opt_out_sale / opt_out_marketing (the map's flags) and correct (the approved changes); fulfiller.h
// documents their summaries. Linked rows were resolved before these run.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/connectors/sql/session.h"

namespace dsar::fulfillment::sql {

// opt_out_sale / opt_out_marketing: sets each flag on the linked rows where it differs.
Status SetFlags(Session& run, const std::vector<OptOutFlag>& flags, const std::string& step, json::object& summary);

// correct: each approved change set on the subject's linked rows of its table, with the values
// before and after per row (rowid order). Linked rows were resolved before this runs.
Status Correct(Session& run, const std::vector<CorrectionChange>& changes, json::object& summary);

// The summary without the values the rows held before (for the company database's journal).
json::object WithoutBefore(json::object summary);

}  // namespace dsar::fulfillment::sql
