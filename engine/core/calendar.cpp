#include "core/calendar.h"

#include <algorithm>
#include <set>

namespace dsar {

using date::days;
using date::local_days;

date::year_month_day EasterSunday(int year) {
  // Anonymous Gregorian algorithm (Meeus, Astronomical Algorithms, ch. 8).
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return date::year{year} / static_cast<unsigned>(month) / static_cast<unsigned>(day);
}

local_days AddMonthsClamped(local_days day, int months) {
  const date::year_month_day ymd{day};
  const date::year_month ym = date::year_month{ymd.year(), ymd.month()} + date::months{months};
  const date::year_month_day_last last{ym.year(), date::month_day_last{ym.month()}};
  const date::day d = std::min(ymd.day(), last.day());
  return local_days{ym.year() / ym.month() / d};
}

std::optional<local_days> HolidayRule::DateIn(int year) const {
  if (from_year && year < *from_year) return std::nullopt;
  if (until_year && year > *until_year) return std::nullopt;
  const date::year y{year};
  local_days base;
  switch (kind) {
    case Kind::kFixed: {
      const date::year_month_day ymd = y / date::month{month} / date::day{day};
      if (!ymd.ok()) return std::nullopt;  // 29 February in a common year
      base = local_days{ymd};
      break;
    }
    case Kind::kNthWeekday: {
      const date::year_month_weekday ymw = y / date::month{month} / weekday[nth];
      if (!ymw.ok()) return std::nullopt;  // no 5th such weekday this month
      base = local_days{ymw};
      break;
    }
    case Kind::kLastWeekday:
      base = local_days{y / date::month{month} / weekday[date::last]};
      break;
    case Kind::kEasterOffset:
      base = local_days{EasterSunday(year)} + days{easter_offset};
      break;
  }
  return base + days{offset_days};
}

std::vector<DatedHoliday> HolidayCalendar::Generate(int rule_year) const {
  std::vector<DatedHoliday> own;
  std::vector<const HolidayRule*> own_rule;
  auto is_cancelled = [&](local_days d) {
    return std::any_of(cancelled.begin(), cancelled.end(), [&](const DatedHoliday& c) { return c.day == d; });
  };
  for (const HolidayRule& r : rules) {
    auto d = r.DateIn(rule_year);
    if (!d || is_cancelled(*d)) continue;
    own.push_back(DatedHoliday{*d, r.name, false});
    own_rule.push_back(&r);
  }
  for (const DatedHoliday& h : one_off)
    if (static_cast<int>(date::year_month_day{h.day}.year()) == rule_year) {
      own.push_back(h);
      own_rule.push_back(nullptr);
    }

  std::vector<size_t> order(own.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return own[a].day < own[b].day; });

  std::set<local_days> taken;  // own dates and substitutes assigned so far
  for (const auto& h : own) taken.insert(h.day);
  std::vector<DatedHoliday> out = own;
  for (size_t idx : order) {
    const HolidayRule* r = own_rule[idx];
    if (r == nullptr || r->observed == Observance::kNone) continue;
    const local_days d = own[idx].day;
    const date::weekday wd{d};
    std::optional<local_days> shifted;
    switch (r->observed) {
      case Observance::kNone: break;
      case Observance::kNearestWeekday:
        if (wd == date::Saturday) shifted = d - days{1};
        else if (wd == date::Sunday) shifted = d + days{1};
        break;
      case Observance::kSundayToMonday:
        if (wd == date::Sunday) shifted = d + days{1};
        break;
      case Observance::kSubstituteNextWeekday:
        if (IsWeekend(d)) {
          local_days s = d + days{1};
          while (IsWeekend(s) || taken.count(s) > 0) s += days{1};
          shifted = s;
        }
        break;
    }
    if (shifted) {
      taken.insert(*shifted);
      out.push_back(DatedHoliday{*shifted, own[idx].name + " (observed)", true});
    }
  }
  return out;
}

std::vector<DatedHoliday> HolidayCalendar::HolidaysIn(int year) const {
  std::vector<DatedHoliday> out;
  for (int ry = year - 1; ry <= year + 1; ++ry)
    for (auto& h : Generate(ry))
      if (static_cast<int>(date::year_month_day{h.day}.year()) == year) out.push_back(std::move(h));
  std::stable_sort(out.begin(), out.end(), [](const DatedHoliday& a, const DatedHoliday& b) { return a.day < b.day; });
  return out;
}

bool HolidayCalendar::IsWeekend(local_days day) const {
  return weekend[date::weekday{day}.c_encoding()];
}

bool HolidayCalendar::IsHoliday(local_days day) const {
  if (rules.empty() && one_off.empty()) return false;
  const int year = static_cast<int>(date::year_month_day{day}.year());
  for (const auto& h : HolidaysIn(year))
    if (h.day == day) return true;
  return false;
}

local_days HolidayCalendar::NextWorkingDayOnOrAfter(local_days day) const {
  // A calendar whose every weekday is a weekend day would loop forever; the loader rejects it,
  // and a year is more than any run of holidays.
  for (int i = 0; i < 400 && !IsWorkingDay(day); ++i) day += days{1};
  return day;
}

local_days HolidayCalendar::AddWorkingDays(local_days day, int n) const {
  int guard = 0;
  while (n > 0 && guard++ < 400 * 366) {
    day += days{1};
    if (IsWorkingDay(day)) --n;
  }
  return day;
}

}  // namespace dsar
