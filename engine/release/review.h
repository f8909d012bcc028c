// Redaction review before release (issue 5 §5; GDPR Art. 15(4); Cal. Code Regs. tit. 11 § 7024(d)).
//
// Thread safety: free functions; one package rebuild at a time in the process (a mutex), each from
// every redaction recorded when it starts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <boost/json/object.hpp>
#include <boost/json/array.hpp>
#include <cstddef>
#include "core/status.h"
#include "fulfillment/package/review.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// ---- Redaction review before release (issue 5 §5) ----
// GDPR Art. 15(4): the copy "shall not adversely affect the rights and freedoms of others"; Cal.
// Code Regs. tit. 11 § 7024(d). An access package that holds rows waits in `awaiting_approval`
// (config access_review, default on) until staff approve it; meanwhile staff read what it holds
// and redact cells or whole rows (fulfillment/review.h: the package is rebuilt from the staged
// rows, deterministically, with every redaction so far). Each redaction is a `redact`
// transition {table, row, column (null: the whole row), reason_code, label} with the actor and
// the reason: never the value. `approve` (POST /events) rebuilds the package once more, records
// {redactions: n, package_sha256} and releases the download link and the completed mail; the
// staged rows are then deleted.
struct RedactionInput {
  std::string table;
  std::int64_t row = -1;    // 0-based, in the package's order of the table's rows
  std::string column;       // "" = the whole row
  std::string reason_code;  // fulfillment::RedactionReasons()
  std::string reason;       // free text for the history (required)
  std::string actor;
};
// {reference, state, under_review, tables: [{table, columns, rows}], total_rows, redactions:
// [{version, table, row, column, reason_code, label, reason, actor, at}], reasons: [{code,
// label, citation}]}. NotFound when the request has no staged package (not an access request,
// not built yet, or already released).
Result<boost::json::object> PackageReview(Engine& e, const std::string& id);
// Rows [offset, offset + limit) of one table: {table, columns, offset, limit, total, rows:
// [{row, values: {column: value}, redacted: {column: label}}]} (values as staged, so staff see
// what they redact; `redacted` names the redacted cells, "*" for the whole row).
Result<boost::json::object> PackageRows(Engine& e, const std::string& id, const std::string& table, std::int64_t offset,
                                        std::int64_t limit);
// Records a redaction and rebuilds the package. Invalid (400) for a missing reason or an
// unknown reason_code; Unprocessable (422) for a table, row or column the package lacks;
// Conflict (409) when that cell or row is already redacted or the version is stale; Refused
// (409) when the request is not awaiting review; NotFound without a staged package.
Result<store::RequestRow> Redact(Engine& e, const std::string& id, const RedactionInput& in,
                                 std::optional<std::int64_t> expected_version);
// Withdraws the redaction recorded at history version `redaction` (an `unredact` transition
// {redaction, table, row, column} with the actor and the reason) and rebuilds the package.
// Invalid without a reason; NotFound when no redaction at that version is in force; Refused
// when the request is not awaiting review.
Result<store::RequestRow> Unredact(Engine& e, const std::string& id, std::int64_t redaction, const std::string& reason,
                                   const std::string& actor, std::optional<std::int64_t> expected_version);

// The redactions in force in a request's history: each `redact` transition (by its version), less
// those an `unredact` transition withdrew, oldest first; and the same without versions.
std::vector<std::pair<std::int64_t, fulfillment::Redaction>> ActiveRedactions(const std::vector<store::TransitionRow>& rows);
std::vector<fulfillment::Redaction> RedactionsIn(const std::vector<store::TransitionRow>& rows);
// How many redactions and withdrawals a request's history holds (what an approval was built from).
std::size_t ReviewEdits(const std::vector<store::TransitionRow>& rows);
// Before `approve`: when request `id` is an access request awaiting review, rebuilds its package
// with every redaction recorded, adds {redactions, package_sha256} to `data`, and returns the
// number of redactions; nullopt otherwise (nothing done).
Result<std::optional<std::size_t>> RebuildReviewed(Engine& e, const std::string& id, boost::json::object& data);

}  // namespace dsar::service
