// Webhook connector (issue 5 §4): a signed JSON POST to a system or processor of the systems map
// (fulfillment::WebhookSpec), by libcurl.
//
// The request, exactly:
//   POST <endpoint>
//   Content-Type: application/json
//   Idempotency-Key: <request id>/<action>/<system>/     the ledger step's key: the same on every
//                                                        attempt of the step, so the receiver can
//                                                        drop a repeat
//   X-DSAR-Timestamp: <t>                                Unix time in whole seconds, decimal ASCII
//   X-DSAR-Signature: v1=<hex>                           64 lower-case hex digits:
//                                                        HMAC-SHA-256(key, "<t>" + "." + <body>)
//   <body>                                               the JSON bytes, exactly as sent
// `key` is the first line of the map's `secret_file` (without its line end). The receiver
// recomputes the HMAC over the timestamp header's bytes, one ".", and the raw body, compares in
// constant time, and rejects timestamps far from its clock (replays).
//
// The body (WebhookBody): {"event":"dsar.fulfillment", "action": "erase"|"opt_out_sale"|
// "opt_out_marketing", "request_type", "request": {"id","reference"}, "system", "processor": bool,
// "subject": {"email", "account_id"?}, "idempotency_key", and with completion: callback
// "callback_url" and "callback_expires_at" (RFC 3339)}.
// Completion: a 2xx answer whose body is a JSON object with "status":"completed" completes the
// step (the object is its result); with completion: callback, a 2xx answer with any other status
// (e.g. {"status":"accepted"}) leaves the step waiting for POST <callback_url> before the
// deadline. Any other answer, a timeout (connect_timeout, timeout) or a refused connection fails
// the step. Nothing is retried here: the request goes to `error`, and staff `retry`.
//
// Logs and stored errors name the HTTP status and libcurl's error only: never the body, the
// token or the secret.
// Thread safety: a client serves one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace dsar::service {

// "v1=" + hex HMAC-SHA-256(key, std::to_string(timestamp) + "." + body).
std::string WebhookSignature(std::string_view key, std::int64_t timestamp, std::string_view body);

struct WebhookCall {
  std::string url;
  std::string body;  // JSON
  std::string idempotency_key;
  std::int64_t timestamp = 0;  // Unix seconds
  Millis connect_timeout = 5000, timeout = 30000;
};

struct WebhookAnswer {
  bool reached = false;  // an HTTP answer came back
  long status = 0;       // its status code
  std::string body;      // at most 64 KiB of it
  std::string error;     // when not reached: libcurl's error (no body, no secret)
};

// The seam tests replace (SPEC: all I/O behind an interface).
class WebhookClient {
 public:
  virtual ~WebhookClient() = default;
  // Signs `call` with `key` and posts it.
  virtual WebhookAnswer Post(const WebhookCall& call, std::string_view key) = 0;
};

std::unique_ptr<WebhookClient> MakeCurlWebhookClient();

// The key in `path`: its first line without the line end. IoError when it cannot be read or is
// empty (the message names the file, never its content).
Result<std::string> ReadWebhookSecret(const std::string& path);

}  // namespace dsar::service
