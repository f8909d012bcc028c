// Loading the deadline data beside the workflows: holiday calendars (workflows/calendars/*.yaml,
// one calendar per file) and jurisdiction rules (workflows/jurisdictions/jurisdictions.yaml).
// They live in subfolders because LoadWorkflowDir reads only the top-level *.yaml files.
//
// Every problem is reported as a Diagnostic (`file:line: message`, workflow/loader.h): YAML syntax,
// duplicate keys (yaml-cpp 0.7 accepts them silently), unknown keys, missing or mistyped fields,
// out-of-range numbers, unknown units / countings / weekdays / observances / request types, a
// calendar id that differs from its file name, a jurisdiction naming a calendar that is not
// loaded, a contract jurisdiction code or "default" missing. A result carries data only when it
// has no errors.
//
// Calendar file (one mapping):
//   id: england_wales                # must equal the file stem
//   name: ...                        # required
//   source: ...                      # required: the legal source
//   notes: ...                       # optional
//   weekend: [saturday, sunday]      # optional (this default)
//   holidays:                        # each: name + exactly one of fixed / nth_weekday /
//     - { name: "Christmas Day", fixed: { month: 12, day: 25 }, observed: substitute_next_weekday }
//     - { name: "Memorial Day", last_weekday: { month: 5, weekday: monday } }
//     - { name: "MLK Day", nth_weekday: { month: 1, weekday: monday, nth: 3 } }
//     - { name: "Easter Monday", easter_offset: 1 }
//       optional per rule: observed (none | nearest_weekday | sunday_to_monday |
//       substitute_next_weekday), offset_days, from_year, until_year, citation
//   one_off:   [ { date: 2022-06-03, name: ... } ]   # extra holidays
//   cancelled: [ { date: 2022-05-30, name: ... } ]   # rule dates that did not happen
//
// Jurisdiction file: `jurisdictions:` mapping code -> entry (see the shipped file's header):
//   name, calendar (an id or "none"), needs_jurisdiction (bool, optional),
//   response {amount, unit, counting, citation}, extension {amount, unit, max_count,
//   notice_within_first_period, citation} | null, acknowledgment {period} | null,
//   pause {allowed, citation}, request_types {<contract type>: {response?, extension?,
//   acknowledgment?}} (the keys given replace the entry's; null removes), appeal {response,
//   extension?}. Every period and extension needs a non-empty citation.
//
// Thread safety: the functions are reentrant; they read only the files named.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/deadline.h"
#include "workflow/loader.h"

namespace dsar::workflow {

struct CalendarLoad {
  std::map<std::string, HolidayCalendar> calendars;  // by id; only when `errors` is empty
  std::vector<Diagnostic> errors;
  bool ok() const { return errors.empty(); }
};

struct JurisdictionLoad {
  JurisdictionRules rules;  // only when `errors` is empty
  std::vector<Diagnostic> errors;
  bool ok() const { return errors.empty(); }
};

// One calendar from YAML text; `file` names it in diagnostics and its stem must equal the id
// (with `file` "" any id is accepted).
CalendarLoad LoadCalendarSource(const std::string& source, const std::string& file);
// Every *.yaml / *.yml in `dir` (sorted by name), one calendar each.
CalendarLoad LoadCalendarDir(const std::string& dir);

// The jurisdiction table from YAML text. Calendar ids are checked against `calendars` ("none"
// always allowed). Every contract code (gdpr, uk_gdpr, ccpa, vcdpa, cpa, ctdpa, tdpsa, lgpd,
// pipeda) and "default" must be present; other codes are accepted (a deployment may add one).
JurisdictionLoad LoadJurisdictionSource(const std::string& source, const std::string& file,
                                        const std::map<std::string, HolidayCalendar>& calendars);
JurisdictionLoad LoadJurisdictionFile(const std::string& path,
                                      const std::map<std::string, HolidayCalendar>& calendars);

// Both, from a workflows directory: `<dir>/calendars/` and `<dir>/jurisdictions/jurisdictions.yaml`.
struct DeadlineData {
  std::map<std::string, HolidayCalendar> calendars;
  JurisdictionRules rules;
  std::vector<Diagnostic> errors;
  bool ok() const { return errors.empty(); }
};
DeadlineData LoadDeadlineData(const std::string& workflows_dir);

}  // namespace dsar::workflow
