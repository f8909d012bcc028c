// Legal response deadlines: the deadline calculus (pure: no I/O, no clock reads, no globals).
//
// Inputs are data: a JurisdictionRule (workflows/jurisdictions/jurisdictions.yaml, read by
// engine/workflow/rules_loader.h), a HolidayCalendar (workflows/calendars/*.yaml), the
// controller's IANA time zone (a `const date::time_zone*` from date::locate_zone, which reads
// the system tzdata; the pointer is owned by the date library's tz database and lives for the
// whole process) and the receipt instant. `now` is a parameter wherever it matters.
//
// Units. Instants are `Millis` (UTC milliseconds since the epoch, core/time.h). Periods are counted
// on CIVIL DATES IN THE CONTROLLER'S ZONE: the receipt instant is first converted to its local
// date (a request received at 23:30 in Los Angeles on 16 November is a 16 November request, even
// though it is 17 November in UTC). A deadline is the END of its due day in that zone: the last
// millisecond before the next local midnight (23:59:59.999 local; where midnight does not exist
// because of a DST jump, the last millisecond before the transition), returned in UTC.
//   days           calendar days
//   business_days  working days of the calendar: not a weekend day, not a public holiday
//   months         calendar months, clamped to the month's last day when it has no same-numbered day
//
// Counting conventions (Period::counting):
//   kEu1182_71   Regulation (EEC, Euratom) No 1182/71 Art. 3 (GDPR and the default rule): the day
//                of receipt is not counted (Art. 3(1)); a period in days ends at the end of its
//                last day (Art. 3(2)(b)); a period in months ends at the end of the same-numbered
//                day of the last month, or of that month's last day when there is none
//                (Art. 3(2)(c)); when the last day is a Saturday, Sunday or public holiday the
//                period ends at the end of the next working day (Art. 3(4)). Not modelled:
//                Art. 3(5) (a period of two days or more includes at least two working days),
//                which cannot bite on the periods shipped (one month or more).
//   kUkIco       ICO guidance on the right of access, "time limits": the day of receipt is day 1
//                and the deadline is the corresponding calendar date a month later (the last day
//                of that month when there is none), moved to the next working day when it is a
//                weekend day or bank holiday. For months this yields the same date as kEu1182_71;
//                for a period in days, day N is receipt + N - 1.
//   kReceiptPlus US state statutes, LGPD, PIPEDA: the due day is the receipt date plus N calendar
//                days (Cal. Code Regs. tit. 11 § 7021(b): "the 45-day period will begin on the day
//                that the business receives the request"; the issue's reading: receipt date + 45),
//                N months (clamped), or the Nth business day after the receipt date; NOT moved
//                when it lands on a weekend or holiday (the statutes say "within N days"; moving
//                it would be the controller's risk).
//
// Extensions. A granted extension adds its period to the response period (GDPR Art. 12(3): "two
// further months"; CCPA § 7021(b): "a maximum total of 90 calendar days from the day the request
// is received"). When the extension's unit equals the response unit the amounts are summed and
// counted from the receipt date (1 + 2 months from 31 January ends 30 April, not 28 April); when
// the units differ the extension is counted from the unextended, unmoved last day. The weekend /
// holiday move of kEu1182_71 and kUkIco applies once, to the final last day.
//
// Pauses ("stop the clock", UK GDPR Art. 12A inserted by the Data (Use and Access) Act 2025):
// `paused_days` calendar days are added to the last day before the weekend / holiday move.
// PausedDays() gives the number for one pause: the local calendar days between the pause and the
// resume; a pause begun and ended on the same local day is 0. A rule whose clock may not pause
// refuses paused_days > 0.
//
// Thread safety: every type here is a value; all functions are pure and reentrant.
#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/calendar.h"
#include "core/status.h"
#include "core/time.h"

