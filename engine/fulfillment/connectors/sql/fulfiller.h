// The company database connector (kind "sqlite" in the step ledger): fulfillment against the
// company's SQLite database described by a systems map (YAML). Each step is idempotent: running
// it again after a crash or a retry does not erase twice or produce a different export.
//
// The steps are implemented in this folder, one job per file: session.h (who the subject is,
// which rows are theirs), export.h, erase.h, opt_out_correct.h, journal.h (the company
// database's journal), lookups.cpp (read-only lookups for verification and holds), fulfiller.cpp
// (how a unit runs); sql_connector.h runs them as steps of the step runner (step_runner.h).
//
// The systems map says, for each table and field, how rows link to a person (an identity
// column matched against the data subject's email or account id, or a join through another
// table), the data category, whether the subject provided it, the purpose, source, recipients
// and retention, and how to erase it (delete, null, mask, keep with a reason). Adding a table
// to the map needs no code change.
//
// Thread safety: a Fulfiller holds no open connection between calls; distinct calls may run
// on distinct threads, but steps for one request must not run concurrently.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/time.h"
#include "fulfillment/connector.h"

namespace dsar::fulfillment {

struct SystemsMap;  // defined in systems_map.h

// A legal hold as the erase step sees it (the service reads holds from its own store).
struct HoldRef {
  std::string id;
  std::string ground;    // legal_claims, legal_obligation, ...
  std::string citation;  // e.g. "GDPR Art. 17(3)(e)"
  std::string matter;
};

// One correction staff approved (issue 5 §6; GDPR Art. 16; Cal. Civ. Code § 1798.106, Cal. Code
// Regs. tit. 11 § 7023): set `column` of `table` (a field of the systems map) to `value` (a string,
// an integer, a double or null) in every row of the table linked to the data subject.
struct CorrectionChange {
  std::string table;
  std::string column;
  boost::json::value value;
};

// Options of the erase step (issue 5 §3, legal holds in depth); also the correct step's changes.
struct EraseOptions {
  // The correct step's changes, applied in order (empty: the step fails with Invalid).
  std::vector<CorrectionChange> corrections;

  // Asked right before each table of the map is erased, in map order, with the table's name and
  // its category: the holds that cover the data subject's rows in it now. The service re-reads
  // its holds on every call, so a hold placed while the step runs keeps the rows not yet erased.
  // A table some hold covers is left untouched (no row deleted, nulled or masked) and reported
  // in the summary's "retained" list. Unset, or an empty answer: the table is erased as the map
  // says. An error fails the step at that table, which is left untouched (the tables before it
  // stay erased and recorded; running the step again resumes at that table). Called on the
  // Fulfiller's calling thread; it must not run a fulfillment step itself.
  std::function<Result<std::vector<HoldRef>>(const std::string& table, const std::string& category)> holds_for;
};

class Fulfiller {
 public:
  // `company_db`: the company's SQLite database the map describes (opened per call).
  // `exports_dir`: where packages are written, one folder per request reference.
  Fulfiller(std::shared_ptr<const SystemsMap> map, std::string company_db, std::string exports_dir);

  // Runs one named step for the data subject of request `reference`:
  //   export_access       every row linked to the subject, as <exports>/<reference>/access.zip:
  //                       index.html (a summary for people: counts per table, links, and the
  //                       information GDPR Art. 15(1)(a)-(h) and the CCPA right to know require,
  //                       from the map), data.json (every row, all columns but withheld ones, with
  //                       the map's metadata) and <table>.csv for each table with rows
  //   export_portability  only the fields the subject provided, as <exports>/<reference>/portability.zip
  //                       (data.json plus <table>.csv for each table with rows; no index.html)
  //   erase               rows deleted, nulled or masked per the map; kept rows reported with the reason
  //   opt_out_sale        the map's sale/sharing opt-out flags set
  //   opt_out_marketing   the map's marketing opt-out flags set (newsletter unsubscribed)
  //   correct             the approved corrections (EraseOptions::corrections) applied to the
  //                       subject's linked rows; the summary's "changes" list per change {table,
  //                       column, value, linked, changed, rows: [{rowid, key: {first column:
  //                       value}, before, after}]} (the
  //                       before values are personal data: the caller keeps them only in the
  //                       request's own record; the company database's journal records the step
  //                       without them), "total_changed" and a "message" for the person
  // NotFound for an unknown step; IoError when a database or the file system fails (nothing
  // half-applied within a unit: each unit (see Units) runs in one transaction of the company
  // database; an erasure that fails at a table keeps the tables before it erased and recorded,
  // and running it again resumes at that table).
  // The subject's rows are those linked to NormalizeEmail(subject.email) and/or to
  // subject.account_id plus the account ids the map's `subject` lookup finds for the email;
  // Invalid when the subject has neither, or when the map names a table or column the database
  // lacks (message "<map>:<line>: ..."), or the reference is not a safe folder name
  // ([A-Za-z0-9._-], at most 64). A step that succeeded is recorded, with its summary, in the
  // company database's table dsar_fulfillment_log (reference, step): running it again returns
  // that summary and changes nothing (an export whose file has gone is written again, dated as
  // the first time: the same bytes).
  //
  // Exports stream: rows are read with one statement per table and written to member files in
  // <exports>/<reference>/.staging-<step>/, which libzip then reads into the ZIP (replaced
  // atomically, synced before the journal commits); the staging folder is removed however the
  // step ends. Memory does not grow with the number of rows. The same data, subject and `now`
  // give the same bytes.
  // An export's summary: "found" (bool), "message" (one English sentence for the person, e.g.
  // "We hold no personal data about you in <system>."), "tables" {table: {"rows": n}} (portability
  // also "fields"), "total_rows", and when found "file" (the ZIP's absolute path, also the one
  // entry of `files`); "generated_at" (RFC 3339) when `now` was given; access also
  // "unmapped_columns" {table: [columns the map does not describe]} when there are any. When
  // nothing is found no file is written (nor left from an earlier run) and `files` is empty.
  // `now`: the instant packages are dated with (index.html shows its UTC date; data.json has it as
  // "generated_at"); the step never reads the clock. Without it packages carry no date. Steps
  // other than exports ignore it.
  Result<StepResult> Run(const std::string& step, const std::string& reference, const DataSubject& subject,
                         std::optional<Millis> now = std::nullopt) const;
  // The same, with the erase step's legal holds (ignored by the other steps). The erase summary
  // then also has "retained": one entry per table kept for a hold, with rows linked to the
  // subject there: {"table", "rows", "category", "hold_id", "ground", "citation", "matter",
  // "holds": [every covering hold id]}; the table's own entry says "held": true, "deleted": 0,
  // "kept": rows; "total_retained" counts those rows, and "message" (one English sentence for
  // the person, used by the completed mail) says what was kept and on which ground.
  Result<StepResult> Run(const std::string& step, const std::string& reference, const DataSubject& subject,
                         std::optional<Millis> now, const EraseOptions& erase) const;

