#include <catch2/catch.hpp>

#include "core/time.h"

using namespace dsar;

TEST_CASE("RFC 3339 instants round-trip in UTC", "[core][time]") {
  const auto t = ParseRfc3339("2026-11-29T15:13:32Z");
  REQUIRE(t.has_value());
  CHECK(*t == 1795965212000);
  CHECK(FormatRfc3339(*t) == "2026-11-29T15:13:32Z");
  CHECK(FormatRfc3339(*t + 250) == "2026-11-29T15:13:32.250Z");
}

TEST_CASE("RFC 3339 offsets are converted to UTC", "[core][time]") {
  CHECK(FormatRfc3339(*ParseRfc3339("2026-11-29T23:30:00-08:00")) == "2026-11-30T07:30:00Z");
  CHECK(FormatRfc3339(*ParseRfc3339("2024-02-29T00:30:00+01:00")) == "2024-02-28T23:30:00Z");
  CHECK(FormatRfc3339(*ParseRfc3339("1969-12-31T23:59:59.5Z")) == "1969-12-31T23:59:59.500Z");
}

TEST_CASE("malformed instants are rejected", "[core][time]") {
  CHECK_FALSE(ParseRfc3339("2026-11-29").has_value());
  CHECK_FALSE(ParseRfc3339("2026-02-29T00:00:00Z").has_value());  // 2026 is not a leap year
  CHECK_FALSE(ParseRfc3339("2026-11-29T15:13:32").has_value());   // no offset
  CHECK_FALSE(ParseRfc3339("2026-11-29T15:13:32Zjunk").has_value());
  CHECK_FALSE(ParseRfc3339("2026-13-01T00:00:00Z").has_value());
}
