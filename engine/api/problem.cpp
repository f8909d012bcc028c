#include "api/problem.h"

#include <algorithm>

namespace dsar::api {

namespace {

struct KindRow {
  Status::Kind kind;
  int http_status;
};

// THE table (STYLE.md: "engine/api maps kind → problem+json in one table").
constexpr KindRow kKindTable[] = {
    {Status::Kind::kOk, 200},
    {Status::Kind::kNotFound, 404},
    {Status::Kind::kConflict, 409},
    {Status::Kind::kRefused, 409},
    {Status::Kind::kInvalid, 400},
    {Status::Kind::kUnprocessable, 422},
    {Status::Kind::kUnauthorized, 401},
    {Status::Kind::kTooLarge, 413},
    {Status::Kind::kGone, 410},
    {Status::Kind::kRateLimited, 429},
    {Status::Kind::kIoError, 500},
};

struct StatusRow {
  int code;
  std::string_view reason;
  std::string_view type;  // RFC 9457 `type`, a relative URI
};

constexpr StatusRow kStatusTable[] = {
    {200, "OK", "about:blank"},
    {400, "Bad Request", "/problems/bad-request"},
    {401, "Unauthorized", "/problems/unauthorized"},
    {403, "Forbidden", "/problems/forbidden"},
    {404, "Not Found", "/problems/not-found"},
    {405, "Method Not Allowed", "/problems/method-not-allowed"},
    {409, "Conflict", "/problems/conflict"},
    {410, "Gone", "/problems/gone"},
    {413, "Content Too Large", "/problems/too-large"},
    {415, "Unsupported Media Type", "/problems/unsupported-media-type"},
    {422, "Unprocessable Content", "/problems/unprocessable"},
    {429, "Too Many Requests", "/problems/rate-limited"},
    {431, "Request Header Fields Too Large", "/problems/header-too-large"},
    {500, "Internal Server Error", "/problems/internal"},
    {503, "Service Unavailable", "/problems/unavailable"},
};

const StatusRow* FindStatus(int code) {
  for (const auto& row : kStatusTable)
    if (row.code == code) return &row;
  return nullptr;
}

}  // namespace

int HttpStatusFor(Status::Kind kind) {
  for (const auto& row : kKindTable)
    if (row.kind == kind) return row.http_status;
  return 500;
}

std::string RetryAfterSeconds(Millis retry_after_ms) {
  return std::to_string(std::max<Millis>(1, (retry_after_ms + 999) / 1000));
}

std::vector<std::pair<std::string, std::string>> ProblemHeaders(const Status& status) {
  if (status.IsRateLimited()) return {{"Retry-After", RetryAfterSeconds(status.retry_after_ms())}};
  return {};
}

std::string_view ReasonPhrase(int http_status) {
  const StatusRow* row = FindStatus(http_status);
  return row ? row->reason : std::string_view("Error");
}

boost::json::object ProblemJson(int http_status, std::string_view detail, std::string_view instance) {
  const StatusRow* row = FindStatus(http_status);
  boost::json::object o;
  o["type"] = row ? row->type : std::string_view("about:blank");
  o["title"] = row ? row->reason : std::string_view("Error");
  o["status"] = http_status;
  if (!detail.empty()) o["detail"] = detail;
  if (!instance.empty()) o["instance"] = instance;
  return o;
}

boost::json::object ProblemJson(const Status& status, std::string_view instance) {
  // A 500 does not echo internals (SQLite messages may quote values): a fixed detail.
  const int code = HttpStatusFor(status.kind());
  if (code >= 500) return ProblemJson(code, "internal error; the operation was not completed", instance);
  return ProblemJson(code, status.message(), instance);
}

}  // namespace dsar::api