  // Steps are made of units, each run and recorded on its own (issue 5 §4: a failure resumes at
  // the failed unit, and a unit that finished is never run again):
  //   erase       one unit per table of the map, in map order (the unit is the table's name)
  //   the others  one unit, "" (the whole step)
  std::vector<std::string> Units(const std::string& step) const;

  // Runs one unit of `step` in its own transaction of the company database, recorded in the
  // journal dsar_fulfillment_log under (reference, "<step>/<unit>") for erase units and
  // (reference, step) otherwise: run again, it returns the recorded summary (`replayed`) and
  // changes nothing.
  // Erase units: the first erase unit that runs for a reference resolves the data subject (their
  // account ids) and the rowids linked to them in every table, and records that resolution under
  // (reference, "erase/_subject") in the same transaction as its table's erasure; every later
  // unit of the reference (also after a failure, in a retry) erases exactly the rows recorded
  // then, so erasing `accounts` first does not hide the projects linked through it. An erase
  // unit's summary is {"table": {the table's entry as in the erase summary below},
  // "retained": {the retained entry}} (retained only when a hold kept rows; with holds_for set
  // "holds_checked": true). Caveat: rows inserted between the resolution and a retry are not
  // part of this erasure (a new request finds them).
  // NotFound for an unknown step or unit; otherwise as Run.
  Result<StepResult> RunUnit(const std::string& step, const std::string& unit, const std::string& reference,
                             const DataSubject& subject, std::optional<Millis> now, const EraseOptions& erase) const;

  // The step's result from its units' results, in Units() order: the summary Run returns (for
  // erase: per-table entries, totals, retained tables and the message; `with_holds` when the
  // step ran with holds_for). Whether the units ran in one go or across a failure and a retry,
  // the same unit results give the same summary.
  static StepResult Assemble(const SystemsMap& map, const std::string& step, const std::string& reference,
                             const std::vector<StepResult>& units, bool with_holds);

  // Deletes what the journal recorded of the person for `reference` to resume an erasure (the
  // account ids and row ids of "erase/_subject"): when the request is purged, its erasure will
  // never resume. Idempotent; Ok when the journal does not exist.
  Status ForgetSubject(const std::string& reference) const;

  const SystemsMap& map() const { return *map_; }
  // Checks corrections against the map: each names a table of the map and one of its fields,
  // neither withheld from access nor a column that links rows to the person by account id or
  // through another table (nor the subject table's id), and a value that is a string, a number or
  // null. Unprocessable naming the first offending change; Invalid when there is none.
  Status CheckCorrections(const std::vector<CorrectionChange>& changes) const;

  // Every table of the map with its (table-level) category, in map order: what a table or
  // category hold may name.
  std::vector<std::pair<std::string, std::string>> TableCategories() const;

  static const std::vector<std::string>& Steps();

  // Keep the staged rows of export_access in <exports>/<reference>/.review-access (review.h) for
  // the redaction review before release (issue 5 §5, GDPR Art. 15(4)); off by default: the staged
  // rows are removed with the step's staging folder. Set before any step runs (not thread-safe).
  void KeepReviewData(bool keep) { keep_review_ = keep; }

  // The data subject's account ids in the company's systems: the given one, and those the map's
  // subject table holds for their email (matched case-insensitively). Reads only.
  Result<std::vector<std::string>> AccountIds(const DataSubject& subject) const;
  // The values the company holds for the data subject in the map's verification data point
  // columns (FieldSpec::verification_point; Cal. Code Regs. tit. 11 § 7062), by point name: every
  // non-null value of every linked row, as text (integers in decimal), in map and row order. Reads
  // only. The values are personal data: callers compare them and never log or store them.
  Result<std::map<std::string, std::vector<std::string>>> DataPointValues(const DataSubject& subject) const;
  // The point names the map declares (sorted).
  std::vector<std::string> DataPointNames() const;
  // The phone numbers the map's subject table holds for them (its optional `phone` column) in
  // the rows of their account ids, as stored; empty when the map names no phone column. Reads
  // only. For the suppression list (issue 5 §6), read before an erasure.
  Result<std::vector<std::string>> SubjectPhones(const DataSubject& subject) const;

 private:
  std::shared_ptr<const SystemsMap> map_;
  std::string company_db_;
  std::string exports_dir_;
  bool keep_review_ = false;
};

}  // namespace dsar::fulfillment
