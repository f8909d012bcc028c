#include "api/router.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <exception>

#include "api/problem.h"
#include "identity/api_tokens.h"

namespace dsar::api {

namespace json = boost::json;

namespace {
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  t = Trim(t);
  std::string out(t);
  for (char& c : out) c = Lower(c);
  return out;
}
std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Response JsonResponse(int status, const json::value& body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::string(kJsonContentType));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = json::serialize(body);
  return r;
}

Response StatusProblem(const Status& s, std::string_view instance) {
  Response r;
  r.status = HttpStatusFor(s.kind());
  r.headers.emplace_back("Content-Type", std::string(kProblemContentType));
  r.headers.emplace_back("Cache-Control", "no-store");
  for (auto& h : ProblemHeaders(s)) r.headers.push_back(std::move(h));
  r.body = json::serialize(ProblemJson(s, instance));
  return r;
}

namespace {

using RouteFn = Response (*)(Call&);

struct Route {
  std::string_view method;
  std::vector<std::string_view> pattern;  // segments after /api/v1; "{}" matches one non-empty segment
  bool is_public;
  RouteFn fn;
  std::string_view name;  // for logs
};

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = {
      {"POST", {"requests"}, false, CreateRequestRoute, "POST /requests"},
      {"GET", {"requests"}, false, ListRequestsRoute, "GET /requests"},
      {"GET", {"requests", "{}"}, false, GetRequestRoute, "GET /requests/{id}"},
      {"PATCH", {"requests", "{}"}, false, AmendRoute, "PATCH /requests/{id}"},
      {"GET", {"requests", "{}", "transitions"}, false, TransitionsRoute, "GET /requests/{id}/transitions"},
      {"POST", {"requests", "{}", "events"}, false, EventRoute, "POST /requests/{id}/events"},
      {"POST", {"requests", "{}", "verify"}, true, VerifyRoute, "POST /requests/{id}/verify"},
      {"POST", {"requests", "{}", "verification", "resend"}, true, ResendRoute,
       "POST /requests/{id}/verification/resend"},
      {"POST", {"requests", "{}", "verification", "data-points"}, true, DataPointsRoute,
       "POST /requests/{id}/verification/data-points"},
      {"POST", {"requests", "{}", "agent-authorization"}, false, AgentAuthorizationRoute,
       "POST /requests/{id}/agent-authorization"},
      {"GET", {"requests", "{}", "export"}, false, ExportRoute, "GET /requests/{id}/export"},
      {"GET", {"requests", "{}", "package"}, false, PackageReviewRoute, "GET /requests/{id}/package"},
      {"GET", {"requests", "{}", "package", "tables", "{}"}, false, PackageRowsRoute,
       "GET /requests/{id}/package/tables/{table}"},
      {"POST", {"requests", "{}", "package", "redactions"}, false, RedactRoute,
       "POST /requests/{id}/package/redactions"},
      {"DELETE", {"requests", "{}", "package", "redactions", "{}"}, false, UnredactRoute,
       "DELETE /requests/{id}/package/redactions/{version}"},
      {"POST", {"requests", "{}", "download-link"}, false, IssueDownloadLinkRoute,
       "POST /requests/{id}/download-link"},
      {"POST", {"legal-holds"}, false, PlaceHoldRoute, "POST /legal-holds"},
      {"GET", {"legal-holds"}, false, ListHoldsRoute, "GET /legal-holds"},
      {"DELETE", {"legal-holds", "{}"}, false, ReleaseHoldRoute, "DELETE /legal-holds/{id}"},
      {"POST", {"intake", "mail"}, false, IntakeMailRoute, "POST /intake/mail"},
      {"GET", {"intake", "messages"}, false, ListInboundRoute, "GET /intake/messages"},
      {"GET", {"intake", "messages", "{}"}, false, GetInboundRoute, "GET /intake/messages/{id}"},
      {"GET", {"denial-reasons"}, false, DenialReasonsRoute, "GET /denial-reasons"},
      {"GET", {"tasks"}, false, ListTasksRoute, "GET /tasks"},
      {"GET", {"requests", "{}", "tasks"}, false, RequestTasksRoute, "GET /requests/{id}/tasks"},
      {"POST", {"requests", "{}", "tasks", "{}", "complete"}, false, CompleteTaskRoute,
       "POST /requests/{id}/tasks/{task}/complete"},
      {"GET", {"requests", "{}", "steps"}, false, StepsRoute, "GET /requests/{id}/steps"},
      {"POST", {"callbacks", "{}"}, true, CallbackRoute, "POST /callbacks/{token}"},
      {"POST", {"suppression", "check"}, false, SuppressionCheckRoute, "POST /suppression/check"},
      {"GET", {"healthz"}, true, HealthRoute, "GET /healthz"},
  };
  return routes;
}

bool Match(const Route& route, const std::vector<std::string>& segs, std::vector<std::string>& params) {
  if (route.pattern.size() != segs.size()) return false;
  std::vector<std::string> got;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (route.pattern[i] == "{}") {
      if (segs[i].empty()) return false;
      got.push_back(segs[i]);
    } else if (route.pattern[i] != segs[i]) {
      return false;
    }
  }
  params = std::move(got);
  return true;
}

