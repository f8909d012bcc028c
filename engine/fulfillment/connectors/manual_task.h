// Manual systems of the systems map as a connector of the step runner (kind "manual"; issue 5
// §4): the step opens a task for staff, a jobs row of kind "task" named "<action>_<system>"
// (idempotency key "<ledger key>:task:<runs>", so a step run again opens a new task), and waits
// in the ledger for it (task_job_id). The request waits in awaiting_task (the runner applies
// `task_opened` with the map's instructions); when staff complete the task (`complete_task`,
// the request service), the job runs again and Resume finds the task closed: the step is done,
// its result {"task", "completed": the task's result (note or evidence)}.
//
// Thread safety: called from the runner's worker thread; the store is self-synchronised.
#pragma once

#include "core/time.h"
#include "fulfillment/connector.h"
#include "store/store.h"

namespace dsar::fulfillment {

class ManualTaskConnector : public Connector {
 public:
  // Borrows `store` and `clock`, which must outlive it.
  ManualTaskConnector(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  StepOutcome Run(const StepContext& ctx) override;
  // Done when the waiting step's task is closed; still waiting (kWaitingTask) while it is open;
  // nullopt when the row has no task (it is run again).
  std::optional<StepOutcome> Resume(const StepContext& ctx, const store::LedgerRow& waiting) override;

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace dsar::fulfillment
