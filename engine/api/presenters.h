// The API's JSON views of stored rows (contract — HTTP API): plain functions of what a use case
// returned, so a route builds its answer without reading the store again.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <boost/json/object.hpp>

#include "core/time.h"
#include "intake/inbound_queue.h"
#include "requests/engine.h"
#include "requests/tasks.h"
#include "schedule/deadline_policy.h"
#include "store/store.h"

namespace dsar::api {

// The request resource, with allowed_events (the staff events its pinned workflow offers now
// that would work), days_left and the pause/extension figures, at `now` under `deadlines`. Reads
// nothing: the view carries the agent's authority and the workflow (requests/engine.h).
boost::json::object RequestJson(const service::RequestView& r, Millis now, const service::DeadlinePolicy& deadlines);
boost::json::object TransitionJson(const store::TransitionRow& t);
boost::json::object HoldJson(const store::HoldRow& h);
boost::json::object InboundJson(const service::InboundMessage& m);
boost::json::object TaskJson(const service::TaskView& t);
boost::json::object LedgerJson(const store::LedgerRow& l);

}  // namespace dsar::api
