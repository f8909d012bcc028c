// The router: the route table (method + path pattern under /api/v1 → a plain function of the
// call), matching (404 unknown path, 405 with Allow for a known path and another method), the
// bearer check of staff routes (401 with WWW-Authenticate), and dispatch. Handle() (routes.h)
// is its entry point. The routes themselves live in api/routes/, one file per resource; this
// header is what they share: the Call they receive and the response builders.
//
// Every failure answer is built from a Status through the one kind table (problem.h): a route
// returns Fail(c, status) and never picks an HTTP status for a kind itself.
//
// Thread safety: route functions may run on several threads at once with one Context.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/url/url_view.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/cursor.h"
#include "api/routes.h"

namespace dsar::api {

// ---- text helpers ----
bool IEquals(std::string_view a, std::string_view b);  // ASCII case-insensitive
std::string_view Trim(std::string_view s);             // spaces and tabs at both ends
// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type);
// A whole decimal integer, or nullopt.
std::optional<std::int64_t> ParseInt(std::string_view s);

// ---- responses ----
// `body` as application/json, Cache-Control: no-store.
Response JsonResponse(int status, const boost::json::value& body);
// The problem response of a failed Status: the status from the kind table, its headers
// (Retry-After for RateLimited), `instance` the path.
Response StatusProblem(const Status& s, std::string_view instance);

// One call of a route: the request, the context, the {} segments of the pattern (decoded).
struct Call {
  const Request& req;
  Context& ctx;
  std::vector<std::string> params;  // the {id} segments, decoded
  boost::urls::url_view url;
  std::string path;   // for problem `instance`
  std::string actor;  // "staff:<token name>" on staff routes
};

inline Response Fail(const Call& c, const Status& s) { return StatusProblem(s, c.path); }
// For input errors a Status does not describe (a route's own 400/404/415 detail).
inline Response Fail(const Call& c, int status, std::string_view detail) {
  return ProblemResponse(status, detail, c.path);
}
inline service::Engine& Svc(Call& c) { return c.ctx.service; }

// 200 {"items": [...]}: each row of `rows` as `to_json` writes it, or the failure of `rows`.
template <class Rows, class ToJson>
Response ItemsResponse(Call& c, const Result<Rows>& rows, ToJson to_json) {
  if (!rows.ok()) return Fail(c, rows.status());
  boost::json::array items;
  items.reserve(rows->size());
  for (const auto& row : *rows) items.push_back(to_json(row));
  boost::json::object o;
  o["items"] = std::move(items);
  return JsonResponse(200, o);
}

// 200 {"items": [...], "next_cursor": "..."|null} for a page fetched with `limit` + 1 rows (the
// extra row only says there is a next page): the first `limit` rows as `to_json` writes them,
// the cursor from `key_of` of the last one shown.
template <class Rows, class ToJson, class KeyOf>
Response PageResponse(Rows& rows, int limit, ToJson to_json, KeyOf key_of) {
  const bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.resize(static_cast<std::size_t>(limit));
  boost::json::array items;
  items.reserve(rows.size());
  for (const auto& row : rows) items.push_back(to_json(row));
  boost::json::object o;
  o["items"] = std::move(items);
  o["next_cursor"] = more ? boost::json::value(EncodeCursor(key_of(rows.back()))) : boost::json::value(nullptr);
  return JsonResponse(200, o);
}

// ---- the routes (api/routes/<resource>.cpp); routes.h lists them with their answers ----
// requests.cpp
Response CreateRequestRoute(Call& c);
Response ListRequestsRoute(Call& c);
Response GetRequestRoute(Call& c);
Response AmendRoute(Call& c);
Response TransitionsRoute(Call& c);
Response EventRoute(Call& c);
// verification.cpp
Response VerifyRoute(Call& c);
Response ResendRoute(Call& c);
Response DataPointsRoute(Call& c);
Response AgentAuthorizationRoute(Call& c);
// packages.cpp
Response ExportRoute(Call& c);
Response PackageReviewRoute(Call& c);
Response PackageRowsRoute(Call& c);
Response RedactRoute(Call& c);
Response UnredactRoute(Call& c);
Response IssueDownloadLinkRoute(Call& c);
Response DownloadRoute(Call& c);  // GET /d/{token}, outside /api/v1
// holds.cpp
Response PlaceHoldRoute(Call& c);
Response ListHoldsRoute(Call& c);
Response ReleaseHoldRoute(Call& c);
// intake.cpp
Response IntakeMailRoute(Call& c);
Response ListInboundRoute(Call& c);
Response GetInboundRoute(Call& c);
// tasks.cpp
Response ListTasksRoute(Call& c);
Response RequestTasksRoute(Call& c);
Response CompleteTaskRoute(Call& c);
Response StepsRoute(Call& c);
Response CallbackRoute(Call& c);
// suppression.cpp
Response SuppressionCheckRoute(Call& c);
// meta.cpp
Response HealthRoute(Call& c);
Response DenialReasonsRoute(Call& c);

}  // namespace dsar::api
