// WorkflowRegistry: the workflows requests run under, current and pinned (DESIGN.md §2).
//
// A request records the hash of the workflow it started under and finishes under that definition:
// `Pinned` returns it from memory, or loads it from the store's copy of every definition it has run
// (workflow_definitions) when a file was edited since. The current definitions (one per request
// type) are fixed once the engine is created.
//
// Thread safety: self-synchronised; Pinned may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "core/workflow.h"
#include "store/store.h"

namespace dsar::service {

class WorkflowRegistry {
 public:
  // Makes `wf` the current workflow of its request type (and a pinned one). Before serving only.
  void AddCurrent(std::shared_ptr<const Workflow> wf);
  // The current workflow of a request type; nullptr for an unknown type.
  std::shared_ptr<const Workflow> Current(const std::string& request_type) const;
  // Every current workflow, by request type.
  const std::map<std::string, std::shared_ptr<const Workflow>>& current() const { return current_; }
  // The definition with this hash: from memory, else loaded from the store's copy. IoError when
  // the stored copy no longer loads; NotFound when the store has none.
  Result<std::shared_ptr<const Workflow>> Pinned(store::Tx& tx, const std::string& hash);
  // The definition with this hash when it is in memory; nullptr otherwise (no store read).
  std::shared_ptr<const Workflow> Cached(const std::string& hash);
  // True for a state name of a current workflow or of the contract (DESIGN.md §3 — state names).
  bool IsStateName(const std::string& name) const;

 private:
  std::map<std::string, std::shared_ptr<const Workflow>> current_;  // by request type; fixed before serving
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Workflow>> pinned_;  // by hash; guarded by mu_
};

}  // namespace dsar::service
