// The deadline calculus (core/deadline.h) with rules and calendars built in code. The table of
// cases over the shipped jurisdiction data is tests/workflow/deadline_table_test.cpp. Expected
// values are worked out by hand from a calendar; none is produced by the code under test.
#include <catch2/catch.hpp>

#include <string>

#include "core/deadline.h"

using namespace dsar;
using date::local_days;

namespace {

const date::time_zone* Zone(const char* name) { return date::locate_zone(name); }

Millis At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

DeadlineRule Rule(int amount, PeriodUnit unit, Counting counting) {
  DeadlineRule r;
  r.response = Period{amount, unit, counting, "test"};
  return r;
}

std::string Due(const DeadlineRule& rule, const char* tz, const char* received, const HolidayCalendar& cal = {},
                int paused = 0, int ext = 0, bool may_pause = true) {
  auto d = ComputePeriod(rule, At(received), Zone(tz), cal, paused, ext, may_pause);
  REQUIRE(d.ok());
  return FormatLocalDay(d->due_day) + " " + FormatRfc3339(d->due_at);
}

}  // namespace

TEST_CASE("local date of receipt and end of the local day", "[core][deadline]") {
  // 23:30 on 16 November in Los Angeles is 07:30 on 17 November UTC: a 16 November request.
  CHECK(FormatLocalDay(LocalDay(At("2026-11-17T07:30:00Z"), Zone("America/Los_Angeles"))) == "2026-11-16");
  // 00:30 on 25 October in Berlin (CEST) is 22:30 on 24 October UTC: a 25 October request.
  CHECK(FormatLocalDay(LocalDay(At("2026-10-24T22:30:00Z"), Zone("Europe/Berlin"))) == "2026-10-25");
  CHECK(FormatLocalDay(LocalDay(At("1969-12-31T23:59:59.999Z"), Zone("UTC"))) == "1969-12-31");
  const local_days d = local_days{date::year{2026} / 3 / 29};  // Europe: clocks go forward at 01:00 UTC
  CHECK(FormatRfc3339(EndOfLocalDay(d, Zone("Europe/Berlin"))) == "2026-03-29T21:59:59.999Z");  // CEST
  CHECK(FormatRfc3339(EndOfLocalDay(d - date::days{1}, Zone("Europe/Berlin"))) == "2026-03-28T22:59:59.999Z");
  CHECK(FormatRfc3339(EndOfLocalDay(local_days{date::year{2026} / 11 / 1}, Zone("America/Los_Angeles"))) ==
        "2026-11-02T07:59:59.999Z");  // PST after the 1 November change
  // Chile moves its clocks at local midnight (00:00 -> 01:00 on Sunday 6 September 2026): Saturday
  // 5 September ends at the transition, 04:00 UTC.
  CHECK(FormatRfc3339(EndOfLocalDay(local_days{date::year{2026} / 9 / 5}, Zone("America/Santiago"))) ==
        "2026-09-06T03:59:59.999Z");
}

