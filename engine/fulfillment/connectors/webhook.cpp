#include "fulfillment/connectors/webhook.h"

#include <curl/curl.h>
#include <sodium.h>

#include <boost/json/serialize.hpp>
#include <fstream>

#include "fulfillment/systems_map.h"

namespace dsar::fulfillment {

std::string WebhookSignature(std::string_view key, std::int64_t timestamp, std::string_view body) {
  const std::string t = std::to_string(timestamp);
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(t.data()), t.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>("."), 1);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  static const char* kHex = "0123456789abcdef";
  std::string out = "v1=";
  for (unsigned char b : mac) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Result<std::string> ReadWebhookSecret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read the webhook secret file " + path);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return Status::IoError("the webhook secret file " + path + " is empty");
  return line;
}

namespace {

constexpr std::size_t kMaxAnswer = 64 * 1024;

size_t KeepBody(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t len = size * n;
  if (out->size() < kMaxAnswer) out->append(data, std::min(len, kMaxAnswer - out->size()));
  return len;
}

class CurlWebhookClient : public WebhookClient {
 public:
  WebhookAnswer Post(const WebhookCall& call, std::string_view key) override {
    WebhookAnswer a;
    CURL* c = curl_easy_init();
    if (c == nullptr) {
      a.error = "libcurl could not start";
      return a;
    }
    const std::string signature = WebhookSignature(key, call.timestamp, call.body);
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, ("Idempotency-Key: " + call.idempotency_key).c_str());
    headers = curl_slist_append(headers, ("X-DSAR-Timestamp: " + std::to_string(call.timestamp)).c_str());
    headers = curl_slist_append(headers, ("X-DSAR-Signature: " + signature).c_str());
    headers = curl_slist_append(headers, "Expect:");
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dsar-webhook/1");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, KeepBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(call.connect_timeout));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout));
    const CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
      a.reached = true;
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    } else {
      a.error = std::string(curl_easy_strerror(rc)) + (error[0] ? std::string(": ") + error : "");
      a.body.clear();
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return a;
  }
};

}  // namespace

std::unique_ptr<WebhookClient> MakeCurlWebhookClient() { return std::make_unique<CurlWebhookClient>(); }

WebhookConnector::WebhookConnector(store::Store& store, const Clock& clock, std::unique_ptr<WebhookClient> client,
                                   std::string public_base_url, CallbackTokens tokens)
    : store_(store), clock_(clock), client_(std::move(client)), public_base_url_(std::move(public_base_url)),
      tokens_(std::move(tokens)) {}

StepOutcome WebhookConnector::Run(const StepContext& ctx) {
  namespace json = boost::json;
  const ConnectorSpec* connector = ctx.spec;
  if (connector == nullptr) return StepOutcome::Failed("the systems map no longer has '" + ctx.step.system + "'");
  const store::LedgerRow& step = ctx.step;
  const store::RequestRow& request = ctx.request;
  const std::int64_t ledger_id = ctx.ledger_id;
  const Millis now = ctx.now;
  // A webhook system or a processor.
  auto secret = ReadWebhookSecret(connector->webhook.secret_file);
  if (!secret.ok()) return StepOutcome::Failed(secret.status().message());
  json::object body;
  body["event"] = "dsar.fulfillment";
  body["action"] = ctx.job.step;
  body["request_type"] = request.type;
  body["request"] = {{"id", request.id}, {"reference", request.reference}};
  body["system"] = step.system;
  body["processor"] = connector->processor;
  json::object subj;
  subj["email"] = ctx.subject.email;
  if (!ctx.subject.account_id.empty()) subj["account_id"] = ctx.subject.account_id;
  body["subject"] = std::move(subj);
  body["idempotency_key"] = step.idempotency_key;
  std::optional<Millis> deadline;
  std::string token;
  if (connector->webhook.callback) {
    token = tokens_.issue();
    deadline = now + connector->webhook.callback_timeout;
    std::string base = public_base_url_;
    while (!base.empty() && base.back() == '/') base.pop_back();
    body["callback_url"] = base + "/api/v1/callbacks/" + token;
    body["callback_expires_at"] = FormatRfc3339(*deadline);
    // Only the token's keyed hash is stored; an older token of the step stops working. The step
    // waits from before the POST, so a callback that arrives before the answer finds it waiting.
    Status cs = store_.Transact([&](store::Tx& tx) -> Status {
      if (Status c = tx.CloseCallbacks(ledger_id, now, "replaced"); !c.ok()) return c;
      store::CallbackRow cb;
      cb.ledger_id = ledger_id;
      cb.request_id = request.id;
      cb.token_hash = tokens_.hash(token);
      cb.created_at = now;
      cb.expires_at = *deadline;
      if (Status c = tx.InsertCallback(cb); !c.ok()) return c;
      return tx.LedgerWait(ledger_id, std::nullopt, deadline);
    });
    if (!cs.ok()) return StepOutcome::Failed(cs.message());
  }
  WebhookCall call;
  call.url = connector->webhook.endpoint;
  call.body = json::serialize(body);
  call.idempotency_key = step.idempotency_key;
  call.timestamp = now / 1000;
  call.connect_timeout = connector->webhook.connect_timeout;
  call.timeout = connector->webhook.timeout;
  const WebhookAnswer answer = client_->Post(call, *secret);
  const json::value reply = answer.reached ? ParseOrNull(answer.body) : json::value(nullptr);
  const std::string status = reply.is_object() && reply.as_object().contains("status") &&
                                     reply.as_object().at("status").is_string()
                                 ? std::string(reply.as_object().at("status").as_string())
                                 : "";
  std::string cause;
  if (!answer.reached) cause = "the webhook was not answered: " + answer.error;
  else if (answer.status < 200 || answer.status > 299) cause = "the webhook answered HTTP " + std::to_string(answer.status);
  else if (status != "completed" && !connector->webhook.callback)
    cause = "the webhook answered HTTP " + std::to_string(answer.status) + " without {\"status\":\"completed\"}" +
            (status.empty() ? "" : " (status '" + status + "')");
  // One transaction decides, against the step as it is now (its callback may have come first).
  store::LedgerRow cur;
  Status decided = store_.Transact([&](store::Tx& tx) -> Status {
    auto l = tx.LedgerById(ledger_id);
    if (!l.ok()) return l.status();
    cur = std::move(l.value());
    if (cur.status == "done" || cur.status == "failed") return Status::Ok();  // the callback decided
    const Millis at = clock_.Now();
    if (!cause.empty()) {
      if (Status c = tx.CloseCallbacks(ledger_id, at, "failed"); !c.ok()) return c;
      cur.status = "failed";
      cur.error = cause;
      return tx.LedgerFinish(ledger_id, "failed", "", cause, at);
    }
    if (status == "completed") {
      if (Status c = tx.CloseCallbacks(ledger_id, at, "replaced"); !c.ok()) return c;
      cur.status = "done";
      cur.result_json = json::serialize(reply);
      return tx.LedgerFinish(ledger_id, "done", cur.result_json, "", at);
    }
    return Status::Ok();  // accepted: waits for its callback
  });
  if (!decided.ok()) return StepOutcome::Failed(decided.message());
  if (cur.status == "failed") return StepOutcome::Failed(cur.error, /*recorded=*/true);
  if (cur.status == "done") {
    StepOutcome done = StepOutcome::Done(cur.result_json);
    done.recorded = true;
    return done;
  }
  return StepOutcome::WaitingCallback();
}

}  // namespace dsar::fulfillment