// Ok (and `staff` set to the token's name) when the bearer token is valid; otherwise the 401
// response to send.
std::optional<Response> CheckBearer(const Request& req, Context& ctx, std::string_view path, std::string& staff) {
  auto unauthorized = [&](std::string_view detail, bool invalid) {
    Response r = ProblemResponse(401, detail, path);
    r.headers.emplace_back("WWW-Authenticate",
                           invalid ? "Bearer realm=\"dsar\", error=\"invalid_token\"" : "Bearer realm=\"dsar\"");
    return r;
  };
  std::string_view auth = Trim(req.Header("Authorization"));
  if (auth.empty()) return unauthorized("this endpoint needs Authorization: Bearer <token>", false);
  const std::size_t sp = auth.find(' ');
  if (sp == std::string_view::npos || !IEquals(auth.substr(0, sp), "Bearer"))
    return unauthorized("this endpoint needs Authorization: Bearer <token>", false);
  std::string_view token = Trim(auth.substr(sp + 1));
  if (token.empty() || token.size() > 512) return unauthorized("the bearer token is not valid", true);
  auto name = TokenName(ctx.service, std::string(token));
  if (!name.ok()) return StatusProblem(name.status(), path);
  if (!name->has_value()) return unauthorized("the bearer token is not valid", true);
  staff = **name;
  return std::nullopt;
}

Response Dispatch(const Request& req, Context& ctx) {
  auto parsed = boost::urls::parse_origin_form(req.target);
  if (!parsed) return ProblemResponse(400, "the request target is not a valid origin-form URI");
  const boost::urls::url_view url = *parsed;
  std::vector<std::string> segs;
  for (auto seg : url.segments()) segs.push_back(std::string(seg));
  const std::string path = std::string(url.encoded_path());

  // /healthz is also served at the root, for load balancers.
  const bool root_health = segs.size() == 1 && segs[0] == "healthz";
  // The requester's download link, /d/{token}, is served at the root only.
  const bool root_download = segs.size() == 2 && segs[0] == "d";
  if (root_download) {
    Call call{req, ctx, {segs[1]}, url, path, "requester"};
    Response r = req.method == "GET"
                     ? DownloadRoute(call)
                     : ProblemResponse(405, "method " + req.method + " is not allowed here (allowed: GET)", path);
    if (r.status == 405) r.headers.emplace_back("Allow", "GET");
    r.route = "GET /d/{token}";
    return r;
  }
  if (!root_health) {
    if (segs.size() < 2 || segs[0] != "api" || segs[1] != "v1") {
      Response r = ProblemResponse(404, "no such endpoint", path);
      r.route = "unknown";
      return r;
    }
    segs.erase(segs.begin(), segs.begin() + 2);
  }

  std::vector<std::string> params;
  const Route* found = nullptr;
  std::string allow;
  for (const Route& route : Routes()) {
    std::vector<std::string> p;
    if (!Match(route, segs, p)) continue;
    if (route.method == req.method) {
      found = &route;
      params = std::move(p);
      break;
    }
    if (allow.find(route.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + std::string(route.method);
  }
  if (found == nullptr) {
    if (allow.empty()) {
      Response r = ProblemResponse(404, "no such endpoint", path);
      r.route = "unknown";
      return r;
    }
    Response r = ProblemResponse(405, "method " + req.method + " is not allowed here (allowed: " + allow + ")", path);
    r.headers.emplace_back("Allow", allow);
    r.route = "405";
    return r;
  }

  Call call{req, ctx, std::move(params), url, path, "api"};
  Response r;
  if (!found->is_public) {
    std::string staff;
    if (auto denied = CheckBearer(req, ctx, path, staff)) {
      denied->route = std::string(found->name);
      return *denied;
    }
    call.actor = "staff:" + staff;
  }
  r = found->fn(call);
  r.route = std::string(found->name);
  return r;
}

}  // namespace

bool HeaderLess::operator()(std::string_view a, std::string_view b) const {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const char x = Lower(a[i]), y = Lower(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (IEquals(k, name)) return v;
  return {};
}

std::size_t BodyLimitFor(std::string_view method, std::string_view target, std::size_t mail_limit) {
  std::string_view path = target.substr(0, target.find('?'));
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (method == "POST" && path == "/api/v1/intake/mail") return mail_limit;
  // An evidence file for a task: POST /api/v1/requests/{id}/tasks/{task}/complete.
  if (method == "POST" && path.rfind("/api/v1/requests/", 0) == 0 && path.size() > 9 &&
      path.substr(path.size() - 9) == "/complete" && path.find("/tasks/") != std::string_view::npos)
    return mail_limit;
  return kJsonBodyLimit;
}

Response ProblemResponse(int status, std::string_view detail, std::string_view instance) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::string(kProblemContentType));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = json::serialize(ProblemJson(status, detail, instance));
  return r;
}
Response Handle(const Request& request, Context& context) {
  try {
    return Dispatch(request, context);
  } catch (const std::exception&) {
    Response r = ProblemResponse(500, "internal error; the operation was not completed");
    r.route = "exception";
    return r;
  }
}

}  // namespace dsar::api