TEST_CASE("counting conventions on periods in days and months", "[core][deadline]") {
  const char* utc = "UTC";
  // Regulation 1182/71: the day of receipt is not counted; 10 days from Monday 2 March end on 12 March.
  CHECK(Due(Rule(10, PeriodUnit::kDays, Counting::kEu1182_71), utc, "2026-03-02T10:00:00Z") ==
        "2026-03-12 2026-03-12T23:59:59.999Z");
  // ICO: the day of receipt is day 1; day 10 is 11 March.
  CHECK(Due(Rule(10, PeriodUnit::kDays, Counting::kUkIco), utc, "2026-03-02T10:00:00Z") ==
        "2026-03-11 2026-03-11T23:59:59.999Z");
  // Receipt date + 10.
  CHECK(Due(Rule(10, PeriodUnit::kDays, Counting::kReceiptPlus), utc, "2026-03-02T10:00:00Z") ==
        "2026-03-12 2026-03-12T23:59:59.999Z");
  // A last day on Saturday 7 March: 1182/71 and ICO move to Monday 9 March; receipt_plus does not.
  CHECK(Due(Rule(5, PeriodUnit::kDays, Counting::kEu1182_71), utc, "2026-03-02T10:00:00Z") ==
        "2026-03-09 2026-03-09T23:59:59.999Z");
  CHECK(Due(Rule(6, PeriodUnit::kDays, Counting::kUkIco), utc, "2026-03-02T10:00:00Z") ==
        "2026-03-09 2026-03-09T23:59:59.999Z");
  CHECK(Due(Rule(5, PeriodUnit::kDays, Counting::kReceiptPlus), utc, "2026-03-02T10:00:00Z") ==
        "2026-03-07 2026-03-07T23:59:59.999Z");
  // Months under receipt_plus: 31 January + 1 month = 28 February (Saturday), not moved.
  CHECK(Due(Rule(1, PeriodUnit::kMonths, Counting::kReceiptPlus), utc, "2026-01-31T10:00:00Z") ==
        "2026-02-28 2026-02-28T23:59:59.999Z");
  // Business days: Friday 20 November + 3 = Wednesday 25 November.
  CHECK(Due(Rule(3, PeriodUnit::kBusinessDays, Counting::kReceiptPlus), utc, "2026-11-20T10:00:00Z") ==
        "2026-11-25 2026-11-25T23:59:59.999Z");
}

TEST_CASE("extensions: same unit summed from receipt, other unit added to the last day", "[core][deadline]") {
  DeadlineRule gdpr = Rule(1, PeriodUnit::kMonths, Counting::kEu1182_71);
  gdpr.extension = ExtensionRule{2, PeriodUnit::kMonths, 1, true, "ext"};
  // 31 January + 3 months = 30 April (Thursday), not 28 February + 2 months = 28 April.
  CHECK(Due(gdpr, "UTC", "2026-01-31T10:00:00Z", {}, 0, 1) == "2026-04-30 2026-04-30T23:59:59.999Z");
  DeadlineRule mixed = Rule(1, PeriodUnit::kMonths, Counting::kEu1182_71);
  mixed.extension = ExtensionRule{14, PeriodUnit::kDays, 2, true, "ext"};
  // 15 January + 1 month = 15 February (Sunday, not moved yet) + 2 x 14 days = 15 March (Sunday) -> Monday 16.
  CHECK(Due(mixed, "UTC", "2026-01-15T10:00:00Z", {}, 0, 2) == "2026-03-16 2026-03-16T23:59:59.999Z");
  auto d = ComputePeriod(gdpr, At("2026-01-31T10:00:00Z"), Zone("UTC"), {}, 0, 1, false);
  REQUIRE(d.ok());
  CHECK(d->extensions == 1);
  CHECK(d->extensions_remaining == 0);
  // The first period: 28 February 2026 is a Saturday, so it ended on Monday 2 March.
  CHECK(FormatRfc3339(d->current_period_due_at) == "2026-03-02T23:59:59.999Z");
  CHECK(d->citation == "test; extension: ext");
  auto too_many = ComputePeriod(gdpr, At("2026-01-31T10:00:00Z"), Zone("UTC"), {}, 0, 2, false);
  CHECK(too_many.status().IsRefused());
}

