// Instants and the clock.
//
// Every instant in the engine is a count of milliseconds since the Unix epoch, UTC
// (`Millis`). The API and the transitions history show instants as RFC 3339 strings in UTC
// with a `Z` suffix. The pure core never reads a clock: `now` is a parameter. The Clock
// interface is the seam through which engine/app and the workers read time; tests inject
// a ManualClock.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dsar {

using Millis = std::int64_t;  // UTC milliseconds since 1970-01-01T00:00:00Z

constexpr Millis kMillisPerSecond = 1000;
constexpr Millis kMillisPerMinute = 60 * kMillisPerSecond;
constexpr Millis kMillisPerHour = 60 * kMillisPerMinute;
constexpr Millis kMillisPerDay = 24 * kMillisPerHour;

// "2026-11-29T15:13:32Z", or "2026-11-29T15:13:32.250Z" when the milliseconds are not zero
// (date::format, proleptic Gregorian calendar).
std::string FormatRfc3339(Millis t);

// Parses an RFC 3339 date-time ("2026-11-29T15:13:32Z", "...+01:00", fractional seconds
// allowed, truncated to milliseconds; 't' or ' ' for 'T' and 'z' for 'Z' as RFC 3339 §5.6
// allows; a leap second :60 read as :59). The grammar is checked by position (every field has
// exactly its digits); the calendar (2026-02-29 is no date) is date::year_month_day's. Returns
// nullopt for anything else (including a date without a time or without an offset).
std::optional<Millis> ParseRfc3339(std::string_view text);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis Now() const = 0;
};

// The system clock (std::chrono::system_clock). Thread-safe.
class SystemClock final : public Clock {
 public:
  Millis Now() const override;
};

// A clock that stands still until told otherwise; for tests and `dsar serve --test-clock`.
// Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start) : now_(start) {}
  Millis Now() const override { return now_.load(); }
  void Set(Millis t) { now_.store(t); }
  void Advance(Millis d) { now_.fetch_add(d); }

 private:
  std::atomic<Millis> now_;
};

}  // namespace dsar
