// workflow/rules_loader.h: the shipped holiday calendars for specific years, and the loader's
// `file:line: message` diagnostics on bad calendar and jurisdiction files.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/rules_loader.h"

using namespace dsar;
using dsar::workflow::Diagnostic;

namespace {

const workflow::DeadlineData& Shipped() {
  static const workflow::DeadlineData data = workflow::LoadDeadlineData(std::string(DSAR_SOURCE_DIR) + "/workflows");
  return data;
}

const HolidayCalendar& Cal(const char* id) { return Shipped().calendars.at(id); }

std::vector<std::string> Dates(const char* id, int year) {
  std::vector<std::string> out;
  for (const auto& h : Cal(id).HolidaysIn(year)) out.push_back(date::format("%F", h.day) + (h.observed ? "*" : ""));
  return out;
}

bool Holiday(const char* id, int y, unsigned m, unsigned d) {
  return Cal(id).IsHoliday(date::local_days{date::year{y} / date::month{m} / date::day{d}});
}

std::vector<std::string> Messages(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.ToString());
  return out;
}

bool Has(const std::vector<Diagnostic>& ds, const std::string& text) {
  for (const auto& d : ds)
    if (d.ToString().find(text) != std::string::npos) return true;
  return false;
}

const char* kCalendarOk = R"(id: test_cal
name: Test
source: Test Act s. 1
holidays:
  - { name: "New Year", fixed: { month: 1, day: 1 } }
)";

std::map<std::string, HolidayCalendar> OneCalendar() {
  auto c = workflow::LoadCalendarSource(kCalendarOk, "calendars/test_cal.yaml");
  REQUIRE(c.ok());
  return c.calendars;
}

// A minimal valid jurisdiction file (every contract code, "default"), with `extra` spliced into gdpr.
std::string Jurisdictions(const std::string& gdpr_extra = "", bool with_default = true) {
  std::string s = "jurisdictions:\n";
  for (const char* code : {"gdpr", "uk_gdpr", "ccpa", "vcdpa", "cpa", "ctdpa", "tdpsa", "lgpd", "pipeda", "default"}) {
    if (!with_default && std::string(code) == "default") continue;
    s += std::string("  ") + code + ":\n";
    s += "    name: X\n    calendar: none\n";
    s += "    response: { amount: 1, unit: months, counting: eu_1182_71, citation: c }\n";
    s += "    pause: { allowed: false, citation: c }\n";
    if (std::string(code) == "gdpr") s += gdpr_extra;
  }
  return s;
}

}  // namespace

TEST_CASE("the six shipped calendars load, each with a legal source", "[workflow][calendar]") {
  for (const auto& e : Shipped().errors) UNSCOPED_INFO(e.ToString());
  REQUIRE(Shipped().ok());
  for (const char* id : {"us_federal", "us_california", "england_wales", "germany", "france", "brazil"}) {
    INFO(id);
    REQUIRE(Shipped().calendars.count(id) == 1);
    CHECK_FALSE(Cal(id).source.empty());
  }
}

TEST_CASE("Germany: nationwide holidays 2026 and Easter Monday 2026/2027", "[workflow][calendar]") {
  REQUIRE(Shipped().ok());
  CHECK(Dates("germany", 2026) == std::vector<std::string>{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01",
                                                           "2026-05-14", "2026-05-25", "2026-10-03", "2026-12-25",
                                                           "2026-12-26"});
  CHECK(Holiday("germany", 2027, 3, 29));   // Easter Monday 2027
  CHECK(Holiday("germany", 2027, 5, 6));    // Ascension 2027
  CHECK(Holiday("germany", 2017, 10, 31));  // Reformation Day 2017, one year only
  CHECK_FALSE(Holiday("germany", 2026, 10, 31));
  CHECK_FALSE(Holiday("germany", 2026, 6, 4));  // Corpus Christi: not nationwide
}

TEST_CASE("France: the eleven jours fériés of 2026", "[workflow][calendar]") {
  REQUIRE(Shipped().ok());
  CHECK(Dates("france", 2026) == std::vector<std::string>{"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08",
                                                          "2026-05-14", "2026-05-25", "2026-07-14", "2026-08-15",
                                                          "2026-11-01", "2026-11-11", "2026-12-25"});
  CHECK_FALSE(Holiday("france", 2026, 4, 3));    // Good Friday: Alsace-Moselle only
  CHECK_FALSE(Holiday("france", 2026, 12, 26));  // likewise
}

