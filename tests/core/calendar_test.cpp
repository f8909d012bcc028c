// Holiday calendars and working-day arithmetic (core/calendar.h), with calendars built in code.
// The shipped YAML calendars are tested in tests/workflow/rules_loader_test.cpp.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/calendar.h"

using namespace dsar;
using date::local_days;

namespace {

local_days D(int y, unsigned m, unsigned d) { return local_days{date::year{y} / date::month{m} / date::day{d}}; }

std::string Str(local_days d) { return date::format("%F", d); }

std::vector<std::string> Dates(const HolidayCalendar& cal, int year) {
  std::vector<std::string> out;
  for (const auto& h : cal.HolidaysIn(year)) out.push_back(Str(h.day) + (h.observed ? "*" : ""));
  return out;
}

HolidayRule Fixed(const char* name, unsigned m, unsigned d, Observance o = Observance::kNone) {
  HolidayRule r;
  r.name = name;
  r.kind = HolidayRule::Kind::kFixed;
  r.month = m;
  r.day = d;
  r.observed = o;
  return r;
}

HolidayRule Easter(const char* name, int offset) {
  HolidayRule r;
  r.name = name;
  r.kind = HolidayRule::Kind::kEasterOffset;
  r.easter_offset = offset;
  return r;
}

HolidayRule Nth(const char* name, unsigned m, date::weekday wd, unsigned nth, int offset_days = 0) {
  HolidayRule r;
  r.name = name;
  r.kind = HolidayRule::Kind::kNthWeekday;
  r.month = m;
  r.weekday = wd;
  r.nth = nth;
  r.offset_days = offset_days;
  return r;
}

HolidayRule Last(const char* name, unsigned m, date::weekday wd) {
  HolidayRule r;
  r.name = name;
  r.kind = HolidayRule::Kind::kLastWeekday;
  r.month = m;
  r.weekday = wd;
  return r;
}

}  // namespace

TEST_CASE("Easter Sunday (Gregorian computus) for known years", "[core][calendar]") {
  CHECK(Str(local_days{EasterSunday(1818)}) == "1818-03-22");  // earliest possible date
  CHECK(Str(local_days{EasterSunday(1943)}) == "1943-04-25");  // latest possible date
  CHECK(Str(local_days{EasterSunday(2000)}) == "2000-04-23");
  CHECK(Str(local_days{EasterSunday(2019)}) == "2019-04-21");
  CHECK(Str(local_days{EasterSunday(2024)}) == "2024-03-31");
  CHECK(Str(local_days{EasterSunday(2025)}) == "2025-04-20");
  CHECK(Str(local_days{EasterSunday(2026)}) == "2026-04-05");
  CHECK(Str(local_days{EasterSunday(2027)}) == "2027-03-28");
  CHECK(Str(local_days{EasterSunday(2028)}) == "2028-04-16");
  CHECK(Str(local_days{EasterSunday(2038)}) == "2038-04-25");
}

TEST_CASE("AddMonthsClamped: same-numbered day, else the month's last day", "[core][calendar]") {
  CHECK(Str(AddMonthsClamped(D(2026, 1, 31), 1)) == "2026-02-28");
  CHECK(Str(AddMonthsClamped(D(2028, 1, 31), 1)) == "2028-02-29");  // leap year
  CHECK(Str(AddMonthsClamped(D(2026, 3, 31), 1)) == "2026-04-30");
  CHECK(Str(AddMonthsClamped(D(2026, 12, 15), 1)) == "2027-01-15");
  CHECK(Str(AddMonthsClamped(D(2026, 1, 31), 3)) == "2026-04-30");
  CHECK(Str(AddMonthsClamped(D(2028, 2, 29), 12)) == "2029-02-28");
  CHECK(Str(AddMonthsClamped(D(2026, 8, 31), -6)) == "2026-02-28");
}

TEST_CASE("rule kinds: fixed, nth weekday, last weekday, Easter offset, offset days, year range", "[core][calendar]") {
  CHECK(Str(*Fixed("x", 7, 4).DateIn(2026)) == "2026-07-04");
  CHECK_FALSE(Fixed("leap", 2, 29).DateIn(2026).has_value());
  CHECK(Str(*Fixed("leap", 2, 29).DateIn(2028)) == "2028-02-29");
  CHECK(Str(*Nth("MLK", 1, date::Monday, 3).DateIn(2026)) == "2026-01-19");
  CHECK(Str(*Nth("Thanksgiving", 11, date::Thursday, 4).DateIn(2026)) == "2026-11-26");
  CHECK(Str(*Nth("Day after", 11, date::Thursday, 4, 1).DateIn(2026)) == "2026-11-27");
  CHECK_FALSE(Nth("fifth Monday", 2, date::Monday, 5).DateIn(2026).has_value());  // February 2026: 4 Mondays
  CHECK(Str(*Last("Memorial", 5, date::Monday).DateIn(2026)) == "2026-05-25");
  CHECK(Str(*Last("Summer", 8, date::Monday).DateIn(2026)) == "2026-08-31");
  CHECK(Str(*Easter("Good Friday", -2).DateIn(2026)) == "2026-04-03");
  CHECK(Str(*Easter("Ascension", 39).DateIn(2026)) == "2026-05-14");
  CHECK(Str(*Easter("Whit Monday", 50).DateIn(2027)) == "2027-05-17");
  HolidayRule j = Fixed("Juneteenth", 6, 19);
  j.from_year = 2021;
  CHECK_FALSE(j.DateIn(2020).has_value());
  CHECK(j.DateIn(2021).has_value());
  j.until_year = 2022;
  CHECK_FALSE(j.DateIn(2023).has_value());
}

