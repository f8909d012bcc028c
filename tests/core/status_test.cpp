// Status: every kind has its factory, its predicate and its name; RateLimited carries when to
// try again.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace dsar {

TEST_CASE("each Status kind answers its own predicate and no other", "[core][status]") {
  struct Row {
    Status s;
    Status::Kind kind;
    const char* name;
  };
  const std::vector<Row> rows = {
      {Status::Ok(), Status::Kind::kOk, "OK"},
      {Status::NotFound("m"), Status::Kind::kNotFound, "NotFound"},
      {Status::Conflict("m"), Status::Kind::kConflict, "Conflict"},
      {Status::Refused("m"), Status::Kind::kRefused, "Refused"},
      {Status::Invalid("m"), Status::Kind::kInvalid, "Invalid"},
      {Status::Unprocessable("m"), Status::Kind::kUnprocessable, "Unprocessable"},
      {Status::Unauthorized("m"), Status::Kind::kUnauthorized, "Unauthorized"},
      {Status::TooLarge("m"), Status::Kind::kTooLarge, "TooLarge"},
      {Status::Gone("m"), Status::Kind::kGone, "Gone"},
      {Status::RateLimited("m", 1500), Status::Kind::kRateLimited, "RateLimited"},
      {Status::IoError("m"), Status::Kind::kIoError, "IoError"},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    CHECK(r.s.kind() == r.kind);
    CHECK(std::string(KindName(r.kind)) == r.name);
    const std::vector<bool> predicates = {r.s.ok(),           r.s.IsNotFound(),      r.s.IsConflict(),
                                          r.s.IsRefused(),    r.s.IsInvalid(),       r.s.IsUnprocessable(),
                                          r.s.IsUnauthorized(), r.s.IsTooLarge(),    r.s.IsGone(),
                                          r.s.IsRateLimited(), r.s.IsIoError()};
    int true_count = 0;
    for (bool p : predicates) true_count += p ? 1 : 0;
    CHECK(true_count == 1);
    CHECK(predicates[static_cast<std::size_t>(r.kind)]);  // in the order of the enum
    if (r.kind != Status::Kind::kOk) CHECK(r.s.ToString() == std::string(r.name) + ": m");
  }
}

TEST_CASE("RateLimited carries its retry-after; other kinds carry none", "[core][status]") {
  const Status s = Status::RateLimited("too many attempts", 61'000);
  CHECK(s.IsRateLimited());
  CHECK(s.retry_after_ms() == 61'000);
  CHECK(s.message() == "too many attempts");
  CHECK(Status::RateLimited("now", 0).retry_after_ms() == 1);  // a refusal always waits a little
  CHECK(Status::Refused("no").retry_after_ms() == 0);
  CHECK(Status::Gone("used").retry_after_ms() == 0);
  // Travels through Result.
  Result<int> r = Status::RateLimited("wait", 2500);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().retry_after_ms() == 2500);
}

}  // namespace dsar
