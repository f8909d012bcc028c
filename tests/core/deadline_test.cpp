#include <catch2/catch.hpp>

#include "core/deadline.h"

using namespace dsar;

namespace {
std::string Due(const char* jurisdiction, const char* type, const char* received) {
  return FormatRfc3339(ComputeDueAt(jurisdiction, type, *ParseRfc3339(received)));
}
}  // namespace

TEST_CASE("GDPR: one month, same-numbered day, clamped to month end (Art. 12(3))", "[core][deadline]") {
  CHECK(Due("gdpr", "access", "2026-11-16T10:00:00Z") == "2026-12-16T23:59:59.999Z");
  CHECK(Due("gdpr", "access", "2026-01-31T08:00:00Z") == "2026-02-28T23:59:59.999Z");
  CHECK(Due("gdpr", "deletion", "2028-01-31T08:00:00Z") == "2028-02-29T23:59:59.999Z");  // leap year
  CHECK(Due("", "deletion", "2026-03-31T23:30:00Z") == "2026-04-30T23:59:59.999Z");      // unknown: GDPR rule
}

TEST_CASE("US state laws: 45 calendar days; CCPA opt-out of sale: 15 business days", "[core][deadline]") {
  CHECK(Due("ccpa", "deletion", "2026-11-16T18:00:00Z") == "2026-12-31T23:59:59.999Z");
  CHECK(Due("vcdpa", "access", "2026-01-01T00:00:00Z") == "2026-02-15T23:59:59.999Z");
  // Monday 2026-11-16 + 15 business days (weekends skipped) = Monday 2026-12-07.
  CHECK(Due("ccpa", "opt_out_sale", "2026-11-16T18:00:00Z") == "2026-12-07T23:59:59.999Z");
}

TEST_CASE("LGPD 15 days, PIPEDA 30 days", "[core][deadline]") {
  CHECK(Due("lgpd", "access", "2026-11-20T12:00:00Z") == "2026-12-05T23:59:59.999Z");
  CHECK(Due("pipeda", "access", "2026-11-20T12:00:00Z") == "2026-12-20T23:59:59.999Z");
}
