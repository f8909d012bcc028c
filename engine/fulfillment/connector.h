// A connector: what one step of one system does for a request (issue 5 §4). The step runner
// (step_runner.h) plans a fulfillment job as steps, records each in the request's step ledger
// (store::LedgerRow) and hands each step to the connector registered for the step's kind:
//
//   kind        connector                                   one step is
//   "sqlite"    connectors/sql/sql_connector.h (company_db) one unit of the company database
//                                                           (erase: a table; the others: the step)
//   "webhook"   connectors/webhook.h                        a signed POST to a system of the map
//   "processor" connectors/webhook.h                        the same, to a processor (GDPR Art. 19)
//   "manual"    connectors/manual_task.h                    a task for staff
//
// A connector runs a step and says how it ended: done (with the result the ledger keeps),
// failed (with the cause staff see), or waiting (for a staff task, or for a callback). The
// runner owns the ledger: it starts the step (runs + 1) before calling Run, records the end a
// connector reports unless the connector recorded it itself (`recorded`), never runs a step
// that is done again, and starts a failed one again on a retry.
//
// Thread safety: connectors are called from the runner's one worker thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/time.h"
#include "store/store.h"

namespace dsar::fulfillment {

struct ConnectorSpec;  // systems_map.h
struct EraseOptions;   // connectors/sql/fulfiller.h

// What one unit of the company database did (connectors/sql/fulfiller.h).
struct StepResult {
  boost::json::object summary;     // what was done, per table: rows exported/erased/kept and why
  std::vector<std::string> files;  // files written (absolute paths), e.g. the export
  bool replayed = false;           // the journal already had it: nothing was done this time
};

// The kinds of the ledger's steps (store::LedgerRow::kind).
inline constexpr const char* kSqlKind = "sqlite";
inline constexpr const char* kWebhookKind = "webhook";
inline constexpr const char* kProcessorKind = "processor";
inline constexpr const char* kManualKind = "manual";

// Everything a connector is told about the step it runs. Borrowed for the call only.
struct StepContext {
  const store::JobRow& job;          // the job; job.step is the action (erase, opt_out_sale, ...)
  const store::RequestRow& request;  // as read when the job started
  const DataSubject& subject;
  Millis now;                        // the instant the job started (packages are dated with it)
  const store::LedgerRow& step;      // the planned step: system, table, kind, idempotency key
  std::int64_t ledger_id;            // its ledger row (started, or the waiting row to resume)
  const ConnectorSpec* spec;         // the map's entry for step.system; nullptr for the company database
  const EraseOptions& company;       // the company database's options (holds, corrections)
};

// How a step ended (or did not end yet).
struct StepOutcome {
  enum class Kind { kDone, kFailed, kWaitingTask, kWaitingCallback };
  Kind kind = Kind::kDone;
  std::string result_json;         // kDone: the result the ledger keeps (JSON text)
  std::optional<StepResult> unit;  // kDone, company database: the unit's result as it ran
  bool recorded = false;           // kDone, kFailed: the connector already wrote the ledger row's end
  std::string cause;               // kFailed: for staff (no personal data, no secret)
  std::string task, instructions;  // kWaitingTask: the task's name and what staff are asked to do
  // kWaitingTask from Resume: the ledger row as it waits (else the planned step is reported).
  std::optional<store::LedgerRow> waiting;

  static StepOutcome Done(std::string result_json);
  static StepOutcome Failed(std::string cause, bool recorded = false);
  static StepOutcome WaitingCallback();
};

// The results of a job's steps that are done, gathered in plan order.
struct JobResults {
  std::vector<StepResult> units;  // the company database's, in order
  boost::json::array systems;     // the other systems' and processors' results
};

class Connector {
 public:
  virtual ~Connector() = default;

  // Runs the step (again, on a retry or after a crash: the ledger row was started anew). Done,
  // Failed, or Waiting when the step completes later (a task, a callback); a connector that
  // waits has recorded the wait in the ledger (store::Tx::LedgerWait).
  virtual StepOutcome Run(const StepContext& ctx) = 0;

  // A step the ledger has `waiting` (ctx.ledger_id is that row): whether it has finished since.
  // nullopt: it cannot be resumed and is run again. The default: it waits for its callback (or
  // the callback's deadline, step_runner.h ExpireCallbacks).
  virtual std::optional<StepOutcome> Resume(const StepContext& ctx, const store::LedgerRow& waiting);

  // Adds a done step's result to the job's results. `done.result_json` is the ledger's result;
  // `done.unit` is set when the step ran in this job. The default: one entry of `systems`,
  // {"system", "kind", "description" (when the map gives one), "result"}.
  virtual void Collect(const StepContext& ctx, StepOutcome done, JobResults& into) const;
};

// `text` parsed as JSON; null when empty or not JSON.
boost::json::value ParseOrNull(const std::string& text);

}  // namespace dsar::fulfillment
