#include "service/webhook.h"

#include <curl/curl.h>

#include <fstream>

#include "core/sha256.h"

namespace dsar::service {

std::string WebhookSignature(std::string_view key, std::int64_t timestamp, std::string_view body) {
  std::string message = std::to_string(timestamp);
  message += '.';
  message += body;
  return "v1=" + HmacSha256Hex(key, message);
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

}  // namespace dsar::service