namespace dsar {

enum class PeriodUnit { kDays, kBusinessDays, kMonths };
enum class Counting { kEu1182_71, kUkIco, kReceiptPlus };

// "days" / "business_days" / "months"; "eu_1182_71" / "uk_ico" / "receipt_plus" (the YAML names).
const char* PeriodUnitName(PeriodUnit unit);
const char* CountingName(Counting counting);

struct Period {
  int amount = 0;  // > 0
  PeriodUnit unit = PeriodUnit::kDays;
  Counting counting = Counting::kReceiptPlus;
  std::string citation;  // the legal source of the number
};

struct ExtensionRule {
  int amount = 0;                           // added per extension, in `unit`
  PeriodUnit unit = PeriodUnit::kDays;
  int max_count = 1;                        // how many extensions may be granted in total
  bool notice_within_current_period = true; // the notice must go out before the period running
                                            // at the time (for the first extension: the first
                                            // period) ends
  std::string citation;
};

// The deadlines of one kind of request (or of an appeal) under one law.
struct DeadlineRule {
  Period response;
  std::optional<ExtensionRule> extension;  // nullopt: the period cannot be extended
  std::optional<Period> acknowledgment;    // a duty to confirm receipt (CCPA: 10 business days,
                                           // Cal. Code Regs. tit. 11 § 7021(a)); never paused or
                                           // extended
};

struct JurisdictionRule {
  std::string code;  // contract code ("gdpr", ...) or "default"
  std::string name;
  DeadlineRule deadline;  // for request types without an override
  std::map<std::string, DeadlineRule, std::less<>> by_request_type;  // complete rules (merged by the loader)
  bool clock_may_pause = false;
  std::string pause_citation;
  std::optional<DeadlineRule> appeal;  // answering an appeal of a refusal (US state laws)
  // The deployment default holiday calendar id ("" = weekends only). Deployment configuration may
  // override it; see DeadlineContext.
  std::string default_calendar;
  bool needs_jurisdiction = false;  // the "default" entry: staff are asked to set the jurisdiction

