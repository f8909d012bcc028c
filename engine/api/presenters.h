// The API's JSON views of stored rows (contract — HTTP API): plain functions of what a use case
// returned, so a route builds its answer without reading the store again.
//
// Thread safety: functions of their arguments (RequestJson reads the engine's fixed state only).
#pragma once

#include <boost/json/object.hpp>

#include "intake/inbound_queue.h"
#include "requests/tasks.h"
#include "store/store.h"

namespace dsar::service {
class Engine;  // requests/engine.h
}  // namespace dsar::service

namespace dsar::api {

// The request resource, with allowed_events, days_left and the pause/extension figures.
boost::json::object RequestJson(service::Engine& e, const store::RequestRow& r);
boost::json::object TransitionJson(const store::TransitionRow& t);
boost::json::object HoldJson(const store::HoldRow& h);
boost::json::object InboundJson(const service::InboundMessage& m);
boost::json::object TaskJson(const service::TaskView& t);
boost::json::object LedgerJson(const store::LedgerRow& l);

}  // namespace dsar::api