TEST_CASE("England and Wales: 2026 list, Boxing Day substitutes 2026/2027, special days", "[workflow][calendar]") {
  REQUIRE(Shipped().ok());
  CHECK(Dates("england_wales", 2026) == std::vector<std::string>{"2026-01-01", "2026-04-03", "2026-04-06",
                                                                 "2026-05-04", "2026-05-25", "2026-08-31",
                                                                 "2026-12-25", "2026-12-26", "2026-12-28*"});
  CHECK(Holiday("england_wales", 2027, 3, 29));   // Easter Monday 2027
  CHECK(Holiday("england_wales", 2027, 12, 27));  // Christmas Day (substitute day)
  CHECK(Holiday("england_wales", 2027, 12, 28));  // Boxing Day (substitute day)
  CHECK(Holiday("england_wales", 2028, 1, 3));    // New Year's Day 2028 (Saturday) substitute
  CHECK(Holiday("england_wales", 2022, 6, 2));
  CHECK(Holiday("england_wales", 2022, 6, 3));
  CHECK_FALSE(Holiday("england_wales", 2022, 5, 30));  // moved to 2 June by proclamation
  CHECK(Holiday("england_wales", 2020, 5, 8));
  CHECK_FALSE(Holiday("england_wales", 2020, 5, 4));
  CHECK(Holiday("england_wales", 2023, 5, 8));  // Coronation
}

TEST_CASE("US federal: 2026 list with 4 July observed on Friday 3 July", "[workflow][calendar]") {
  REQUIRE(Shipped().ok());
  CHECK(Dates("us_federal", 2026) ==
        std::vector<std::string>{"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03*",
                                 "2026-07-04", "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"});
  CHECK(Holiday("us_federal", 2021, 12, 31));  // New Year's Day 2022 (Saturday), observed
  CHECK(Holiday("us_federal", 2021, 6, 18));   // Juneteenth 2021 (Saturday), observed
  CHECK_FALSE(Holiday("us_federal", 2020, 6, 19));  // before Pub. L. 117-17
  CHECK(Holiday("us_federal", 2028, 11, 10));  // Veterans Day 2028 (Saturday), observed Friday
  CHECK(Holiday("us_federal", 2027, 7, 5));    // Independence Day 2027 (Sunday), observed Monday
}

TEST_CASE("California: state office holidays; Saturday holidays not moved except 11 November", "[workflow][calendar]") {
  REQUIRE(Shipped().ok());
  CHECK(Dates("us_california", 2026) ==
        std::vector<std::string>{"2026-01-01", "2026-01-19", "2026-02-16", "2026-03-31", "2026-05-25", "2026-07-04",
                                 "2026-09-07", "2026-11-11", "2026-11-26", "2026-11-27", "2026-12-25"});
  CHECK_FALSE(Holiday("us_california", 2026, 7, 3));  // 4 July 2026 is a Saturday: not moved (§ 6701)
  CHECK(Holiday("us_california", 2028, 11, 10));      // 11 November 2028 (Saturday): preceding Friday (§ 6701)
  CHECK(Holiday("us_california", 2027, 7, 5));        // 4 July 2027 (Sunday): following Monday
}

TEST_CASE("Brazil: national holidays, Consciência Negra from 2024, no Good Friday or Carnaval",
          "[workflow][calendar]") {
  REQUIRE(Shipped().ok());
  CHECK(Dates("brazil", 2026) == std::vector<std::string>{"2026-01-01", "2026-04-21", "2026-05-01", "2026-09-07",
                                                          "2026-10-12", "2026-11-02", "2026-11-15", "2026-11-20",
                                                          "2026-12-25"});
  CHECK_FALSE(Holiday("brazil", 2023, 11, 20));
  CHECK_FALSE(Holiday("brazil", 2026, 4, 3));   // Good Friday: municipal (Lei 9.093/1995 Art. 2)
  CHECK_FALSE(Holiday("brazil", 2026, 2, 17));  // Carnaval Tuesday: ponto facultativo
}