TEST_CASE("pauses: calendar days added before the weekend move; refused where the law has none",
          "[core][deadline]") {
  const DeadlineRule uk = Rule(1, PeriodUnit::kMonths, Counting::kUkIco);
  // 1 September + 1 month = 1 October; + 10 days = Sunday 11 October -> Monday 12 October.
  CHECK(Due(uk, "UTC", "2026-09-01T10:00:00Z", {}, 10) == "2026-10-12 2026-10-12T23:59:59.999Z");
  CHECK(Due(uk, "UTC", "2026-09-01T10:00:00Z", {}, 0) == "2026-10-01 2026-10-01T23:59:59.999Z");
  auto refused = ComputePeriod(uk, At("2026-09-01T10:00:00Z"), Zone("UTC"), {}, 3, 0, false);
  CHECK(refused.status().IsRefused());
  CHECK(ComputePeriod(uk, At("2026-09-01T10:00:00Z"), Zone("UTC"), {}, -1, 0, true).status().IsInvalid());
  CHECK(ComputePeriod(uk, At("2026-09-01T10:00:00Z"), nullptr, {}, 0, 0, true).status().IsInvalid());

  const auto* london = Zone("Europe/London");
  CHECK(*PausedDays(At("2026-09-05T16:00:00Z"), At("2026-09-15T08:00:00Z"), london) == 10);
  // 00:30 and 21:00 on 6 September, London time: the same local day, so no days.
  CHECK(*PausedDays(At("2026-09-05T23:30:00Z"), At("2026-09-06T20:00:00Z"), london) == 0);
  // 23:30 on 5 September to 00:30 on 6 September, London time: one local day (same UTC day).
  CHECK(*PausedDays(At("2026-09-05T22:30:00Z"), At("2026-09-05T23:30:00Z"), london) == 1);
  CHECK(PausedDays(At("2026-09-06T00:00:00Z"), At("2026-09-05T00:00:00Z"), london).status().IsInvalid());
  CHECK(PausedDays(0, 1, nullptr).status().IsInvalid());
}

TEST_CASE("acknowledgment periods are counted from the receipt date and are not paused or extended",
          "[core][deadline]") {
  DeadlineRule ccpa = Rule(45, PeriodUnit::kDays, Counting::kReceiptPlus);
  ccpa.acknowledgment = Period{10, PeriodUnit::kBusinessDays, Counting::kReceiptPlus, "ack"};
  ccpa.extension = ExtensionRule{45, PeriodUnit::kDays, 1, true, "ext"};
  auto d = ComputePeriod(ccpa, At("2026-11-16T18:00:00Z"), Zone("UTC"), {}, 0, 1, false);
  REQUIRE(d.ok());
  // Monday 16 November + 10 weekdays = Monday 30 November (no holidays in this calendar).
  CHECK(FormatLocalDay(*d->ack_due_day) == "2026-11-30");
  CHECK(FormatRfc3339(*d->ack_due_at) == "2026-11-30T23:59:59.999Z");
  CHECK(FormatLocalDay(d->due_day) == "2027-02-14");  // 16 November + 90 days
}

