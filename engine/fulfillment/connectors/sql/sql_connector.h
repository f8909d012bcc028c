// The company database as a connector of the step runner (kind "sqlite", system "company_db" in
// the step ledger). One step is one unit of the Fulfiller (Fulfiller::Units: erase has one per
// table of the systems map, in map order; the other actions one, table ""), run by
// Fulfiller::RunUnit with the runner's EraseOptions (holds, corrections). The ledger keeps
// {"summary", "files", "replayed" (when the company database's journal had the unit: a crash
// between its commit and the ledger's)}. It never waits; a failure is the unit's error message.
//
// Thread safety: as the Fulfiller: one step at a time for a request.
#pragma once

#include <memory>

#include "fulfillment/connector.h"
#include "fulfillment/connectors/sql/fulfiller.h"

namespace dsar::fulfillment {

class SqlConnector : public Connector {
 public:
  // `fulfiller` must not be null.
  explicit SqlConnector(std::shared_ptr<Fulfiller> fulfiller) : fulfiller_(std::move(fulfiller)) {}

  StepOutcome Run(const StepContext& ctx) override;
  // Adds the unit's StepResult to `into.units`: as it ran, or read back from the ledger's result.
  void Collect(const StepContext& ctx, StepOutcome done, JobResults& into) const override;

 private:
  std::shared_ptr<Fulfiller> fulfiller_;
};

}  // namespace dsar::fulfillment
