// The HTTP JSON API (DESIGN.md §3, contract — HTTP API) as a plain function of the request.
//
// Handle() parses nothing from a socket and writes nothing to one: the server (server.h) reads
// bytes into a Request, calls Handle(), and writes the Response. Tests call Handle() directly.
// The route table, matching and the bearer check are in router.h; the routes, one file per
// resource, in api/routes/.
//
// Routes, under /api/v1 (staff = `Authorization: Bearer <token>` checked with TokenName):
//   POST   /requests                   staff  201 + resource + Location; Idempotency-Key
//   GET    /requests                   staff  keyset list: {"items":[...], "next_cursor": "..."|null}
//   GET    /requests/{id}              staff  id or reference
//   PATCH  /requests/{id}              staff  {jurisdiction?, received_at?, expected_version?}: recomputes the deadline
//   GET    /requests/{id}/transitions  staff  {"items":[...]} oldest first
//   POST   /requests/{id}/events       staff  {event, reason?, data?, expected_version?}
//   POST   /requests/{id}/verify       PUBLIC {code}; rate-limited per client and per request (429 +
//                                             Retry-After, from a RateLimited status)
//   GET    /requests/{id}/export       staff  the package file (Response::file_path); 410 once the file
//                                             was deleted after its download link expired
//   POST   /requests/{id}/download-link staff 201 {reference, expires_at, max_downloads}: a new link mailed
//                                             to the data subject; the older links stop working
//   POST   /legal-holds                staff  201
//   GET    /legal-holds?active=        staff
//   DELETE /legal-holds/{id}           staff  body optional {reason}
//   POST   /intake/mail                staff  Content-Type: message/rfc822
//   GET    /intake/messages            staff  ?outcome=triage (default)|ignored|request|reply|redelivery|refused,
//                                             limit, cursor: keyset by row id, oldest first; each item
//                                             decoded from the stored raw message at read time
//   GET    /intake/messages/{id}       staff  one item (404 unknown)
//   GET    /tasks                      staff  open staff tasks of every request {"items":[...]} (issue 5 §4)
//   GET    /requests/{id}/tasks        staff  the request's tasks, open and completed
//   POST   /requests/{id}/tasks/{task}/complete staff  JSON {note, expected_version?}, or a file as the
//                                             body (any other Content-Type; up to the mail limit;
//                                             `?note=`): stored under evidence_dir by its SHA-256, 0600;
//                                             a complete_task transition; 200 + resource
//   GET    /requests/{id}/steps        staff  the step ledger {"items":[{action, system, table, kind,
//                                             idempotency_key, status, runs, result, error, ...}]}
//   POST   /callbacks/{token}          PUBLIC a webhook system's one-time callback {"status":
//                                             "completed"|"failed", ...}: 200, 404 unknown, 410 used or
//                                             expired (service/webhook.h)
//   GET    /healthz                    PUBLIC (also at /healthz)
// Outside the prefix (the link mailed to requesters, `<public_base_url>/d/<token>`):
//   GET    /d/{token}                  PUBLIC the package (attachment), counted; rate-limited per client;
//                                             410 (expired, used up, replaced, file gone) or 404 (unknown) with
//                                             a short text/html page saying how to get a new link. Every
//                                             attempt is recorded (download_attempts; no address kept).
// Errors are `application/problem+json` (problem.h): 400 malformed input, 401 (with
// WWW-Authenticate: Bearer), 404 unknown route or id, 405 (with Allow), 409, 410, 413, 415, 422,
// 429; except /d/{token}, whose answers are HTML pages for people.
//
// Thread safety: Handle() may run on several threads at once with one Context; the service
// serialises the store and the rate limiter has its own mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/rate_limit.h"
#include "core/time.h"
#include "requests/engine.h"

namespace dsar::api {

inline constexpr std::string_view kApiPrefix = "/api/v1";
inline constexpr std::size_t kJsonBodyLimit = 64 * 1024;         // JSON routes
inline constexpr std::size_t kMailBodyLimit = 25 * 1024 * 1024;  // POST /intake/mail: Config::max_message_bytes

// Header names compare case-insensitively (RFC 9110 §5.1).
struct HeaderLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::map<std::string, std::string, HeaderLess>;

struct Request {
  std::string method;  // "GET", "POST", ... (upper case, as on the wire)
  std::string target;  // origin-form: "/api/v1/requests?limit=10"
  Headers headers;     // one value per name (repeated headers joined with ", ")
  std::string body;
  std::string client;  // the peer's address ("127.0.0.1"), for rate limiting; "" when unknown

  // The value of header `name`, or "" when absent.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type included
  std::string body;
  // When not empty, the body is this file, streamed by the server (body is then ignored).
  std::string file_path;
  // The matched route pattern ("POST /api/v1/requests/{id}/events"), for logs: never the raw
  // target, whose query string may hold an email.
  std::string route;

  std::string_view Header(std::string_view name) const;
};

// What the handler needs; borrowed, must outlive every Handle() call that uses it.
struct Context {
  explicit Context(service::Engine& svc)
      : service(svc), verify_by_client(svc.clock()), verify_by_request(svc.clock()), download_by_client(svc.clock()) {}
  service::Engine& service;
  RateLimiter verify_by_client;    // POST /requests/{id}/verify, per client address
  RateLimiter verify_by_request;   // ... and per request
  RateLimiter download_by_client;  // GET /d/{token}, per client address
};

// The response to `request`. Never throws for bad input (those become problems); a failing
// store becomes a 500 problem.
Response Handle(const Request& request, Context& context);

// The largest body accepted for a request with this method and target (decided from the
// header alone, before the body is read): `mail_limit` (the server passes the configured
// max_message_bytes) for POST /api/v1/intake/mail, kJsonBodyLimit otherwise. A larger message
// gets 413 and is not stored: its bytes never arrive, and the client keeps it.
std::size_t BodyLimitFor(std::string_view method, std::string_view target, std::size_t mail_limit = kMailBodyLimit);

// A problem response (problem.h) with `status` and `detail`; `instance` is the path.
Response ProblemResponse(int status, std::string_view detail, std::string_view instance = {});

}  // namespace dsar::api
