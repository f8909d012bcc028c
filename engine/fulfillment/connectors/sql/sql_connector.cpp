#include "fulfillment/connectors/sql/sql_connector.h"

#include <boost/json/serialize.hpp>

namespace dsar::fulfillment {

namespace json = boost::json;

StepOutcome SqlConnector::Run(const StepContext& ctx) {
  auto r = fulfiller_->RunUnit(ctx.job.step, ctx.step.table_name, ctx.request.reference, ctx.subject, ctx.now,
                               ctx.company);
  if (!r.ok()) return StepOutcome::Failed(r.status().message());
  json::object res;
  res["summary"] = r->summary;
  json::array files;
  for (const auto& f : r->files) files.emplace_back(f);
  res["files"] = std::move(files);
  if (r->replayed) res["replayed"] = true;  // the company database's journal had it (a crash in between)
  StepOutcome out = StepOutcome::Done(json::serialize(res));
  r->replayed = false;
  out.unit = std::move(r.value());
  return out;
}

void SqlConnector::Collect(const StepContext&, StepOutcome done, JobResults& into) const {
  if (done.unit) {
    into.units.push_back(std::move(*done.unit));
    return;
  }
  const json::value result = ParseOrNull(done.result_json);
  StepResult u;
  if (result.is_object()) {
    if (const auto* s = result.as_object().if_contains("summary"); s && s->is_object()) u.summary = s->as_object();
    if (const auto* f = result.as_object().if_contains("files"); f && f->is_array())
      for (const auto& x : f->as_array())
        if (x.is_string()) u.files.emplace_back(x.as_string().c_str());
  }
  into.units.push_back(std::move(u));
}

}  // namespace dsar::fulfillment
