#include "release/review.h"

#include <mutex>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/denial.h"
#include "core/json_fields.h"
#include "core/sha256.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/package/review.h"
#include "mail/message.h"
#include "workflow/loader.h"
#include "requests/engine.h"
#include "release/downloads.h"

namespace dsar::service {

namespace json = boost::json;

namespace {

// One package rebuild at a time in the process, from the redactions recorded when it starts.
std::mutex& ReviewMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

// The redactions in force in a request's history: each `redact` transition (by its version),
// less those an `unredact` transition withdrew (data.redaction names the version), oldest first.
std::vector<std::pair<std::int64_t, fulfillment::Redaction>> ActiveRedactions(
    const std::vector<store::TransitionRow>& rows) {
  std::vector<std::pair<std::int64_t, fulfillment::Redaction>> out;
  for (const auto& t : rows) {
    if (t.event != "redact" && t.event != "unredact") continue;
    const json::value d = ParseOr(t.data_json, json::object());
    if (!d.is_object()) continue;
    if (t.event == "unredact") {
      const auto* v = d.as_object().if_contains("redaction");
      if (v && v->is_int64())
        out.erase(std::remove_if(out.begin(), out.end(), [&](const auto& p) { return p.first == v->as_int64(); }),
                  out.end());
      continue;
    }
    fulfillment::Redaction r;
    r.table = StringField(d, "table");
    r.column = StringField(d, "column");
    r.label = StringField(d, "label");
    if (const auto* row = d.as_object().if_contains("row"); row && row->is_int64()) r.row = row->as_int64();
    out.emplace_back(t.version, std::move(r));
  }
  return out;
}

std::vector<fulfillment::Redaction> RedactionsIn(const std::vector<store::TransitionRow>& rows) {
  std::vector<fulfillment::Redaction> out;
  for (auto& [version, r] : ActiveRedactions(rows)) out.push_back(std::move(r));
  return out;
}

// How many redactions and withdrawals a request's history holds (what an approval was built from).
std::size_t ReviewEdits(const std::vector<store::TransitionRow>& rows) {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const store::TransitionRow& t) {
    return t.event == "redact" || t.event == "unredact";
  }));
}


// ---- redaction review before release (issue 5 §5; GDPR Art. 15(4)) ----

namespace {

// SHA-256 of a file, streamed; "" when it cannot be read.
std::string FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  Sha256 h;
  std::string buf(1 << 16, '\0');
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    h.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  return h.HexDigest();
}

}  // namespace

Result<std::optional<std::size_t>> RebuildReviewed(Engine& e, const std::string& id, json::object& data) {
  store::RequestRow r;
  std::vector<fulfillment::Redaction> redactions;
  std::size_t edits = 0;
  ExportFile package;
  bool under_review = false;
  Status s = e.store().Read([&](store::Tx& tx) -> Status {
    auto got = tx.GetRequest(id);
    if (!got.ok()) return got.status();
    r = std::move(got.value());
    if (r.type != "access" || r.state != "awaiting_approval") return Status::Ok();
    under_review = true;
    auto t = tx.Transitions(r.id);
    if (!t.ok()) return t.status();
    redactions = RedactionsIn(*t);
    edits = ReviewEdits(*t);
    return FindPackage(tx, r, package);
  });
  if (!s.ok()) return s;
  if (!under_review) return std::optional<std::size_t>();
  std::lock_guard lock(ReviewMutex());
  const auto dir = fulfillment::ReviewDir(e.config().exports_dir, r.reference);
  // Without staged rows (a Fulfiller that keeps no review data) the package stands as built; with
  // redactions it must be rebuilt, and a failure stops the approval.
  const bool staged = fulfillment::ReadStagedTables(dir).ok();
  if (staged || !redactions.empty())
    if (Status b = fulfillment::BuildAccessPackage(dir, redactions, package.path); !b.ok()) return b;
  data["redactions"] = static_cast<std::int64_t>(redactions.size());
  data["package_sha256"] = FileSha256(package.path);
  return std::optional<std::size_t>(edits);
}

