// Rate limiting for the public routes (STYLE.md habit 8: cap everything a client controls).
//
// A token bucket per key (client address, request id): `capacity` tokens, refilled at
// `capacity` per `period`. Time comes from the clock. Memory is bounded: when the table grows
// past `max_keys`, buckets that have refilled are dropped.
//
// Thread safety: all methods are safe from any thread (internal mutex).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace dsar::api {

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, int capacity = 10, Millis period = kMillisPerMinute, std::size_t max_keys = 10000)
      : clock_(clock), capacity_(capacity), period_(period), max_keys_(max_keys) {}
  // Takes one token for `key`; false (nothing taken) when the bucket is empty. `retry_after_ms`
  // receives the time until the next token when refused.
  bool Allow(const std::string& key, Millis* retry_after_ms = nullptr);
  // The same as a Status: Ok when a token was taken, else RateLimited(`refusal`, the time until
  // the next token), which the kind table answers as 429 with Retry-After.
  Status Take(const std::string& key, std::string_view refusal);

 private:
  struct Bucket {
    double tokens;
    Millis at;
  };
  const Clock& clock_;
  const int capacity_;
  const Millis period_;
  const std::size_t max_keys_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace dsar::api