  // The rule for `request_type`: its override when there is one, else `deadline`.
  const DeadlineRule& For(std::string_view request_type) const;
};

// The jurisdiction table (every contract code plus "default").
struct JurisdictionRules {
  std::map<std::string, JurisdictionRule, std::less<>> by_code;
  // The entry for `code`; the "default" entry when `code` is empty or unknown; nullptr only when
  // the table has neither (a loaded table always has "default").
  const JurisdictionRule* Find(std::string_view code) const;
};

struct Deadlines {
  date::local_days received_day;         // local date of receipt in the controller's zone
  date::local_days due_day;              // local due date (after extensions, pauses, moves)
  Millis due_at = 0;                     // end of due_day in the zone, UTC ms
  Millis current_period_due_at = 0;      // the deadline before the latest extension (equals
                                         // due_at when not extended): the first period's end
                                         // for one extension
  std::optional<date::local_days> ack_due_day;
  std::optional<Millis> ack_due_at;      // end of ack_due_day, when the law requires an ack
  int extensions = 0;                    // extensions included in due_at
  int extensions_remaining = 0;          // how many more the rule allows (ignoring timing)
  int paused_days = 0;                   // calendar days of pause included in due_at
  bool clock_may_pause = false;
  bool needs_jurisdiction = false;       // computed under the "default" rule
  std::string citation;                  // response citation (+ extension citation when extended)
};

// The local calendar date of `t` in `tz`. `tz` must not be null.
date::local_days LocalDay(Millis t, const date::time_zone* tz);
// The last millisecond of local date `day` in `tz`, in UTC ms. `tz` must not be null.
Millis EndOfLocalDay(date::local_days day, const date::time_zone* tz);
// "2026-12-31" for a local date.
std::string FormatLocalDay(date::local_days day);

// The local calendar days from the pause to the resume (0 when both fall on the same local day).
// Invalid when `tz` is null or `resumed_at` < `paused_at`. Sum the results of several pauses.
Result<int> PausedDays(Millis paused_at, Millis resumed_at, const date::time_zone* tz);

// The deadlines of one request under `rule`, received at `received_at`, with `paused_days` of
// pause and `extensions` extensions granted so far.
// Errors: Invalid when `tz` is null, paused_days < 0, extensions < 0 or the rule's amounts are not
// positive; Refused when paused_days > 0 and `clock_may_pause` is false ("this law does not stop
// the clock"), or when `extensions` exceeds what the rule allows (none, or more than max_count).
Result<Deadlines> ComputePeriod(const DeadlineRule& rule, Millis received_at, const date::time_zone* tz,
                                const HolidayCalendar& calendar, int paused_days, int extensions,
                                bool clock_may_pause);

// ComputePeriod with jurisdiction.For(request_type), the jurisdiction's pause permission and its
// needs_jurisdiction flag. `calendar` is the one the deployment uses for this jurisdiction.
Result<Deadlines> ComputeDeadlines(const JurisdictionRule& jurisdiction, std::string_view request_type,
                                   Millis received_at, const date::time_zone* tz, const HolidayCalendar& calendar,
                                   int paused_days = 0, int extensions = 0);

// The deadline for answering an appeal received at `appeal_received_at` (Va. Code § 59.1-578(C),
// C.R.S. § 6-1-1306(3), Conn. Gen. Stat. § 42-518(d), Tex. Bus. & Com. Code § 541.053).
// NotFound when the jurisdiction has no appeal period; otherwise as ComputePeriod (no pauses).
Result<Deadlines> ComputeAppealDeadline(const JurisdictionRule& jurisdiction, Millis appeal_received_at,
                                        const date::time_zone* tz, const HolidayCalendar& calendar,
                                        int extensions = 0);

// Whether one more extension may be granted at `now` for a request with `extensions_so_far`
// extensions and `paused_days` of pause. Ok when allowed. Refused, with a message staff can read,
// when the rule has no extension ("<code> has no extension for <type>"), when max_count is
// reached ("already extended"), or when `now` is after the end of the period currently running
// and the rule requires notice within it ("the first period ended at <RFC 3339>"). Invalid as
// ComputePeriod.
Status CheckExtension(const JurisdictionRule& jurisdiction, std::string_view request_type, Millis received_at,
                      Millis now, const date::time_zone* tz, const HolidayCalendar& calendar, int paused_days,
                      int extensions_so_far);

// Everything a deployment needs to compute deadlines: the jurisdiction table, the calendars, the
// controller's time zone and which calendar each jurisdiction uses. Immutable once made; share it
// freely across threads.
//
// Deployment defaults (JurisdictionRule::default_calendar, from jurisdictions.yaml):
//   gdpr -> germany, uk_gdpr -> england_wales, ccpa -> us_california,
//   vcdpa / cpa / ctdpa / tdpsa -> us_federal, lgpd -> brazil, pipeda and default -> "" (weekends
//   only). `calendar_overrides` (jurisdiction code -> calendar id, "" for weekends only) replaces
//   them, e.g. {"gdpr": "france"} for a controller established in France.
class DeadlineContext {
 public:
  // Invalid when `tz` is null, `rules` has no "default" entry, or a jurisdiction's calendar
  // (after overrides) is not in `calendars`, or an override names an unknown jurisdiction.
  static Result<DeadlineContext> Make(JurisdictionRules rules, std::map<std::string, HolidayCalendar> calendars,
                                     const date::time_zone* tz,
                                     const std::map<std::string, std::string>& calendar_overrides = {});

  // The jurisdiction's rule ("" or unknown -> "default").
  const JurisdictionRule& RuleFor(std::string_view jurisdiction) const;
  // The calendar the deployment uses for the jurisdiction ("" or unknown -> the default's).
  const HolidayCalendar& CalendarFor(std::string_view jurisdiction) const;
  const date::time_zone* time_zone() const { return tz_; }
  const JurisdictionRules& rules() const { return rules_; }

  Result<Deadlines> Compute(std::string_view jurisdiction, std::string_view request_type, Millis received_at,
                            int paused_days = 0, int extensions = 0) const;
  Status CheckExtension(std::string_view jurisdiction, std::string_view request_type, Millis received_at,
                        Millis now, int paused_days, int extensions_so_far) const;
  Result<Deadlines> ComputeAppeal(std::string_view jurisdiction, Millis appeal_received_at, int extensions = 0) const;

 private:
  DeadlineContext() = default;
  JurisdictionRules rules_;
  std::map<std::string, HolidayCalendar, std::less<>> calendars_;
  std::map<std::string, std::string, std::less<>> calendar_of_;  // jurisdiction code -> calendar id
  HolidayCalendar weekends_only_;
  const date::time_zone* tz_ = nullptr;
};



}  // namespace dsar