TEST_CASE("jurisdiction table: request-type overrides, default entry, extension checks", "[core][deadline]") {
  JurisdictionRules table;
  JurisdictionRule gdpr;
  gdpr.code = "gdpr";
  gdpr.deadline = Rule(1, PeriodUnit::kMonths, Counting::kEu1182_71);
  gdpr.deadline.extension = ExtensionRule{2, PeriodUnit::kMonths, 1, true, "Art. 12(3)"};
  gdpr.by_request_type["opt_out_sale"] = Rule(15, PeriodUnit::kBusinessDays, Counting::kReceiptPlus);
  JurisdictionRule def = gdpr;
  def.code = "default";
  def.by_request_type.clear();
  def.needs_jurisdiction = true;
  table.by_code["gdpr"] = gdpr;
  table.by_code["default"] = def;
  CHECK(table.Find("gdpr")->code == "gdpr");
  CHECK(table.Find("")->code == "default");
  CHECK(table.Find("atlantis")->code == "default");
  CHECK(&gdpr.For("opt_out_sale") != &gdpr.deadline);
  CHECK(&gdpr.For("access") == &gdpr.deadline);

  const auto* berlin = Zone("Europe/Berlin");
  const HolidayCalendar none;
  auto d = ComputeDeadlines(*table.Find(""), "access", At("2026-11-16T10:00:00Z"), berlin, none);
  REQUIRE(d.ok());
  CHECK(d->needs_jurisdiction);
  CHECK(FormatRfc3339(d->due_at) == "2026-12-16T22:59:59.999Z");

  // Received 31 January 2026: the first month ends on Monday 2 March (28 February is a Saturday).
  const Millis received = At("2026-01-31T08:00:00Z");
  CHECK(CheckExtension(gdpr, "access", received, At("2026-03-02T22:59:59.999Z"), berlin, none, 0, 0).ok());
  Status late = CheckExtension(gdpr, "access", received, At("2026-03-02T23:00:00Z"), berlin, none, 0, 0);
  CHECK(late.IsRefused());
  CHECK(late.message().find("2026-03-02T22:59:59.999Z") != std::string::npos);
  CHECK(CheckExtension(gdpr, "access", received, At("2026-02-10T10:00:00Z"), berlin, none, 0, 1).IsRefused());
  CHECK(CheckExtension(gdpr, "opt_out_sale", received, At("2026-02-01T10:00:00Z"), berlin, none, 0, 0).IsRefused());
  // A paused clock (where allowed) also moves the end of the first period.
  gdpr.clock_may_pause = true;
  CHECK(CheckExtension(gdpr, "access", received, At("2026-03-05T10:00:00Z"), berlin, none, 5, 0).ok());
}

TEST_CASE("DeadlineContext binds rules, calendars, zone and per-deployment calendar overrides", "[core][deadline]") {
  JurisdictionRules table;
  JurisdictionRule gdpr;
  gdpr.code = "gdpr";
  gdpr.deadline = Rule(1, PeriodUnit::kMonths, Counting::kEu1182_71);
  gdpr.default_calendar = "germany";
  JurisdictionRule def = gdpr;
  def.code = "default";
  def.default_calendar = "";
  table.by_code = {{"gdpr", gdpr}, {"default", def}};
  HolidayCalendar germany;
  germany.id = "germany";
  HolidayRule may1;
  may1.name = "Tag der Arbeit";
  may1.month = 5;
  may1.day = 1;
  germany.rules = {may1};
  const auto* berlin = Zone("Europe/Berlin");

  auto ctx = DeadlineContext::Make(table, {{"germany", germany}}, berlin);
  REQUIRE(ctx.ok());
  // 1 April + 1 month = Friday 1 May 2026, a holiday -> Monday 4 May (CEST).
  CHECK(FormatRfc3339(ctx->Compute("gdpr", "access", At("2026-04-01T10:00:00Z"))->due_at) ==
        "2026-05-04T21:59:59.999Z");
  // The default entry has no calendar: Friday 1 May stands.
  CHECK(FormatRfc3339(ctx->Compute("", "access", At("2026-04-01T10:00:00Z"))->due_at) == "2026-05-01T21:59:59.999Z");
  auto no_cal = DeadlineContext::Make(table, {{"germany", germany}}, berlin, {{"gdpr", ""}});
  REQUIRE(no_cal.ok());
  CHECK(FormatRfc3339(no_cal->Compute("gdpr", "access", At("2026-04-01T10:00:00Z"))->due_at) ==
        "2026-05-01T21:59:59.999Z");
  CHECK(DeadlineContext::Make(table, {}, berlin).status().IsInvalid());                     // germany missing
  CHECK(DeadlineContext::Make(table, {{"germany", germany}}, nullptr).status().IsInvalid());
  CHECK(DeadlineContext::Make(table, {{"germany", germany}}, berlin, {{"mars", ""}}).status().IsInvalid());
  CHECK(DeadlineContext::Make(table, {{"germany", germany}}, berlin, {{"gdpr", "france"}}).status().IsInvalid());
  table.by_code.erase("default");
  CHECK(DeadlineContext::Make(table, {{"germany", germany}}, berlin).status().IsInvalid());
}
