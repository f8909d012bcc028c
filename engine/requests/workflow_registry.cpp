#include "requests/workflow_registry.h"

#include <algorithm>
#include <vector>

#include "workflow/loader.h"

namespace dsar::service {

void WorkflowRegistry::AddCurrent(std::shared_ptr<const Workflow> wf) {
  std::lock_guard lock(mu_);
  pinned_[wf->hash] = wf;
  current_[wf->request_type] = std::move(wf);
}

std::shared_ptr<const Workflow> WorkflowRegistry::Current(const std::string& request_type) const {
  auto it = current_.find(request_type);
  return it == current_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const Workflow>> WorkflowRegistry::Pinned(store::Tx& tx, const std::string& hash) {
  {
    std::lock_guard lock(mu_);
    if (auto it = pinned_.find(hash); it != pinned_.end()) return it->second;
  }
  auto source = tx.WorkflowSource(hash);
  if (!source.ok()) return source.status();
  workflow::LoadResult r = workflow::LoadWorkflowSource(*source, "stored definition " + hash.substr(0, 12));
  if (!r.ok() || r.workflows.empty())
    return Status::IoError("stored workflow definition " + hash + " no longer loads: " +
                           (r.errors.empty() ? "empty" : r.errors[0].ToString()));
  auto wf = std::make_shared<const Workflow>(std::move(r.workflows[0]));
  std::lock_guard lock(mu_);
  pinned_[hash] = wf;
  return wf;
}

std::shared_ptr<const Workflow> WorkflowRegistry::Cached(const std::string& hash) {
  std::lock_guard lock(mu_);
  auto it = pinned_.find(hash);
  return it == pinned_.end() ? nullptr : it->second;
}

bool WorkflowRegistry::IsStateName(const std::string& name) const {
  static const std::vector<std::string> kContract = {
      "received", "triage", "verifying", "hold_check", "on_hold", "awaiting_approval", "fulfilling", "awaiting_task",
      "paused", "error", "duplicate", "completed", "denied", "cancelled"};
  if (std::find(kContract.begin(), kContract.end(), name) != kContract.end()) return true;
  for (const auto& [type, wf] : current_)
    if (wf->FindState(name) != nullptr) return true;
  return false;
}

}  // namespace dsar::service