Result<json::object> PackageReview(Engine& e, const std::string& id) {
  auto r = e.Get(id);
  if (!r.ok()) return r.status();
  auto tables = fulfillment::ReadStagedTables(fulfillment::ReviewDir(e.config().exports_dir, r->reference));
  if (!tables.ok()) return tables.status();
  auto history = e.Transitions(r->id);
  if (!history.ok()) return history.status();
  json::object o;
  o["reference"] = r->reference;
  o["state"] = r->state;
  o["under_review"] = r->state == "awaiting_approval";
  json::array ts;
  std::int64_t total = 0;
  for (const auto& t : *tables) {
    json::array cols;
    for (const auto& c : t.columns) cols.emplace_back(c);
    ts.push_back(json::object{{"table", t.name}, {"columns", std::move(cols)}, {"rows", t.rows}});
    total += t.rows;
  }
  o["tables"] = std::move(ts);
  o["total_rows"] = total;
  json::array reds;
  const auto active = ActiveRedactions(*history);
  for (const auto& t : *history) {
    if (t.event != "redact") continue;
    if (std::none_of(active.begin(), active.end(), [&](const auto& p) { return p.first == t.version; })) continue;
    json::value d = ParseOr(t.data_json, json::object());
    json::object e = d.is_object() ? d.as_object() : json::object();
    e["version"] = t.version;
    e["reason"] = t.reason;
    e["actor"] = t.actor;
    e["at"] = FormatRfc3339(t.at);
    reds.push_back(std::move(e));
  }
  o["redactions"] = std::move(reds);
  json::array reasons;
  for (const auto& rr : fulfillment::RedactionReasons())
    reasons.push_back(json::object{{"code", rr.code}, {"label", rr.label}, {"citation", rr.citation}});
  o["reasons"] = std::move(reasons);
  return o;
}

namespace {

// The staged table `name` of a package under review; nullopt when the package has none.
Result<std::optional<fulfillment::StagedTable>> StagedTableNamed(const std::filesystem::path& dir,
                                                                 const std::string& name) {
  auto tables = fulfillment::ReadStagedTables(dir);
  if (!tables.ok()) return tables.status();
  for (auto& t : *tables)
    if (t.name == name) return std::optional<fulfillment::StagedTable>(std::move(t));
  return std::optional<fulfillment::StagedTable>();
}

}  // namespace

Result<json::object> PackageRows(Engine& e, const std::string& id, const std::string& table, std::int64_t offset,
                                                 std::int64_t limit) {
  auto r = e.Get(id);
  if (!r.ok()) return r.status();
  const auto dir = fulfillment::ReviewDir(e.config().exports_dir, r->reference);
  auto staged = StagedTableNamed(dir, table);
  if (!staged.ok()) return staged.status();
  if (!*staged) return Status::NotFound("the package has no table '" + table + "'");
  const fulfillment::StagedTable* spec = &**staged;
  auto rows = fulfillment::ReadStagedRows(dir, table, offset, limit);
  if (!rows.ok()) return rows.status();
  auto history = e.Transitions(r->id);
  if (!history.ok()) return history.status();
  const auto redactions = RedactionsIn(*history);
  json::array items;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::int64_t n = offset + static_cast<std::int64_t>(i);
    json::object values, redacted;
    for (std::size_t k = 0; k < spec->columns.size() && k < (*rows)[i].size(); ++k)
      values[spec->columns[k]] = (*rows)[i][k];
    for (const auto& red : redactions)
      if (red.table == table && red.row == n) redacted[red.column.empty() ? "*" : red.column] = red.label;
    items.push_back(json::object{{"row", n}, {"values", std::move(values)}, {"redacted", std::move(redacted)}});
  }
  json::array cols;
  for (const auto& c : spec->columns) cols.emplace_back(c);
  return json::object{{"table", table}, {"columns", std::move(cols)}, {"offset", offset}, {"limit", limit},
                      {"total", spec->rows}, {"rows", std::move(items)}};
}

