// Errors over HTTP: the one table from Status::Kind to an HTTP status, and RFC 9457
// `application/problem+json` bodies.
//
// Every error the API returns goes through this file, so a Kind means the same status on every
// route (STYLE.md habit 2). Problem bodies never carry personal data: `detail` is the service's
// message, which names requests by reference and never by email.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace dsar::api {

inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kJsonContentType = "application/json";

// NotFound 404, Conflict 409, Refused 409, Invalid 400, Unprocessable 422, Unauthorized 401,
// TooLarge 413, Gone 410, RateLimited 429, IoError 500 (kOk maps to 200, which never reaches a
// problem body).
int HttpStatusFor(Status::Kind kind);

// The `Retry-After` value (RFC 9110 §10.2.3: whole seconds, rounded up, at least 1) for a wait of
// `retry_after_ms`.
std::string RetryAfterSeconds(Millis retry_after_ms);
// The headers a failed Status adds to its problem response beyond Content-Type and
// Cache-Control: `Retry-After` for RateLimited (from retry_after_ms()); none for other kinds.
std::vector<std::pair<std::string, std::string>> ProblemHeaders(const Status& status);

// The standard reason phrase of an HTTP status ("Not Found"); "Error" for an unknown code.
std::string_view ReasonPhrase(int http_status);

// An RFC 9457 problem object: {type, title, status, detail, instance}. `type` is a stable
// relative URI naming the problem ("/problems/not-found"); `title` the status' reason phrase;
// `instance` the request path (no query string: it may hold an email) and omitted when empty.
boost::json::object ProblemJson(int http_status, std::string_view detail, std::string_view instance = {});
// The same for a failed Status, with the status from the table and the Status message as detail.
boost::json::object ProblemJson(const Status& status, std::string_view instance = {});

}  // namespace dsar::api