TEST_CASE("shipped jurisdictions: every contract code and default, citations and calendars", "[workflow][deadline]") {
  REQUIRE(Shipped().ok());
  const auto& rules = Shipped().rules;
  for (const char* code : {"gdpr", "uk_gdpr", "ccpa", "vcdpa", "cpa", "ctdpa", "tdpsa", "lgpd", "pipeda", "default"}) {
    INFO(code);
    REQUIRE(rules.by_code.count(code) == 1);
    const JurisdictionRule& j = rules.by_code.at(code);
    CHECK_FALSE(j.deadline.response.citation.empty());
    CHECK_FALSE(j.pause_citation.empty());
    if (j.deadline.extension) CHECK_FALSE(j.deadline.extension->citation.empty());
  }
  const JurisdictionRule& ccpa = rules.by_code.at("ccpa");
  CHECK(ccpa.deadline.acknowledgment->amount == 10);
  CHECK(ccpa.deadline.acknowledgment->unit == PeriodUnit::kBusinessDays);
  const DeadlineRule& opt_out = ccpa.For("opt_out_sale");
  CHECK(opt_out.response.amount == 15);
  CHECK(opt_out.response.unit == PeriodUnit::kBusinessDays);
  CHECK(opt_out.response.citation.find("7026(f)") != std::string::npos);
  CHECK_FALSE(opt_out.extension.has_value());
  CHECK_FALSE(opt_out.acknowledgment.has_value());
  CHECK(ccpa.For("deletion").acknowledgment.has_value());  // not overridden: the base rule
  CHECK(rules.by_code.at("vcdpa").appeal->response.citation.find("59.1-578(C)") != std::string::npos);
  CHECK(rules.by_code.at("cpa").appeal->response.amount == 45);
  CHECK(rules.by_code.at("cpa").appeal->extension->amount == 60);
  CHECK(rules.by_code.at("tdpsa").appeal->response.citation.find("541.053") != std::string::npos);
  CHECK_FALSE(rules.by_code.at("gdpr").appeal.has_value());
  CHECK_FALSE(rules.by_code.at("lgpd").deadline.extension.has_value());
  CHECK(rules.by_code.at("pipeda").deadline.extension->amount == 30);
  CHECK(rules.by_code.at("default").needs_jurisdiction);
  CHECK(rules.by_code.at("gdpr").default_calendar == "germany");
  CHECK(rules.by_code.at("pipeda").default_calendar.empty());
}

TEST_CASE("calendar diagnostics carry file:line", "[workflow][calendar]") {
  auto bad = [](const std::string& src, const char* file = "calendars/test_cal.yaml") {
    return workflow::LoadCalendarSource(src, file).errors;
  };
  CHECK(bad(kCalendarOk).empty());
  {
    auto e = bad(kCalendarOk, "calendars/other.yaml");
    CHECK(Messages(e) ==
          std::vector<std::string>{"calendars/other.yaml:1: calendar id 'test_cal' must equal the file name ('other')"});
  }
  {
    auto e = bad(std::string(kCalendarOk) + "  - { name: \"Odd\", fixed: { month: 2, day: 30 } }\n");
    CHECK(Messages(e) == std::vector<std::string>{
                             "calendars/test_cal.yaml:6: 'fixed' of holiday 'Odd': month 2 has no day 30"});
  }
  {
    auto e = bad(std::string(kCalendarOk) + "  - { name: \"Two\", easter_offset: 1, fixed: { month: 3, day: 1 } }\n");
    CHECK(Has(e, "calendars/test_cal.yaml:6: holiday 'Two' needs exactly one of"));
  }
  {
    auto e = bad(std::string(kCalendarOk) + "  - { name: \"X\", nth_weekday: { month: 1, weekday: funday, nth: 6 } }\n");
    CHECK(Has(e, ":6: unknown weekday 'funday'"));
    CHECK(Has(e, ":6: 'nth' in 'nth_weekday' of holiday 'X' must be an integer from 1 to 5, not integer 6"));
  }
  {
    auto e = bad(std::string(kCalendarOk) + "  - { name: \"Y\", fixed: { month: 1, day: 2 }, observed: monday }\n");
    CHECK(Has(e, ":6: unknown observance 'monday'"));
  }
  {
    auto e = bad(std::string(kCalendarOk) + "  - { name: \"New Year\", fixed: { month: 1, day: 2 } }\n");
    CHECK(Has(e, ":6: holiday 'New Year' is already defined on line 5"));
  }
  {
    auto e = bad(std::string(kCalendarOk) + "colour: blue\n");
    CHECK(Has(e, "calendars/test_cal.yaml:6: unknown key 'colour' in the calendar"));
  }
  {
    auto e = bad(std::string(kCalendarOk) + "name: Again\n");
    CHECK(Messages(e) == std::vector<std::string>{
                             "calendars/test_cal.yaml:6: duplicate key 'name' (first defined on line 2)"});
  }
  {
    auto e = bad(std::string(kCalendarOk) + "one_off:\n  - { date: 2026-02-30, name: Z }\n");
    CHECK(Has(e, ":7: 'date' in an entry of 'one_off' must be a date YYYY-MM-DD, not '2026-02-30'"));
  }
  {
    auto e = bad(std::string(kCalendarOk) +
                 "weekend: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]\n");
    CHECK(Has(e, ":6: 'weekend' cannot hold every day of the week"));
  }
  CHECK(Has(bad("id: [unclosed\n"), "calendars/test_cal.yaml:"));
  CHECK(Has(bad("id: test_cal\nname: T\nsource: S\n"), ":1: the calendar needs 'holidays'"));
  CHECK(Has(bad("- a\n- b\n"), ":1: the document must be a mapping"));
}

