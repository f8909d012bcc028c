// Redaction review of an access package before release (issue 5 §5).
//
// GDPR Art. 15(4): the right to obtain a copy "shall not adversely affect the rights and
// freedoms of others" (Recital 63: other people's data, trade secrets, intellectual property);
// Cal. Code Regs. tit. 11 § 7024(d): a business never discloses a person's social security,
// driver's licence or financial account number, account password or security answers.
//
// export_access stages what it read from the company's systems in a review folder,
// <exports>/<reference>/.review-access/ (0700 files, personal data: purged with the request's
// exports), when the Fulfiller keeps review data (Fulfiller::KeepReviewData):
//   meta.json      {"format": "dsar-review/1", "header": {the first keys of data.json},
//                   "tables": [{"name", "file", "meta": {description, category, ..., fields},
//                               "columns": [the exported columns], "rows": n}]}
//   t<i>.jsonl     the i-th table's rows, one JSON array of cell values per line (rowid order)
//   index.html     the package's index page as built
// The package (access.zip) is a pure function of that folder and a list of redactions:
// BuildAccessPackage writes the same bytes for the same folder and redactions (the export itself
// builds its package the same way with no redaction), so a redacted package is rebuilt
// deterministically from the staged data, never from the live systems.
//
// A redacted cell reads RedactionMarker(label), e.g. "[redacted: third-party data]", in data.json
// and in the table's CSV alike; a redacted row has every cell so replaced (the row stays, so the
// counts in index.html stay true), and index.html says how many cells were withheld and why.
// Nothing of a redacted value is left in any member.
//
// CSV members only: a text cell that begins with '=', '+', '-' or '@' is prefixed with a single
// quote (the conventional neutralisation of spreadsheet formula injection, OWASP "CSV
// Injection"); data.json keeps the value as it is, and numbers are never changed.
//
// Thread safety: free functions without shared state; one review folder must not be built by two
// threads at once (the service serialises per request).
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace dsar::fulfillment {

inline constexpr const char* kReviewFolder = ".review-access";

// <exports_dir>/<reference>/.review-access
std::filesystem::path ReviewDir(const std::string& exports_dir, const std::string& reference);

// One redaction: the `row`-th row (0-based, in the order the package lists them) of `table`;
// `column` empty for the whole row. `label` is what the marker says.
struct Redaction {
  std::string table;
  std::int64_t row = 0;
  std::string column;
  std::string label;
};

// The fixed list of redaction reasons (data.reason_code of a `redact` event), with the label the
// marker shows and the rule each rests on.
struct RedactionReason {
  std::string code, label, citation;
};
const std::vector<RedactionReason>& RedactionReasons();
const RedactionReason* FindRedactionReason(std::string_view code);  // nullptr when unknown

// "[redacted: <label>]"
std::string RedactionMarker(std::string_view label);

// `cell` prefixed with ' when it begins with = + - @ TAB or CR (CSV formula injection, as OWASP lists).
std::string NeutraliseCsvFormula(std::string cell);

struct StagedTable {
  std::string name;
  std::vector<std::string> columns;
  std::int64_t rows = 0;
};

// The staged tables, in map order. NotFound when the folder holds no review data.
Result<std::vector<StagedTable>> ReadStagedTables(const std::filesystem::path& review_dir);

// Rows [offset, offset + limit) of `table`, each an array of cell values in column order.
// NotFound for a table not staged.
Result<std::vector<boost::json::array>> ReadStagedRows(const std::filesystem::path& review_dir,
                                                        const std::string& table, std::int64_t offset,
                                                        std::int64_t limit);

// Builds the package at `zip_path` (replaced atomically, synced) from the review folder with
// `redactions` applied: index.html (with a note on the redactions when there are any),
// data.json, and one CSV per table with rows. Work files go to a sibling folder
// `.staging-review` removed however this ends. Invalid for a redaction naming a table, row or
// column the folder does not hold.
Status BuildAccessPackage(const std::filesystem::path& review_dir, const std::vector<Redaction>& redactions,
                          const std::string& zip_path);

}  // namespace dsar::fulfillment
