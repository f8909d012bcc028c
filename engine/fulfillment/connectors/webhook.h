// Webhook connector (issue 5 §4; kinds "webhook" and "processor" of the step ledger): a signed
// JSON POST to a system or processor of the systems map (fulfillment::WebhookSpec), by libcurl.
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
// With completion: callback, the step waits (store::Tx::LedgerWait, with the deadline
// callback_timeout) from before its POST, so a callback that beats the answer is not lost; only
// the token's keyed hash is stored (CallbackTokens), and a newer token of the step replaces the
// older one. The step runner fails a step whose callback did not come by the deadline.
// Thread safety: a client, and the connector, serve one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "fulfillment/connector.h"
#include "store/store.h"

namespace dsar::fulfillment {

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

// How callback tokens are made (the request service's secrets): a new random token, and the
// keyed hash it is stored under (never the token itself).
struct CallbackTokens {
  std::function<std::string()> issue;
  std::function<std::string(const std::string& token)> hash;
};

// The connector of webhook systems and processors. `public_base_url`: where the callback URL
// points (trailing slashes dropped). Borrows `store` and `clock`, which must outlive it.
class WebhookConnector : public Connector {
 public:
  WebhookConnector(store::Store& store, const Clock& clock, std::unique_ptr<WebhookClient> client,
                   std::string public_base_url, CallbackTokens tokens);

  // Posts the step's body; done on {"status":"completed"}, waiting for the callback when the
  // system completes by callback and accepted, failed otherwise (the cause names the HTTP
  // status or libcurl's error). The end is recorded here, against the step as it is then: a
  // callback that came first has decided already.
  StepOutcome Run(const StepContext& ctx) override;

 private:
  store::Store& store_;
  const Clock& clock_;
  std::unique_ptr<WebhookClient> client_;
  std::string public_base_url_;
  CallbackTokens tokens_;
};

}  // namespace dsar::fulfillment
