// The company database connector's exports (internal to connectors/sql): export_access and
// export_portability, streamed from the subject's linked rows into a ZIP package (fulfiller.h
// documents the packages, their summaries and the staging folder).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/model.h"
#include "core/status.h"
#include "core/time.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/connectors/sql/session.h"

namespace dsar::fulfillment::sql {

// What an export step needs besides the session.
struct ExportContext {
  std::string step;
  std::string reference;
  const DataSubject& subject;
  std::optional<Millis> generated_at;
  std::filesystem::path dir;  // <exports>/<reference>, absolute
};

// export_access: <exports>/<reference>/access.zip with index.html (a summary for people, with
// the GDPR Art. 15 / CCPA information), data.json (every linked row, all columns except
// withheld ones, with the map's metadata) and one CSV per table with rows. The rows are staged
// first (review.h: kept in <reference>/.review-access when `keep_review`, for the redaction
// review before release), and the package is built from the staged data.
Status ExportAccess(Session& run, const ExportContext& ctx, StepResult& result, bool keep_review);

// export_portability: <exports>/<reference>/portability.zip with data.json and one CSV per
// table with rows, only the fields the subject provided (machine-readable; no index.html).
Status ExportPortability(Session& run, const ExportContext& ctx, StepResult& result);

}  // namespace dsar::fulfillment::sql
