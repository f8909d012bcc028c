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

TEST_CASE("RFC 3339 offsets with minutes, either sign, convert to UTC", "[core][time]") {
  CHECK(FormatRfc3339(*ParseRfc3339("2026-11-29T15:13:32+05:30")) == "2026-11-29T09:43:32Z");
  CHECK(FormatRfc3339(*ParseRfc3339("2026-11-29T15:13:32-08:00")) == "2026-11-29T23:13:32Z");
  CHECK(FormatRfc3339(*ParseRfc3339("2026-01-01T02:00:00+05:45")) == "2025-12-31T20:15:00Z");
  CHECK(ParseRfc3339("2026-11-29T15:13:32+00:00") == ParseRfc3339("2026-11-29T15:13:32Z"));
  CHECK(ParseRfc3339("2026-11-29T15:13:32-00:00") == ParseRfc3339("2026-11-29T15:13:32Z"));
  CHECK(ParseRfc3339("2026-11-29T15:13:32+23:59").has_value());
}

TEST_CASE("RFC 3339 fractional seconds are kept to the millisecond", "[core][time]") {
  const Millis base = *ParseRfc3339("2026-11-29T15:13:32Z");
  CHECK(*ParseRfc3339("2026-11-29T15:13:32.1Z") == base + 100);
  CHECK(*ParseRfc3339("2026-11-29T15:13:32.25Z") == base + 250);
  CHECK(*ParseRfc3339("2026-11-29T15:13:32.999Z") == base + 999);
  CHECK(*ParseRfc3339("2026-11-29T15:13:32.123456789Z") == base + 123);  // truncated, not rounded
  CHECK(*ParseRfc3339("2026-11-29T15:13:32.000Z") == base);
  CHECK(FormatRfc3339(*ParseRfc3339("2026-11-29T15:13:32.000Z")) == "2026-11-29T15:13:32Z");
  CHECK(FormatRfc3339(*ParseRfc3339("2026-11-29T15:13:32.007+01:00")) == "2026-11-29T14:13:32.007Z");
}

TEST_CASE("RFC 3339 leap days and the calendar", "[core][time]") {
  CHECK(*ParseRfc3339("2024-02-29T00:00:00Z") == 1709164800000);
  CHECK(*ParseRfc3339("2000-02-29T00:00:00Z") == 951782400000);  // divisible by 400: a leap year
  CHECK(*ParseRfc3339("1600-03-01T00:00:00Z") == -11670912000000);
  CHECK(FormatRfc3339(1709164800000) == "2024-02-29T00:00:00Z");
  CHECK(FormatRfc3339(951782400000 - 1) == "2000-02-28T23:59:59.999Z");
  CHECK_FALSE(ParseRfc3339("1900-02-29T00:00:00Z").has_value());  // divisible by 100 only: not leap
  CHECK_FALSE(ParseRfc3339("2026-02-30T00:00:00Z").has_value());
  CHECK_FALSE(ParseRfc3339("2026-04-31T00:00:00Z").has_value());
  CHECK_FALSE(ParseRfc3339("2026-00-10T00:00:00Z").has_value());
  CHECK_FALSE(ParseRfc3339("2026-11-00T00:00:00Z").has_value());
}

TEST_CASE("RFC 3339 formatting around the epoch and far instants", "[core][time]") {
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(FormatRfc3339(-1000) == "1969-12-31T23:59:59Z");
  CHECK(FormatRfc3339(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(FormatRfc3339(-62167219200000) == "0000-01-01T00:00:00Z");
  CHECK(*ParseRfc3339("0000-01-01T00:00:00Z") == -62167219200000);
}

TEST_CASE("RFC 3339 spellings the grammar allows", "[core][time]") {
  const auto t = ParseRfc3339("2026-11-29T15:13:32Z");
  CHECK(ParseRfc3339("2026-11-29t15:13:32z") == t);
  CHECK(ParseRfc3339("2026-11-29 15:13:32Z") == t);
  // A leap second is read as the second before it (Millis has no leap seconds).
  CHECK(FormatRfc3339(*ParseRfc3339("2016-12-31T23:59:60Z")) == "2016-12-31T23:59:59Z");
}

TEST_CASE("RFC 3339 near misses are rejected", "[core][time]") {
  for (const char* bad : {"2026-11-29T24:00:00Z", "2026-11-29T15:60:00Z", "2026-11-29T15:13:61Z",
                          "2026-1-29T15:13:32Z", "2026-11-9T15:13:32Z", "26-11-29T15:13:32Z", "2026-11-29T5:13:32Z",
                          "2026-11-29T15:13Z", "2026-11-29T15:13:32.Z", "2026-11-29T15:13:32,5Z",
                          "2026-11-29T15:13:32+0530", "2026-11-29T15:13:32+05", "2026-11-29T15:13:32+24:00",
                          "2026-11-29T15:13:32+05:60", "2026-11-29T15:13:32+05:30junk", "2026/11/29T15:13:32Z",
                          "2026-11-29X15:13:32Z", " 2026-11-29T15:13:32Z", "2026-11-29T15:13:32Z ", "",
                          "+2026-11-29T15:13:32Z", "2026-11-29T15:13:32UTC"}) {
    INFO(bad);
    CHECK_FALSE(ParseRfc3339(bad).has_value());
  }
}
