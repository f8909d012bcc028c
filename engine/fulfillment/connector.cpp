#include "fulfillment/connector.h"

#include <boost/json/parse.hpp>
#include <utility>

#include "fulfillment/systems_map.h"

namespace dsar::fulfillment {

namespace json = boost::json;

StepOutcome StepOutcome::Done(std::string result_json) {
  StepOutcome o;
  o.kind = Kind::kDone;
  o.result_json = std::move(result_json);
  return o;
}

StepOutcome StepOutcome::Failed(std::string cause, bool recorded) {
  StepOutcome o;
  o.kind = Kind::kFailed;
  o.cause = std::move(cause);
  o.recorded = recorded;
  return o;
}

StepOutcome StepOutcome::WaitingCallback() {
  StepOutcome o;
  o.kind = Kind::kWaitingCallback;  // the callback (or its deadline) moves it on
  return o;
}

std::optional<StepOutcome> Connector::Resume(const StepContext&, const store::LedgerRow&) {
  return StepOutcome::WaitingCallback();
}

void Connector::Collect(const StepContext& ctx, StepOutcome done, JobResults& into) const {
  json::object e;
  e["system"] = ctx.step.system;
  e["kind"] = ctx.step.kind;
  if (ctx.spec && !ctx.spec->description.empty()) e["description"] = ctx.spec->description;
  e["result"] = ParseOrNull(done.result_json);
  into.systems.push_back(std::move(e));
}

json::value ParseOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

}  // namespace dsar::fulfillment
