// Public-holiday calendars and working-day arithmetic (pure: no I/O, no clock, no globals).
//
// A HolidayCalendar is data: rules (a fixed date, the nth or last weekday of a month, an offset
// from Gregorian Easter Sunday), each with an optional "observed" shift for holidays that fall
// on a weekend, plus one-off dates added or cancelled by proclamation. The shipped calendars are
// YAML files in workflows/calendars/ (one per calendar, each citing its legal source), read by
// engine/workflow/rules_loader.h; this header only knows the structures.
//
// Dates here are civil dates with no time zone (`date::local_days`): "the 25th of December" in
// whatever zone the caller works in. engine/core/deadline.h converts instants to the controller's
// local date before it asks a calendar anything.
//
// Working day: a day that is neither a weekend day of the calendar nor one of its holidays
// (including observed / substitute days). An empty calendar (HolidayCalendar{}) has Saturday and
// Sunday as its weekend and no holidays.
//
// Thread safety: every type here is a value; const member functions may be called concurrently.
#pragma once

#include <date/date.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace dsar {

// Gregorian Easter Sunday of `year` (the anonymous Gregorian computus, Meeus/Jones/Butcher).
// Valid for any year >= 1583.
date::year_month_day EasterSunday(int year);

// `months` calendar months after `day`, clamped to the last day of the target month when it has
// no such day (31 January + 1 month = 28 or 29 February). `months` may be negative.
date::local_days AddMonthsClamped(date::local_days day, int months);

// How a holiday that falls on a weekend is observed on a working day.
enum class Observance {
  kNone,                   // not moved
  kNearestWeekday,         // Saturday -> preceding Friday, Sunday -> following Monday
                           // (US: 5 U.S.C. § 6103(b), Executive Order 11582)
  kSundayToMonday,         // Sunday -> following Monday; Saturday not moved (Cal. Gov. Code § 6701)
  kSubstituteNextWeekday,  // the next weekday that is not already a holiday or a substitute
                           // (England & Wales: Banking and Financial Dealings Act 1971 Sch. 1 and
                           // royal proclamations; Christmas Sat + Boxing Day Sun -> Mon 27 + Tue 28)
};

struct HolidayRule {
  enum class Kind {
    kFixed,         // `month`/`day` every year
    kNthWeekday,    // the `nth` (1..5) `weekday` of `month`
    kLastWeekday,   // the last `weekday` of `month`
    kEasterOffset,  // Easter Sunday + `easter_offset` days (Good Friday -2, Easter Monday +1,
                    // Ascension +39, Whit Monday +50, Corpus Christi +60)
  };
  std::string name;
  Kind kind = Kind::kFixed;
  unsigned month = 1;                         // 1..12 (kFixed, kNthWeekday, kLastWeekday)
  unsigned day = 1;                           // 1..31 (kFixed)
  date::weekday weekday = date::Monday;       // kNthWeekday, kLastWeekday
  unsigned nth = 1;                           // kNthWeekday
  int easter_offset = 0;                      // kEasterOffset
  int offset_days = 0;                        // added after the rule ("day after Thanksgiving": +1)
  Observance observed = Observance::kNone;
  std::optional<int> from_year;               // first year the rule applies (inclusive)
  std::optional<int> until_year;              // last year the rule applies (inclusive)
  int line = 0;                               // source line, for diagnostics; 0 when built in code

  // The rule's own date in `year` (before any observed shift), or nullopt when the rule does not
  // apply that year (outside from/until, or no 5th weekday that month).
  std::optional<date::local_days> DateIn(int year) const;
};

struct DatedHoliday {
  date::local_days day;
  std::string name;
  bool observed = false;  // a substitute / observed day rather than the holiday's own date
  friend bool operator==(const DatedHoliday&, const DatedHoliday&) = default;
};

struct HolidayCalendar {
  std::string id;      // "us_federal"; the file stem of its YAML file
  std::string name;    // human-readable
  std::string source;  // legal citation(s) for the list
  // Weekend days, indexed by date::weekday::c_encoding() (0 = Sunday .. 6 = Saturday).
  std::array<bool, 7> weekend = {true, false, false, false, false, false, true};
  std::vector<HolidayRule> rules;
  std::vector<DatedHoliday> one_off;    // extra holidays (special bank holidays, jubilees)
  std::vector<DatedHoliday> cancelled;  // rule dates that did not happen that year (moved by
                                        // proclamation); an observed shift is not applied to them

  // Every holiday whose date (own or observed) falls in `year`, sorted by date. A holiday whose
  // observed day falls in another year is listed in that year (US: 1 January 2022, a Saturday,
  // was observed on Friday 31 December 2021). A day may appear twice (own date + observed).
  std::vector<DatedHoliday> HolidaysIn(int year) const;

  bool IsWeekend(date::local_days day) const;
  bool IsHoliday(date::local_days day) const;
  bool IsWorkingDay(date::local_days day) const { return !IsWeekend(day) && !IsHoliday(day); }

  // The first working day on or after `day`.
  date::local_days NextWorkingDayOnOrAfter(date::local_days day) const;
  // The `n`th working day after `day` (`day` itself is not counted; n >= 0; n == 0 returns `day`).
  date::local_days AddWorkingDays(date::local_days day, int n) const;

 private:
  // Holidays generated by the rules of `rule_year` (own dates and observed days, which may fall
  // in an adjacent year), plus that year's one-off dates; cancelled dates removed.
  std::vector<DatedHoliday> Generate(int rule_year) const;
};

}  // namespace dsar
