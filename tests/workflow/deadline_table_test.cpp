// Issue 3 §7: a table of deadline cases over the SHIPPED data (workflows/jurisdictions/ and
// workflows/calendars/), each with its expected local due date and UTC instant written out.
//
// The expected values were worked out by hand from a calendar (weekdays, holidays, DST dates and
// UTC offsets are noted per case); none was produced by the code under test. Offsets: Berlin and
// Paris CET +1 / CEST +2, London GMT 0 / BST +1 (EU summer time 2026: 29 March - 25 October;
// 2027: 28 March - 31 October; 2024: from 31 March; 2022: 27 March - 30 October), Los Angeles PST
// -8 / PDT -7, Denver MST -7 / MDT -6, Chicago CST -6 / CDT -5, New York and Toronto EST -5 /
// EDT -4 (US DST 2026: 8 March - 1 November), Sao Paulo -3 all year.
#include <catch2/catch.hpp>

#include <string>

#include "core/deadline.h"
#include "workflow/rules_loader.h"

using namespace dsar;

namespace {

const workflow::DeadlineData& Shipped() {
  static const workflow::DeadlineData data = workflow::LoadDeadlineData(std::string(DSAR_SOURCE_DIR) + "/workflows");
  return data;
}

Millis At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

// The calendar: `id` when given, else the jurisdiction's deployment default ("" = weekends only).
const HolidayCalendar& CalendarOf(const JurisdictionRule& rule, const char* id) {
  static const HolidayCalendar kWeekendsOnly;
  const std::string cal = id ? id : rule.default_calendar;
  if (cal.empty()) return kWeekendsOnly;
  return Shipped().calendars.at(cal);
}

struct Case {
  const char* what;
  const char* jurisdiction;  // "" = unknown
  const char* type;
  const char* zone;
  const char* calendar;  // nullptr: the jurisdiction's default calendar
  const char* received;
  int paused_days;
  int extensions;
  const char* due_day;     // local date
  const char* due_at;      // UTC instant
  const char* ack_due_at;  // nullptr: no acknowledgment duty
};

// clang-format off
const Case kCases[] = {
  // ---- GDPR: one month (Art. 12(3)), Regulation 1182/71 Art. 3, Germany's nationwide holidays, Europe/Berlin.
  {"gdpr: one month, same-numbered day (Wed 16 Dec, CET)",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-11-16T10:00:00Z", 0, 0, "2026-12-16", "2026-12-16T22:59:59.999Z", nullptr},
  {"gdpr: 31 Jan + 1 month = Sat 28 Feb -> Mon 2 Mar",
   "gdpr", "deletion", "Europe/Berlin", nullptr, "2026-01-31T08:00:00Z", 0, 0, "2026-03-02", "2026-03-02T22:59:59.999Z", nullptr},
  {"gdpr: leap year, 31 Jan 2028 + 1 month = Tue 29 Feb",
   "gdpr", "access", "Europe/Berlin", nullptr, "2028-01-31T08:00:00Z", 0, 0, "2028-02-29", "2028-02-29T22:59:59.999Z", nullptr},
  {"gdpr: received on leap day 29 Feb 2024 -> Good Friday 29 Mar -> Easter Monday 1 Apr -> Tue 2 Apr (CEST)",
   "gdpr", "access", "Europe/Berlin", nullptr, "2024-02-29T09:00:00Z", 0, 0, "2024-04-02", "2024-04-02T21:59:59.999Z", nullptr},
  {"gdpr: due on Easter Monday 6 Apr 2026 -> Tue 7 Apr",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-03-06T09:00:00Z", 0, 0, "2026-04-07", "2026-04-07T21:59:59.999Z", nullptr},
  {"gdpr: due on Christmas Day Fri 25 Dec, 26 Dec holiday and Sunday -> Mon 28 Dec",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-11-25T09:00:00Z", 0, 0, "2026-12-28", "2026-12-28T22:59:59.999Z", nullptr},
  {"gdpr: DST week, Sat 28 Mar -> (Sun 29 Mar, clocks forward) -> Mon 30 Mar, CEST",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-02-28T09:00:00Z", 0, 0, "2026-03-30", "2026-03-30T21:59:59.999Z", nullptr},
  {"gdpr: DST end week, Sun 25 Oct (clocks back) -> Mon 26 Oct, CET",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-09-25T09:00:00Z", 0, 0, "2026-10-26", "2026-10-26T22:59:59.999Z", nullptr},
  {"gdpr: 00:30 CEST on 25 Oct is 22:30 UTC on 24 Oct: a 25 Oct request -> Wed 25 Nov",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-10-24T22:30:00Z", 0, 0, "2026-11-25", "2026-11-25T22:59:59.999Z", nullptr},
  {"gdpr: Ascension Thu 14 May -> Fri 15 May",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-04-14T09:00:00Z", 0, 0, "2026-05-15", "2026-05-15T21:59:59.999Z", nullptr},
  {"gdpr: Sat 25 Apr + 1 month = Whit Monday 25 May -> Tue 26 May",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-04-25T09:00:00Z", 0, 0, "2026-05-26", "2026-05-26T21:59:59.999Z", nullptr},
  {"gdpr: extended by two months, 16 Nov + 3 months = Tue 16 Feb 2027",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-11-16T10:00:00Z", 0, 1, "2027-02-16", "2027-02-16T22:59:59.999Z", nullptr},
  {"gdpr: extended, 31 Jan + 3 months = Thu 30 Apr (CEST)",
   "gdpr", "access", "Europe/Berlin", nullptr, "2026-01-31T08:00:00Z", 0, 1, "2026-04-30", "2026-04-30T21:59:59.999Z", nullptr},
  {"gdpr with France's calendar: Bastille Day Tue 14 Jul -> Wed 15 Jul",
   "gdpr", "access", "Europe/Paris", "france", "2026-06-14T09:00:00Z", 0, 0, "2026-07-15", "2026-07-15T21:59:59.999Z", nullptr},

  // ---- UK GDPR: ICO counting, England and Wales bank holidays, Europe/London.
  {"uk_gdpr: 3 Sep -> Sat 3 Oct -> Mon 5 Oct (BST)",
   "uk_gdpr", "access", "Europe/London", nullptr, "2026-09-03T09:00:00Z", 0, 0, "2026-10-05", "2026-10-05T22:59:59.999Z", nullptr},
  {"uk_gdpr: 31 Mar -> Thu 30 Apr (ICO's example)",
   "uk_gdpr", "access", "Europe/London", nullptr, "2026-03-31T12:00:00Z", 0, 0, "2026-04-30", "2026-04-30T22:59:59.999Z", nullptr},
  {"uk_gdpr: 28 Nov -> Mon 28 Dec, Boxing Day substitute -> Tue 29 Dec (GMT)",
   "uk_gdpr", "access", "Europe/London", nullptr, "2026-11-28T12:00:00Z", 0, 0, "2026-12-29", "2026-12-29T23:59:59.999Z", nullptr},
  {"uk_gdpr: 25 Nov 2027 -> Sat 25 Dec, substitutes Mon 27 and Tue 28 -> Wed 29 Dec",
   "uk_gdpr", "deletion", "Europe/London", nullptr, "2027-11-25T12:00:00Z", 0, 0, "2027-12-29", "2027-12-29T23:59:59.999Z", nullptr},
  {"uk_gdpr: 28 Feb 2027 -> Easter Sunday 28 Mar (clocks forward) -> Easter Monday -> Tue 30 Mar (BST)",
   "uk_gdpr", "access", "Europe/London", nullptr, "2027-02-28T12:00:00Z", 0, 0, "2027-03-30", "2027-03-30T22:59:59.999Z", nullptr},
  {"uk_gdpr: 2 May 2022 -> Thu 2 Jun (moved spring bank holiday), Fri 3 Jun (Jubilee) -> Mon 6 Jun",
   "uk_gdpr", "access", "Europe/London", nullptr, "2022-05-02T10:00:00Z", 0, 0, "2022-06-06", "2022-06-06T22:59:59.999Z", nullptr},
  {"uk_gdpr: paused 10 days, 1 Oct + 10 = Sun 11 Oct -> Mon 12 Oct",
   "uk_gdpr", "access", "Europe/London", nullptr, "2026-09-01T10:00:00Z", 10, 0, "2026-10-12", "2026-10-12T22:59:59.999Z", nullptr},
  {"uk_gdpr: a same-day pause and resume moves nothing (0 days)",
   "uk_gdpr", "access", "Europe/London", nullptr, "2026-09-01T10:00:00Z", 0, 0, "2026-10-01", "2026-10-01T22:59:59.999Z", nullptr},
  {"uk_gdpr: extended by two months, 1 Sep -> Tue 1 Dec (GMT)",
   "uk_gdpr", "access", "Europe/London", nullptr, "2026-09-01T10:00:00Z", 0, 1, "2026-12-01", "2026-12-01T23:59:59.999Z", nullptr},
  {"uk_gdpr: extended and paused 3 days -> Fri 4 Dec",
   "uk_gdpr", "access", "Europe/London", nullptr, "2026-09-01T10:00:00Z", 3, 1, "2026-12-04", "2026-12-04T23:59:59.999Z", nullptr},

  // ---- CCPA: receipt date + 45 days, ack 10 business days, opt-out 15 business days, California, Los Angeles.
  {"ccpa: 23:30 PST on Mon 16 Nov (07:30 UTC on 17 Nov) -> Thu 31 Dec; ack Wed 2 Dec (Thanksgiving + day after skipped)",
   "ccpa", "access", "America/Los_Angeles", nullptr, "2026-11-17T07:30:00Z", 0, 0, "2026-12-31", "2027-01-01T07:59:59.999Z", "2026-12-03T07:59:59.999Z"},
  {"ccpa: due on Sat 4 Jul, not moved (PDT); ack Thu 4 Jun (Memorial Day skipped)",
   "ccpa", "deletion", "America/Los_Angeles", nullptr, "2026-05-20T16:00:00Z", 0, 0, "2026-07-04", "2026-07-05T06:59:59.999Z", "2026-06-05T06:59:59.999Z"},
  {"ccpa: due Sun 8 Mar, the day clocks go forward: ends 23:59:59.999 PDT",
   "ccpa", "correction", "America/Los_Angeles", nullptr, "2026-01-22T20:00:00Z", 0, 0, "2026-03-08", "2026-03-09T06:59:59.999Z", "2026-02-06T07:59:59.999Z"},
  {"ccpa: DST end week, 20 Sep + 45 = Wed 4 Nov (PST); ack Fri 2 Oct",
   "ccpa", "access", "America/Los_Angeles", nullptr, "2026-09-20T19:00:00Z", 0, 0, "2026-11-04", "2026-11-05T07:59:59.999Z", "2026-10-03T06:59:59.999Z"},
  {"ccpa: extended, 16 Nov + 90 = Sun 14 Feb 2027",
   "ccpa", "access", "America/Los_Angeles", nullptr, "2026-11-17T07:30:00Z", 0, 1, "2027-02-14", "2027-02-15T07:59:59.999Z", "2026-12-03T07:59:59.999Z"},
  {"ccpa: 18 Dec + 45 = Mon 1 Feb; ack Tue 5 Jan (25 Dec and 1 Jan skipped)",
   "ccpa", "access", "America/Los_Angeles", nullptr, "2026-12-18T18:00:00Z", 0, 0, "2027-02-01", "2027-02-02T07:59:59.999Z", "2027-01-06T07:59:59.999Z"},
  {"ccpa opt_out_sale: Tue 17 Nov + 15 business days, 26-27 Nov skipped -> Thu 10 Dec; no ack",
   "ccpa", "opt_out_sale", "America/Los_Angeles", nullptr, "2026-11-17T17:00:00Z", 0, 0, "2026-12-10", "2026-12-11T07:59:59.999Z", nullptr},
  {"ccpa opt_out_sale: California does not move Sat 4 Jul 2026, so Fri 3 Jul counts -> Fri 10 Jul",
   "ccpa", "opt_out_sale", "America/Los_Angeles", nullptr, "2026-06-19T16:00:00Z", 0, 0, "2026-07-10", "2026-07-11T06:59:59.999Z", nullptr},
  {"ccpa opt_out_sale with the US federal calendar: Fri 3 Jul observed -> Mon 13 Jul",
   "ccpa", "opt_out_sale", "America/Los_Angeles", "us_federal", "2026-06-19T16:00:00Z", 0, 0, "2026-07-13", "2026-07-14T06:59:59.999Z", nullptr},
  {"ccpa opt_out_marketing: 45 days, no ack (§ 7021(a) covers know, delete, correct)",
   "ccpa", "opt_out_marketing", "America/Los_Angeles", nullptr, "2026-11-17T07:30:00Z", 0, 0, "2026-12-31", "2027-01-01T07:59:59.999Z", nullptr},

  // ---- Virginia, Colorado, Connecticut, Texas: receipt date + 45 days, not moved.
  {"vcdpa: 00:30 EST 1 Jan -> Sun 15 Feb, not moved",
   "vcdpa", "access", "America/New_York", nullptr, "2026-01-01T05:30:00Z", 0, 0, "2026-02-15", "2026-02-16T04:59:59.999Z", nullptr},
  {"vcdpa: 23:30 EST 31 Dec 2025 (04:30 UTC 1 Jan) -> Sat 14 Feb",
   "vcdpa", "access", "America/New_York", nullptr, "2026-01-01T04:30:00Z", 0, 0, "2026-02-14", "2026-02-15T04:59:59.999Z", nullptr},
  {"vcdpa: extended, 1 Mar + 90 = Sat 30 May (EDT)",
   "vcdpa", "deletion", "America/New_York", nullptr, "2026-03-01T17:00:00Z", 0, 1, "2026-05-30", "2026-05-31T03:59:59.999Z", nullptr},
  {"cpa: 20 Oct + 45 = Fri 4 Dec, across the DST change (MST)",
   "cpa", "access", "America/Denver", nullptr, "2026-10-20T18:00:00Z", 0, 0, "2026-12-04", "2026-12-05T06:59:59.999Z", nullptr},
  {"ctdpa: 10 Nov + 45 = Fri 25 Dec, not moved (EST)",
   "ctdpa", "access", "America/New_York", nullptr, "2026-11-10T15:00:00Z", 0, 0, "2026-12-25", "2026-12-26T04:59:59.999Z", nullptr},
  {"tdpsa: 20 May + 45 = Sat 4 Jul, not moved (CDT)",
   "tdpsa", "access", "America/Chicago", nullptr, "2026-05-20T12:00:00Z", 0, 0, "2026-07-04", "2026-07-05T04:59:59.999Z", nullptr},
  {"tdpsa: extended, 4 Jul + 45 = Tue 18 Aug",
   "tdpsa", "access", "America/Chicago", nullptr, "2026-05-20T12:00:00Z", 0, 1, "2026-08-18", "2026-08-19T04:59:59.999Z", nullptr},

  // ---- LGPD: 15 days (Art. 19(II)), not moved, America/Sao_Paulo (UTC-3).
  {"lgpd: 20 Nov + 15 = Sat 5 Dec, not moved",
   "lgpd", "access", "America/Sao_Paulo", nullptr, "2026-11-20T12:00:00Z", 0, 0, "2026-12-05", "2026-12-06T02:59:59.999Z", nullptr},
  {"lgpd: 23:30 on 10 Dec (02:30 UTC on 11 Dec) + 15 = Fri 25 Dec",
   "lgpd", "access", "America/Sao_Paulo", nullptr, "2026-12-11T02:30:00Z", 0, 0, "2026-12-25", "2026-12-26T02:59:59.999Z", nullptr},
  {"lgpd: 18 Oct + 15 = Mon 2 Nov (Finados), not moved",
   "lgpd", "deletion", "America/Sao_Paulo", nullptr, "2026-10-18T15:00:00Z", 0, 0, "2026-11-02", "2026-11-03T02:59:59.999Z", nullptr},

  // ---- PIPEDA: 30 days (s. 8(3)), one 30-day extension (s. 8(4)), America/Toronto.
  {"pipeda: 20 Nov + 30 = Sun 20 Dec, not moved",
   "pipeda", "access", "America/Toronto", nullptr, "2026-11-20T12:00:00Z", 0, 0, "2026-12-20", "2026-12-21T04:59:59.999Z", nullptr},
  {"pipeda: extended, 20 Nov + 60 = Tue 19 Jan 2027",
   "pipeda", "access", "America/Toronto", nullptr, "2026-11-20T12:00:00Z", 0, 1, "2027-01-19", "2027-01-20T04:59:59.999Z", nullptr},
  {"pipeda: 20 Feb + 30 = Sun 22 Mar, after the DST change (EDT)",
   "pipeda", "access", "America/Toronto", nullptr, "2026-02-20T15:00:00Z", 0, 0, "2026-03-22", "2026-03-23T03:59:59.999Z", nullptr},

  // ---- Unknown jurisdiction: the default rule (one month as under GDPR), no calendar by default.
  {"unknown: 23:30 CEST on 31 Mar -> Thu 30 Apr",
   "", "access", "Europe/Berlin", nullptr, "2026-03-31T21:30:00Z", 0, 0, "2026-04-30", "2026-04-30T21:59:59.999Z", nullptr},
  {"unknown: 1 Apr -> Fri 1 May stands without a holiday calendar",
   "", "access", "Europe/Berlin", nullptr, "2026-04-01T10:00:00Z", 0, 0, "2026-05-01", "2026-05-01T21:59:59.999Z", nullptr},
  {"unknown code, deployment calendar germany: Fri 1 May (Tag der Arbeit) -> Mon 4 May",
   "atlantis", "access", "Europe/Berlin", "germany", "2026-04-01T10:00:00Z", 0, 0, "2026-05-04", "2026-05-04T21:59:59.999Z", nullptr},
  {"unknown, Los Angeles: 23:30 PST 30 Jan -> 30 Feb clamped to Sat 28 Feb -> Mon 2 Mar",
   "", "deletion", "America/Los_Angeles", nullptr, "2026-01-31T07:30:00Z", 0, 0, "2026-03-02", "2026-03-03T07:59:59.999Z", nullptr},
};
// clang-format on

}  // namespace

TEST_CASE("the shipped jurisdiction rules and calendars load", "[workflow][deadline]") {
  const auto& data = Shipped();
  for (const auto& e : data.errors) UNSCOPED_INFO(e.ToString());
  REQUIRE(data.ok());
}

TEST_CASE("deadline table over the shipped data (issue 3 §7)", "[workflow][deadline]") {
  REQUIRE(Shipped().ok());
  STATIC_REQUIRE(sizeof(kCases) / sizeof(kCases[0]) >= 40);
  for (const Case& c : kCases) {
    INFO(c.what);
    const JurisdictionRule* rule = Shipped().rules.Find(c.jurisdiction);
    REQUIRE(rule != nullptr);
    CHECK(rule->needs_jurisdiction == (rule->code == "default"));
    auto d = ComputeDeadlines(*rule, c.type, At(c.received), date::locate_zone(c.zone), CalendarOf(*rule, c.calendar),
                              c.paused_days, c.extensions);
    REQUIRE(d.ok());
    CHECK(FormatLocalDay(d->due_day) == c.due_day);
    CHECK(FormatRfc3339(d->due_at) == c.due_at);
    if (c.ack_due_at == nullptr) {
      CHECK_FALSE(d->ack_due_at.has_value());
    } else {
      REQUIRE(d->ack_due_at.has_value());
      CHECK(FormatRfc3339(*d->ack_due_at) == c.ack_due_at);
    }
    CHECK_FALSE(d->citation.empty());
  }
}

TEST_CASE("appeal periods: Virginia 60, Colorado 45 + 60, Connecticut 60, Texas 60 days", "[workflow][deadline]") {
  REQUIRE(Shipped().ok());
  auto appeal = [](const char* j, const char* zone, const char* received, int ext = 0) {
    const JurisdictionRule& rule = *Shipped().rules.Find(j);
    auto d = ComputeAppealDeadline(rule, At(received), date::locate_zone(zone), CalendarOf(rule, nullptr), ext);
    REQUIRE(d.ok());
    return FormatLocalDay(d->due_day) + " " + FormatRfc3339(d->due_at);
  };
  // Va. Code § 59.1-578(C): 2 Mar + 60 = Fri 1 May (EDT).
  CHECK(appeal("vcdpa", "America/New_York", "2026-03-02T15:00:00Z") == "2026-05-01 2026-05-02T03:59:59.999Z");
  // C.R.S. § 6-1-1306(3): 1 Jun + 45 = Thu 16 Jul (MDT); extended by 60: + 105 = Mon 14 Sep.
  CHECK(appeal("cpa", "America/Denver", "2026-06-01T18:00:00Z") == "2026-07-16 2026-07-17T05:59:59.999Z");
  CHECK(appeal("cpa", "America/Denver", "2026-06-01T18:00:00Z", 1) == "2026-09-14 2026-09-15T05:59:59.999Z");
  // Conn. Gen. Stat. § 42-518: 1 Jul + 60 = Sun 30 Aug (EDT).
  CHECK(appeal("ctdpa", "America/New_York", "2026-07-01T15:00:00Z") == "2026-08-30 2026-08-31T03:59:59.999Z");
  // Tex. Bus. & Com. Code § 541.053: 1 Feb + 60 = Thu 2 Apr (CDT).
  CHECK(appeal("tdpsa", "America/Chicago", "2026-02-01T18:00:00Z") == "2026-04-02 2026-04-03T04:59:59.999Z");
  // No appeal period under GDPR; Virginia's appeal period has no extension.
  const auto* berlin = date::locate_zone("Europe/Berlin");
  CHECK(ComputeAppealDeadline(*Shipped().rules.Find("gdpr"), 0, berlin, {}).status().IsNotFound());
  CHECK(ComputeAppealDeadline(*Shipped().rules.Find("vcdpa"), 0, berlin, {}, 1).status().IsRefused());
}

TEST_CASE("refusals from the shipped rules: pauses, extensions beyond the law", "[workflow][deadline]") {
  REQUIRE(Shipped().ok());
  const auto& rules = Shipped().rules;
  const auto* la = date::locate_zone("America/Los_Angeles");
  const HolidayCalendar none;
  const Millis t = At("2026-11-17T07:30:00Z");
  CHECK(ComputeDeadlines(*rules.Find("gdpr"), "access", t, la, none, 2, 0).status().IsRefused());   // no pause
  CHECK(ComputeDeadlines(*rules.Find("ccpa"), "access", t, la, none, 1, 0).status().IsRefused());   // § 7021(b)
  CHECK(ComputeDeadlines(*rules.Find("ccpa"), "access", t, la, none, 0, 2).status().IsRefused());   // one only
  CHECK(ComputeDeadlines(*rules.Find("ccpa"), "opt_out_sale", t, la, none, 0, 1).status().IsRefused());
  CHECK(ComputeDeadlines(*rules.Find("lgpd"), "access", t, la, none, 0, 1).status().IsRefused());   // none in Art. 19
  CHECK(ComputeDeadlines(*rules.Find("uk_gdpr"), "access", t, la, none, 4, 1).ok());
  CHECK(rules.Find("uk_gdpr")->clock_may_pause);
  for (const char* code : {"gdpr", "ccpa", "vcdpa", "cpa", "ctdpa", "tdpsa", "lgpd", "pipeda", "default"})
    CHECK_FALSE(rules.Find(code)->clock_may_pause);
}

TEST_CASE("extension asked in time and too late, with the shipped rules", "[workflow][deadline]") {
  REQUIRE(Shipped().ok());
  const auto& rules = Shipped().rules;
  const auto& data = Shipped();
  const auto* berlin = date::locate_zone("Europe/Berlin");
  const auto* la = date::locate_zone("America/Los_Angeles");
  const auto* london = date::locate_zone("Europe/London");
  const HolidayCalendar& germany = data.calendars.at("germany");
  const HolidayCalendar& california = data.calendars.at("us_california");
  const HolidayCalendar& uk = data.calendars.at("england_wales");

  // GDPR, received 16 Nov 2026: the first month ends Wed 16 Dec, 23:59:59.999 CET = 22:59:59.999 UTC.
  const Millis g = At("2026-11-16T10:00:00Z");
  CHECK(CheckExtension(*rules.Find("gdpr"), "access", g, At("2026-12-16T22:59:59.999Z"), berlin, germany, 0, 0).ok());
  Status late = CheckExtension(*rules.Find("gdpr"), "access", g, At("2026-12-16T23:00:00Z"), berlin, germany, 0, 0);
  CHECK(late.IsRefused());
  CHECK(late.message().find("too late") != std::string::npos);
  CHECK(CheckExtension(*rules.Find("gdpr"), "access", g, At("2026-12-01T10:00:00Z"), berlin, germany, 0, 1)
            .IsRefused());  // already extended
  // GDPR, received 31 Jan 2026: 28 Feb is a Saturday, so the first period runs to Mon 2 Mar.
  CHECK(CheckExtension(*rules.Find("gdpr"), "access", At("2026-01-31T08:00:00Z"), At("2026-03-01T12:00:00Z"), berlin,
                       germany, 0, 0)
            .ok());

  // CCPA, received 23:30 PST on 16 Nov: the first 45 days end Thu 31 Dec, 23:59:59.999 PST.
  const Millis c = At("2026-11-17T07:30:00Z");
  CHECK(CheckExtension(*rules.Find("ccpa"), "access", c, At("2026-12-31T23:00:00Z"), la, california, 0, 0).ok());
  CHECK(CheckExtension(*rules.Find("ccpa"), "access", c, At("2027-01-01T08:00:00Z"), la, california, 0, 0)
            .IsRefused());
  CHECK(CheckExtension(*rules.Find("ccpa"), "opt_out_sale", c, c, la, california, 0, 0).IsRefused());
  CHECK(CheckExtension(*rules.Find("lgpd"), "access", c, c, la, california, 0, 0).IsRefused());

  // UK, received 1 Sep, paused 10 days: the first period now runs to Mon 12 Oct (BST), so 10 Oct is in time,
  // though without the pause it ended on 1 Oct.
  const Millis u = At("2026-09-01T10:00:00Z");
  CHECK(CheckExtension(*rules.Find("uk_gdpr"), "access", u, At("2026-10-10T12:00:00Z"), london, uk, 10, 0).ok());
  CHECK(CheckExtension(*rules.Find("uk_gdpr"), "access", u, At("2026-10-10T12:00:00Z"), london, uk, 0, 0).IsRefused());
}

TEST_CASE("DeadlineContext over the shipped data with the documented deployment defaults", "[workflow][deadline]") {
  REQUIRE(Shipped().ok());
  auto ctx = DeadlineContext::Make(Shipped().rules, Shipped().calendars, date::locate_zone("Europe/Berlin"));
  REQUIRE(ctx.ok());
  CHECK(ctx->CalendarFor("gdpr").id == "germany");
  CHECK(ctx->CalendarFor("uk_gdpr").id == "england_wales");
  CHECK(ctx->CalendarFor("ccpa").id == "us_california");
  for (const char* code : {"vcdpa", "cpa", "ctdpa", "tdpsa"}) CHECK(ctx->CalendarFor(code).id == "us_federal");
  CHECK(ctx->CalendarFor("lgpd").id == "brazil");
  CHECK(ctx->CalendarFor("pipeda").rules.empty());
  CHECK(ctx->CalendarFor("").rules.empty());
  CHECK(ctx->RuleFor("").needs_jurisdiction);
  // Setting the jurisdiction recomputes from the same receipt: unknown -> gdpr moves Fri 1 May to Mon 4 May.
  const Millis r = At("2026-04-01T10:00:00Z");
  CHECK(FormatRfc3339(ctx->Compute("", "access", r)->due_at) == "2026-05-01T21:59:59.999Z");
  CHECK(FormatRfc3339(ctx->Compute("gdpr", "access", r)->due_at) == "2026-05-04T21:59:59.999Z");
  auto fr = DeadlineContext::Make(Shipped().rules, Shipped().calendars, date::locate_zone("Europe/Paris"),
                                  {{"gdpr", "france"}, {"default", "france"}});
  REQUIRE(fr.ok());
  CHECK(FormatRfc3339(fr->Compute("", "access", r)->due_at) == "2026-05-04T21:59:59.999Z");
  CHECK(fr->CheckExtension("gdpr", "access", r, At("2026-05-04T21:59:59.999Z"), 0, 0).ok());
  CHECK(FormatRfc3339(fr->ComputeAppeal("cpa", At("2026-06-01T18:00:00Z"))->due_at) == "2026-07-16T21:59:59.999Z");
}