TEST_CASE("observed days: nearest weekday (US), across the year boundary", "[core][calendar]") {
  HolidayCalendar us;
  us.rules = {Fixed("New Year", 1, 1, Observance::kNearestWeekday), Fixed("July 4", 7, 4, Observance::kNearestWeekday),
              Fixed("Christmas", 12, 25, Observance::kNearestWeekday)};
  // 2026: 4 July is a Saturday -> Friday 3 July.
  CHECK(Dates(us, 2026) == std::vector<std::string>{"2026-01-01", "2026-07-03*", "2026-07-04", "2026-12-25"});
  // 1 January 2022 (Saturday) is observed on Friday 31 December 2021.
  CHECK(Dates(us, 2021) == std::vector<std::string>{"2021-01-01", "2021-07-04", "2021-07-05*", "2021-12-24*",
                                                    "2021-12-25", "2021-12-31*"});
  CHECK(us.IsHoliday(D(2021, 12, 31)));
  CHECK_FALSE(us.IsWorkingDay(D(2026, 7, 3)));
  CHECK(us.IsWorkingDay(D(2026, 7, 2)));
  // 2023: 1 January is a Sunday -> Monday 2 January.
  CHECK(us.IsHoliday(D(2023, 1, 2)));
}

TEST_CASE("observed days: Sunday to Monday only (California § 6701)", "[core][calendar]") {
  HolidayCalendar ca;
  ca.rules = {Fixed("July 4", 7, 4, Observance::kSundayToMonday)};
  CHECK_FALSE(ca.IsHoliday(D(2026, 7, 3)));  // Saturday 4 July 2026: not moved
  CHECK(ca.IsHoliday(D(2027, 7, 5)));        // Sunday 4 July 2027: Monday 5 July
}

TEST_CASE("substitute days: England and Wales Christmas, Boxing Day and New Year", "[core][calendar]") {
  HolidayCalendar uk;
  uk.rules = {Fixed("New Year's Day", 1, 1, Observance::kSubstituteNextWeekday),
              Fixed("Christmas Day", 12, 25, Observance::kSubstituteNextWeekday),
              Fixed("Boxing Day", 12, 26, Observance::kSubstituteNextWeekday)};
  // 2026: Christmas Friday, Boxing Day Saturday -> Monday 28.
  CHECK(Dates(uk, 2026) == std::vector<std::string>{"2026-01-01", "2026-12-25", "2026-12-26", "2026-12-28*"});
  // 2027: Christmas Saturday, Boxing Day Sunday -> Monday 27 and Tuesday 28.
  CHECK(Dates(uk, 2027) ==
        std::vector<std::string>{"2027-01-01", "2027-12-25", "2027-12-26", "2027-12-27*", "2027-12-28*"});
  // 2022: Christmas Sunday, Boxing Day Monday -> Christmas substitute Tuesday 27; New Year Saturday -> 3 January.
  CHECK(Dates(uk, 2022) ==
        std::vector<std::string>{"2022-01-01", "2022-01-03*", "2022-12-25", "2022-12-26", "2022-12-27*"});
}

TEST_CASE("one-off and cancelled dates", "[core][calendar]") {
  HolidayCalendar uk;
  uk.rules = {Last("Spring bank holiday", 5, date::Monday)};
  uk.one_off = {{D(2022, 6, 2), "Spring bank holiday (moved)"}, {D(2022, 6, 3), "Platinum Jubilee"}};
  uk.cancelled = {{D(2022, 5, 30), "moved"}};
  CHECK(Dates(uk, 2022) == std::vector<std::string>{"2022-06-02", "2022-06-03"});
  CHECK(Dates(uk, 2023) == std::vector<std::string>{"2023-05-29"});
}

TEST_CASE("working days: weekends, holidays, AddWorkingDays and NextWorkingDayOnOrAfter", "[core][calendar]") {
  HolidayCalendar none;  // Saturday and Sunday, no holidays
  CHECK(none.IsWeekend(D(2026, 11, 21)));
  CHECK(none.IsWorkingDay(D(2026, 12, 25)));
  // Monday 16 November 2026 + 15 weekdays = Monday 7 December.
  CHECK(Str(none.AddWorkingDays(D(2026, 11, 16), 15)) == "2026-12-07");
  CHECK(Str(none.AddWorkingDays(D(2026, 11, 21), 1)) == "2026-11-23");  // from a Saturday
  CHECK(Str(none.AddWorkingDays(D(2026, 11, 21), 0)) == "2026-11-21");
  CHECK(Str(none.NextWorkingDayOnOrAfter(D(2026, 11, 21))) == "2026-11-23");
  CHECK(Str(none.NextWorkingDayOnOrAfter(D(2026, 11, 23))) == "2026-11-23");

  HolidayCalendar ca;
  ca.rules = {Nth("Thanksgiving", 11, date::Thursday, 4), Nth("Day after Thanksgiving", 11, date::Thursday, 4, 1)};
  // Tuesday 17 November 2026 + 15 business days, skipping 26 and 27 November = Thursday 10 December.
  CHECK(Str(ca.AddWorkingDays(D(2026, 11, 17), 15)) == "2026-12-10");

  HolidayCalendar gulf;  // a Friday-Saturday weekend
  gulf.weekend = {false, false, false, false, false, true, true};
  CHECK(gulf.IsWorkingDay(D(2026, 11, 22)));  // Sunday
  CHECK_FALSE(gulf.IsWorkingDay(D(2026, 11, 20)));  // Friday
}