Result<store::RequestRow> Redact(Engine& e, const std::string& id, const RedactionInput& in,
                                                 std::optional<std::int64_t> expected_version) {
  const fulfillment::RedactionReason* why = fulfillment::FindRedactionReason(in.reason_code);
  if (why == nullptr) {
    std::string list;
    for (const auto& r : fulfillment::RedactionReasons()) list += (list.empty() ? "" : ", ") + r.code;
    return Status::Invalid("field 'reason_code' must be one of: " + list);
  }
  if (Trim(in.reason).empty()) return Status::Invalid("field 'reason' is required: why this is redacted");
  auto got = e.Get(id);
  if (!got.ok()) return got.status();
  const auto dir = fulfillment::ReviewDir(e.config().exports_dir, got->reference);
  auto staged = StagedTableNamed(dir, in.table);
  if (!staged.ok()) return staged.status();
  if (!*staged) return Status::Unprocessable("the package has no table '" + in.table + "'");
  const fulfillment::StagedTable* spec = &**staged;
  if (in.row < 0 || in.row >= spec->rows)
    return Status::Unprocessable("table '" + in.table + "' has rows 0 to " + std::to_string(spec->rows - 1) +
                                 " in the package, not " + std::to_string(in.row));
  if (!in.column.empty() && std::find(spec->columns.begin(), spec->columns.end(), in.column) == spec->columns.end())
    return Status::Unprocessable("table '" + in.table + "' has no column '" + in.column + "' in the package");

  store::RequestRow row;
  ExportFile package;
  std::vector<fulfillment::Redaction> redactions;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    auto history = tx.Transitions(row.id);
    if (!history.ok()) return history.status();
    redactions = RedactionsIn(*history);
    for (const auto& red : redactions)
      if (red.table == in.table && red.row == in.row && (red.column.empty() || red.column == in.column))
        return Status::Conflict("row " + std::to_string(in.row) + " of " + in.table +
                                (red.column.empty() ? " is already redacted as a whole"
                                                    : ", column " + in.column + ", is already redacted"));
    if (Status f = FindPackage(tx, row, package); !f.ok()) return f;
    Event ev;
    ev.name = "redact";
    ev.actor = in.actor;
    ev.reason = in.reason;
    ev.data["table"] = in.table;
    ev.data["row"] = in.row;
    ev.data["column"] = in.column.empty() ? json::value(nullptr) : json::value(in.column);
    ev.data["reason_code"] = why->code;
    ev.data["label"] = why->label;
    if (Status a = e.ApplyInTx(tx, row, ev, expected_version); !a.ok()) return a;
    redactions.push_back({in.table, in.row, in.column, why->label});
    return Status::Ok();
  });
  if (!s.ok()) return s;
  // Rebuilt after the commit, one rebuild at a time, with every redaction recorded by then (a
  // concurrent redaction's rebuild never leaves an older package behind); approve rebuilds again,
  // so a failure here is never released.
  std::lock_guard lock(ReviewMutex());
  // Approved meanwhile: approve committed after this change and rebuilt the package from every
  // redaction recorded by then, this one among them; the review data is gone with the release.
  if (auto now = e.Get(row.id); now.ok() && now->state != "awaiting_approval") return *now;
  auto history = e.Transitions(row.id);
  if (!history.ok()) return history.status();
  if (Status b = fulfillment::BuildAccessPackage(dir, RedactionsIn(*history), package.path); !b.ok()) {
    // Approved while this rebuild ran (the release removes the review data): approve's own
    // rebuild started after this change committed, so the released package holds it.
    if (auto now = e.Get(row.id); now.ok() && now->state != "awaiting_approval") return *now;
    return b;
  }
  return row;
}

Result<store::RequestRow> Unredact(Engine& e, const std::string& id, std::int64_t redaction,
                                                   const std::string& reason, const std::string& actor,
                                                   std::optional<std::int64_t> expected_version) {
  if (Trim(reason).empty()) return Status::Invalid("field 'reason' is required: why the redaction is withdrawn");
  store::RequestRow row;
  ExportFile package;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    auto history = tx.Transitions(row.id);
    if (!history.ok()) return history.status();
    const fulfillment::Redaction* found = nullptr;
    const auto active = ActiveRedactions(*history);
    for (const auto& [version, red] : active)
      if (version == redaction) found = &red;
    if (found == nullptr)
      return Status::NotFound("request " + row.reference + " has no redaction in force at version " +
                              std::to_string(redaction));
    if (Status f = FindPackage(tx, row, package); !f.ok()) return f;
    Event ev;
    ev.name = "unredact";
    ev.actor = actor;
    ev.reason = reason;
    ev.data["redaction"] = redaction;
    ev.data["table"] = found->table;
    ev.data["row"] = found->row;
    ev.data["column"] = found->column.empty() ? json::value(nullptr) : json::value(found->column);
    return e.ApplyInTx(tx, row, ev, expected_version);
  });
  if (!s.ok()) return s;
  std::lock_guard lock(ReviewMutex());
  if (auto now = e.Get(row.id); now.ok() && now->state != "awaiting_approval") return *now;  // approved meanwhile
  auto history = e.Transitions(row.id);
  if (!history.ok()) return history.status();
  if (Status b = fulfillment::BuildAccessPackage(fulfillment::ReviewDir(e.config().exports_dir, row.reference),
                                                 RedactionsIn(*history), package.path);
      !b.ok()) {
    if (auto now = e.Get(row.id); now.ok() && now->state != "awaiting_approval") return *now;  // approved meanwhile
    return b;
  }
  return row;
}

}  // namespace dsar::service
