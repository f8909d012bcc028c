#include "api/rate_limit.h"

#include <algorithm>
#include <iterator>

namespace dsar::api {

bool RateLimiter::Allow(const std::string& key, Millis* retry_after_ms) {
  const Millis now = clock_.Now();
  const double rate = static_cast<double>(capacity_) / static_cast<double>(period_);  // tokens per ms
  std::lock_guard lock(mu_);
  if (buckets_.size() >= max_keys_ && buckets_.find(key) == buckets_.end()) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      const double t = it->second.tokens + static_cast<double>(now - it->second.at) * rate;
      it = t >= capacity_ ? buckets_.erase(it) : std::next(it);
    }
    if (buckets_.size() >= max_keys_) {  // still full: refuse new keys rather than grow
      if (retry_after_ms) *retry_after_ms = period_ / capacity_;
      return false;
    }
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{static_cast<double>(capacity_), now});
  Bucket& b = it->second;
  if (now > b.at) {
    b.tokens = std::min<double>(capacity_, b.tokens + static_cast<double>(now - b.at) * rate);
    b.at = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retry_after_ms) *retry_after_ms = static_cast<Millis>((1.0 - b.tokens) / rate) + 1;
  return false;
}

Status RateLimiter::Take(const std::string& key, std::string_view refusal) {
  Millis wait = 0;
  if (Allow(key, &wait)) return Status::Ok();
  return Status::RateLimited(std::string(refusal), wait);
}

}  // namespace dsar::api
