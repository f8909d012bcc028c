#include "core/deadline.h"

#include <chrono>

namespace dsar {

using date::days;
using date::local_days;

const char* PeriodUnitName(PeriodUnit unit) {
  switch (unit) {
    case PeriodUnit::kDays: return "days";
    case PeriodUnit::kBusinessDays: return "business_days";
    case PeriodUnit::kMonths: return "months";
  }
  return "?";
}

const char* CountingName(Counting counting) {
  switch (counting) {
    case Counting::kEu1182_71: return "eu_1182_71";
    case Counting::kUkIco: return "uk_ico";
    case Counting::kReceiptPlus: return "receipt_plus";
  }
  return "?";
}

const DeadlineRule& JurisdictionRule::For(std::string_view request_type) const {
  auto it = by_request_type.find(request_type);
  return it == by_request_type.end() ? deadline : it->second;
}

const JurisdictionRule* JurisdictionRules::Find(std::string_view code) const {
  if (!code.empty())
    if (auto it = by_code.find(code); it != by_code.end()) return &it->second;
  auto it = by_code.find(std::string_view("default"));
  return it == by_code.end() ? nullptr : &it->second;
}

local_days LocalDay(Millis t, const date::time_zone* tz) {
  const date::sys_time<std::chrono::milliseconds> sys{std::chrono::milliseconds{t}};
  return date::floor<days>(tz->to_local(sys));
}

Millis EndOfLocalDay(local_days day, const date::time_zone* tz) {
  // The first instant of the next local day (for a midnight skipped by DST, the transition
  // instant), minus one millisecond.
  const auto next = tz->to_sys(day + days{1}, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::milliseconds>(next.time_since_epoch()).count() - 1;
}

std::string FormatLocalDay(local_days day) {
  return date::format("%Y-%m-%d", day);
}

Result<int> PausedDays(Millis paused_at, Millis resumed_at, const date::time_zone* tz) {
  if (tz == nullptr) return Status::Invalid("no time zone");
  if (resumed_at < paused_at) return Status::Invalid("the resume is earlier than the pause");
  return static_cast<int>((LocalDay(resumed_at, tz) - LocalDay(paused_at, tz)).count());
}

namespace {

// The last day of a period of `amount` `unit`s counted from the receipt date `r`, before any
// weekend / holiday move.
local_days LastDay(local_days r, int amount, PeriodUnit unit, Counting counting, const HolidayCalendar& cal) {
  switch (unit) {
    case PeriodUnit::kMonths:
      return AddMonthsClamped(r, amount);
    case PeriodUnit::kDays:
      return counting == Counting::kUkIco ? r + days{amount - 1} : r + days{amount};
    case PeriodUnit::kBusinessDays:
      return cal.AddWorkingDays(r, amount);
  }
  return r;
}

// Adds `amount` `unit`s to a last day (an extension counted in another unit than the period).
local_days Extend(local_days d, int amount, PeriodUnit unit, const HolidayCalendar& cal) {
  switch (unit) {
    case PeriodUnit::kMonths: return AddMonthsClamped(d, amount);
    case PeriodUnit::kDays: return d + days{amount};
    case PeriodUnit::kBusinessDays: return cal.AddWorkingDays(d, amount);
  }
  return d;
}

bool Moves(const Period& p) {
  return p.counting == Counting::kEu1182_71 || p.counting == Counting::kUkIco || p.unit == PeriodUnit::kBusinessDays;
}

local_days DueDay(const DeadlineRule& rule, local_days r, const HolidayCalendar& cal, int paused_days, int extensions) {
  const Period& p = rule.response;
  local_days last;
  if (extensions > 0 && rule.extension && rule.extension->unit == p.unit) {
    last = LastDay(r, p.amount + extensions * rule.extension->amount, p.unit, p.counting, cal);
  } else {
    last = LastDay(r, p.amount, p.unit, p.counting, cal);
    if (extensions > 0 && rule.extension)
      last = Extend(last, extensions * rule.extension->amount, rule.extension->unit, cal);
  }
  last += days{paused_days};
  return Moves(p) ? cal.NextWorkingDayOnOrAfter(last) : last;
}

Status CheckRule(const DeadlineRule& rule) {
  if (rule.response.amount <= 0) return Status::Invalid("the response period must be positive");
  if (rule.extension && (rule.extension->amount <= 0 || rule.extension->max_count < 0))
    return Status::Invalid("the extension must be positive");
  if (rule.acknowledgment && rule.acknowledgment->amount <= 0)
    return Status::Invalid("the acknowledgment period must be positive");
  return Status::Ok();
}

}  // namespace

Result<Deadlines> ComputePeriod(const DeadlineRule& rule, Millis received_at, const date::time_zone* tz,
                                const HolidayCalendar& calendar, int paused_days, int extensions,
                                bool clock_may_pause) {
  if (tz == nullptr) return Status::Invalid("no time zone");
  if (paused_days < 0) return Status::Invalid("paused_days must not be negative");
  if (extensions < 0) return Status::Invalid("extensions must not be negative");
  if (Status s = CheckRule(rule); !s.ok()) return s;
  if (paused_days > 0 && !clock_may_pause) return Status::Refused("this law does not stop the clock");
  const int allowed = rule.extension ? rule.extension->max_count : 0;
  if (extensions > allowed)
    return Status::Refused(allowed == 0 ? "this period cannot be extended"
                                        : "at most " + std::to_string(allowed) + " extension(s) allowed");

  Deadlines d;
  d.received_day = LocalDay(received_at, tz);
  d.due_day = DueDay(rule, d.received_day, calendar, paused_days, extensions);
  d.due_at = EndOfLocalDay(d.due_day, tz);
  d.current_period_due_at =
      extensions == 0 ? d.due_at
                      : EndOfLocalDay(DueDay(rule, d.received_day, calendar, paused_days, extensions - 1), tz);
  if (rule.acknowledgment) {
    const Period& a = *rule.acknowledgment;
    local_days ack = LastDay(d.received_day, a.amount, a.unit, a.counting, calendar);
    if (Moves(a)) ack = calendar.NextWorkingDayOnOrAfter(ack);
    d.ack_due_day = ack;
    d.ack_due_at = EndOfLocalDay(ack, tz);
  }
  d.extensions = extensions;
  d.extensions_remaining = allowed - extensions;
  d.paused_days = paused_days;
  d.clock_may_pause = clock_may_pause;
  d.citation = rule.response.citation;
  if (extensions > 0 && !rule.extension->citation.empty()) d.citation += "; extension: " + rule.extension->citation;
  return d;
}

Result<Deadlines> ComputeDeadlines(const JurisdictionRule& jurisdiction, std::string_view request_type,
                                   Millis received_at, const date::time_zone* tz, const HolidayCalendar& calendar,
                                   int paused_days, int extensions) {
  auto r = ComputePeriod(jurisdiction.For(request_type), received_at, tz, calendar, paused_days, extensions,
                         jurisdiction.clock_may_pause);
  if (!r.ok()) {
    if (r.status().IsRefused())
      return Status::Refused(jurisdiction.code + " (" + std::string(request_type) + "): " + r.status().message());
    return r;
  }
  r->needs_jurisdiction = jurisdiction.needs_jurisdiction;
  return r;
}

Result<Deadlines> ComputeAppealDeadline(const JurisdictionRule& jurisdiction, Millis appeal_received_at,
                                        const date::time_zone* tz, const HolidayCalendar& calendar, int extensions) {
  if (!jurisdiction.appeal) return Status::NotFound(jurisdiction.code + " has no appeal period");
  return ComputePeriod(*jurisdiction.appeal, appeal_received_at, tz, calendar, 0, extensions, false);
}

Status CheckExtension(const JurisdictionRule& jurisdiction, std::string_view request_type, Millis received_at,
                      Millis now, const date::time_zone* tz, const HolidayCalendar& calendar, int paused_days,
                      int extensions_so_far) {
  const DeadlineRule& rule = jurisdiction.For(request_type);
  const std::string what = jurisdiction.code + " (" + std::string(request_type) + ")";
  if (!rule.extension || rule.extension->max_count == 0)
    return Status::Refused(what + ": the response period cannot be extended");
  if (extensions_so_far >= rule.extension->max_count)
    return Status::Refused(what + ": already extended (at most " + std::to_string(rule.extension->max_count) + ")");
  auto current = ComputePeriod(rule, received_at, tz, calendar, paused_days, extensions_so_far, true);
  if (!current.ok()) return current.status();
  if (rule.extension->notice_within_current_period && now > current->due_at)
    return Status::Refused(what + ": too late to extend, the " +
                           std::string(extensions_so_far == 0 ? "first" : "current") + " period ended at " +
                           FormatRfc3339(current->due_at) + " (" + rule.extension->citation + ")");
  return Status::Ok();
}

// ---- DeadlineContext ----

Result<DeadlineContext> DeadlineContext::Make(JurisdictionRules rules, std::map<std::string, HolidayCalendar> calendars,
                                            const date::time_zone* tz,
                                            const std::map<std::string, std::string>& calendar_overrides) {
  if (tz == nullptr) return Status::Invalid("no time zone");
  if (rules.by_code.find(std::string_view("default")) == rules.by_code.end())
    return Status::Invalid("the jurisdiction rules have no 'default' entry");
  DeadlineContext p;
  for (const auto& [code, rule] : rules.by_code) p.calendar_of_[code] = rule.default_calendar;
  for (const auto& [code, cal] : calendar_overrides) {
    auto it = p.calendar_of_.find(code);
    if (it == p.calendar_of_.end()) return Status::Invalid("calendar override for unknown jurisdiction '" + code + "'");
    it->second = cal;
  }
  for (const auto& [code, cal] : p.calendar_of_)
    if (!cal.empty() && calendars.find(cal) == calendars.end())
      return Status::Invalid("jurisdiction '" + code + "' uses holiday calendar '" + cal + "', which is not loaded");
  p.rules_ = std::move(rules);
  for (auto& [id, cal] : calendars) p.calendars_.emplace(id, std::move(cal));
  p.tz_ = tz;
  return p;
}

const JurisdictionRule& DeadlineContext::RuleFor(std::string_view jurisdiction) const {
  return *rules_.Find(jurisdiction);  // Make() guarantees a "default" entry
}

const HolidayCalendar& DeadlineContext::CalendarFor(std::string_view jurisdiction) const {
  const JurisdictionRule& rule = RuleFor(jurisdiction);
  auto it = calendar_of_.find(rule.code);
  if (it == calendar_of_.end() || it->second.empty()) return weekends_only_;
  auto cal = calendars_.find(it->second);
  return cal == calendars_.end() ? weekends_only_ : cal->second;
}

Result<Deadlines> DeadlineContext::Compute(std::string_view jurisdiction, std::string_view request_type,
                                          Millis received_at, int paused_days, int extensions) const {
  return ComputeDeadlines(RuleFor(jurisdiction), request_type, received_at, tz_, CalendarFor(jurisdiction),
                          paused_days, extensions);
}

Status DeadlineContext::CheckExtension(std::string_view jurisdiction, std::string_view request_type, Millis received_at,
                                      Millis now, int paused_days, int extensions_so_far) const {
  return dsar::CheckExtension(RuleFor(jurisdiction), request_type, received_at, now, tz_, CalendarFor(jurisdiction),
                              paused_days, extensions_so_far);
}

Result<Deadlines> DeadlineContext::ComputeAppeal(std::string_view jurisdiction, Millis appeal_received_at,
                                                int extensions) const {
  return ComputeAppealDeadline(RuleFor(jurisdiction), appeal_received_at, tz_, CalendarFor(jurisdiction), extensions);
}


}  // namespace dsar