TEST_CASE("jurisdiction diagnostics carry file:line", "[workflow][deadline]") {
  const auto cals = OneCalendar();
  auto load = [&](const std::string& src) { return workflow::LoadJurisdictionSource(src, "j.yaml", cals); };
  {
    auto ok = load(Jurisdictions());
    for (const auto& e : ok.errors) UNSCOPED_INFO(e.ToString());
    CHECK(ok.ok());
    CHECK(ok.rules.by_code.size() == 10);
  }
  CHECK(Messages(load(Jurisdictions("", false)).errors) ==
        std::vector<std::string>{
            "j.yaml:2: 'jurisdictions' has no entry for 'default' (the rule for an unknown jurisdiction)"});
  // gdpr is on lines 2-6; its extra keys start on line 7.
  CHECK(Messages(load(Jurisdictions("    extension: { amount: 2, unit: fortnights, max_count: 1, "
                                    "notice_within_first_period: true, citation: c }\n"))
                     .errors) ==
        std::vector<std::string>{"j.yaml:7: unknown unit 'fortnights' in 'extension' of jurisdiction 'gdpr' (days, "
                                 "business_days, months)"});
  CHECK(Messages(load(Jurisdictions("    appeal: { response: { amount: 60, unit: days, counting: receipt_plus } }\n"))
                     .errors) ==
        std::vector<std::string>{"j.yaml:7: 'response' of 'appeal' of jurisdiction 'gdpr' needs 'citation'"});
  CHECK(Has(load(Jurisdictions("    request_types: { refund: { acknowledgment: null } }\n")).errors,
            "j.yaml:7: unknown request type 'refund' in jurisdiction 'gdpr'"));
  CHECK(Has(load(Jurisdictions("    acknowledgment: { amount: 0, unit: days, counting: receipt_plus, citation: c }\n"))
                .errors,
            "j.yaml:7: 'amount' in 'acknowledgment' of jurisdiction 'gdpr' must be an integer from 1 to 3650"));
  CHECK(Has(load(Jurisdictions("    deadline_days: 30\n")).errors, "j.yaml:7: unknown key 'deadline_days'"));
  {
    std::string src = Jurisdictions();
    src.replace(src.find("calendar: none"), 14, "calendar: mars");
    CHECK(Messages(load(src).errors) ==
          std::vector<std::string>{"j.yaml:4: jurisdiction 'gdpr' names holiday calendar 'mars', which is not loaded "
                                   "(workflows/calendars/mars.yaml, or 'none')"});
    src.replace(src.find("calendar: mars"), 14, "calendar: test_cal");
    CHECK(load(src).ok());
  }
  {
    // A request-type override replaces only the keys it names; null removes one.
    auto r = load(Jurisdictions(
        "    acknowledgment: { amount: 10, unit: business_days, counting: receipt_plus, citation: ack }\n"
        "    request_types:\n"
        "      opt_out_sale: { response: { amount: 15, unit: business_days, counting: receipt_plus, citation: o } }\n"
        "      objection: { acknowledgment: null }\n"));
    REQUIRE(r.ok());
    const JurisdictionRule& g = r.rules.by_code.at("gdpr");
    CHECK(g.For("opt_out_sale").response.amount == 15);
    CHECK(g.For("opt_out_sale").acknowledgment->citation == "ack");
    CHECK_FALSE(g.For("objection").acknowledgment.has_value());
    CHECK(g.For("objection").response.amount == 1);
  }
  CHECK(Has(workflow::LoadJurisdictionFile("/nonexistent/j.yaml", cals).errors, "/nonexistent/j.yaml: cannot read"));
}
