// GET /healthz and GET /denial-reasons.
#include "api/router.h"

#include "core/denial.h"

namespace dsar::api {

namespace json = boost::json;

// GET /denial-reasons: the fixed list a `deny` event's data.reason_code is taken from (core/denial.h).
Response DenialReasonsRoute(Call&) {
  json::array list;
  for (const auto& r : DenialReasons()) {
    json::object o;
    o["code"] = std::string(r.code);
    o["basis"] = std::string(r.basis);
    list.push_back(std::move(o));
  }
  json::object out;
  out["items"] = std::move(list);
  return JsonResponse(200, out);
}

Response HealthRoute(Call&) {
  json::object o;
  o["status"] = "ok";
  return JsonResponse(200, o);
}


}  // namespace dsar::api
