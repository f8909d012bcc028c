#include "fulfillment/connectors/manual_task.h"

#include <boost/json/serialize.hpp>

#include "fulfillment/systems_map.h"

namespace dsar::fulfillment {

namespace json = boost::json;

StepOutcome ManualTaskConnector::Run(const StepContext& ctx) {
  if (ctx.spec == nullptr) return StepOutcome::Failed("the systems map no longer has '" + ctx.step.system + "'");
  const store::LedgerRow& step = ctx.step;
  const std::int64_t ledger_id = ctx.ledger_id;
  // A task for staff; the request waits in awaiting_task until they complete it.
  const std::string task = ctx.job.step + "_" + step.system;
  std::optional<std::int64_t> task_id;
  Status ts = store_.Transact([&](store::Tx& tx) -> Status {
    auto l = tx.LedgerById(ledger_id);
    if (!l.ok()) return l.status();
    store::JobRow t;
    t.request_id = ctx.request.id;
    t.kind = "task";
    t.step = task;
    t.idempotency_key = step.idempotency_key + ":task:" + std::to_string(l->runs);
    t.status = "open";
    t.created_at = clock_.Now();
    if (Status s = tx.InsertJob(t); !s.ok()) return s;
    auto jobs = tx.JobsFor(ctx.request.id);
    if (!jobs.ok()) return jobs.status();
    for (const auto& j : *jobs)
      if (j.idempotency_key == t.idempotency_key) task_id = j.id;
    return tx.LedgerWait(ledger_id, task_id, std::nullopt);
  });
  if (!ts.ok()) return StepOutcome::Failed(ts.message());
  StepOutcome out;
  out.kind = StepOutcome::Kind::kWaitingTask;
  out.task = task;
  out.instructions = ctx.spec->instructions;
  return out;
}

std::optional<StepOutcome> ManualTaskConnector::Resume(const StepContext& ctx, const store::LedgerRow& waiting) {
  if (!waiting.task_job_id) return std::nullopt;
  // A manual step whose task staff completed: done now, with the task's note or evidence.
  std::optional<store::JobRow> task;
  Status ts = store_.Read([&](store::Tx& tx) -> Status {
    auto jobs = tx.JobsFor(ctx.request.id);
    if (!jobs.ok()) return jobs.status();
    for (const auto& j : *jobs)
      if (j.id == *waiting.task_job_id) task = j;
    return Status::Ok();
  });
  if (!ts.ok()) return StepOutcome::Failed(ts.message());
  if (task && task->status == "closed") {
    json::object res;
    res["task"] = task->step;
    res["completed"] = ParseOrNull(task->result_json);
    return StepOutcome::Done(json::serialize(res));
  }
  StepOutcome out;
  out.kind = StepOutcome::Kind::kWaitingTask;
  out.waiting = waiting;
  out.task = task ? task->step : "";
  out.instructions = ctx.spec ? ctx.spec->instructions : "";
  return out;
}

}  // namespace dsar::fulfillment
