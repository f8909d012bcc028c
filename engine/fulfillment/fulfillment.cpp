// Fulfillment steps against a company SQLite database described by a systems map.
//
// A step is made of units (Fulfiller::Units: erase has one per table, the others one), and every
// unit runs inside one BEGIN IMMEDIATE transaction of the company database:
//   1. the journal table dsar_fulfillment_log is consulted: a unit that already succeeded for
//      this reference returns its recorded summary and changes nothing (an export is redone
//      only when its file has gone);
//   2. the rows linked to the data subject are found by one SQL condition per table (the map's
//      links; a link through another table is a subquery): erase resolves the rowids of every
//      table in its first unit, before anything changes, and records them (journal row
//      "erase/_subject") for the later units, so erasing accounts does not hide the projects
//      linked through them, even when a later unit runs in a retry; exports read the rows with
//      that condition as they go;
//   3. the unit reads or changes exactly those rows, with bound parameters only;
//   4. the summary is recorded in the journal and the transaction commits.
// A failure rolls the unit back (the units before it stay done); export files are renamed into
// place and synced before the commit, so a crash leaves either no journal row (and the unit is
// redone) or a complete file.

#include "fulfillment/fulfillment.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "core/time.h"
#include "fulfillment/index_html.h"
#include "fulfillment/package.h"
#include "fulfillment/review.h"
#include "fulfillment/sqlite_db.h"
#include "fulfillment/systems_map.h"

namespace dsar::fulfillment {

namespace json = boost::json;

namespace {

constexpr const char* kJournal = "dsar_fulfillment_log";

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  ~Transaction() {
    if (open_) (void)db_.Exec("ROLLBACK");
  }
  Status Begin() {
    Status st = db_.Exec("BEGIN IMMEDIATE");
    open_ = st.ok();
    return st;
  }
  Status Commit() {
    Status st = db_.Exec("COMMIT");
    if (st.ok()) open_ = false;
    return st;
  }

 private:
  Db& db_;
  bool open_ = false;
};

bool IsSafeReference(const std::string& r) {
  if (r.empty() || r.size() > 64 || r[0] == '.' || r[0] == '-') return false;
  for (char c : r) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

json::value ToJson(const SqlValue& v) {
  switch (v.type) {
    case SQLITE_INTEGER:
      return v.i;
    case SQLITE_FLOAT:
      return v.d;
    case SQLITE_TEXT:
      return json::string(v.s);
    case SQLITE_BLOB:
      return json::string(v.ToText());  // hex
    default:
      return nullptr;
  }
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// Masks `value` as the field says: the replacement text, or '*' for every UTF-8 character but
// the last `keep_last`. Applying it twice gives the same result (erasure is idempotent).
std::string Mask(const FieldSpec& f, const std::string& value) {
  if (!f.keep_last) return f.mask_with.value_or("***");
  std::vector<size_t> starts;  // byte offset of each UTF-8 character
  for (size_t i = 0; i < value.size(); ++i)
    if ((static_cast<unsigned char>(value[i]) & 0xC0) != 0x80) starts.push_back(i);
  const size_t keep = static_cast<size_t>(*f.keep_last);
  if (starts.size() <= keep) return value;
  const size_t masked = starts.size() - keep;
  return std::string(masked, '*') + value.substr(keep ? starts[masked] : value.size());
}

// Everything a step needs while its transaction is open.
class Session {
 public:
  Session(const SystemsMap& map, Db& db) : map_(map), db_(db) {}

  // The subject's normalised email and account ids (given and looked up by email).
  Status ResolveSubject(const DataSubject& subject) {
    email_ = NormalizeEmail(subject.email);
    std::string given_id = subject.account_id;
    while (!given_id.empty() && std::isspace(static_cast<unsigned char>(given_id.back()))) given_id.pop_back();
    while (!given_id.empty() && std::isspace(static_cast<unsigned char>(given_id.front()))) given_id.erase(0, 1);
    if (email_.empty() && given_id.empty())
      return Status::Invalid("the data subject has neither an email address nor an account id");
    if (!given_id.empty()) AddAccountId(SqlValue::Text(given_id));
    if (!map_.subject.table.empty() && !email_.empty()) {
      auto stmt = db_.Prepare("SELECT " + QuoteIdent(map_.subject.id_column) + " FROM " +
                              QuoteIdent(map_.subject.table) + " WHERE lower(trim(" +
                              QuoteIdent(map_.subject.email_column) + ")) = ?1 ORDER BY rowid");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, email_);
      Status st;
      while (stmt->Step(&st)) {
        SqlValue v = stmt->Column(0);
        if (!v.is_null()) AddAccountId(std::move(v));
      }
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  // Checks that every table and mapped column exists; records unmapped columns.
  Status CheckSchema() {
    for (const auto& t : map_.tables) {
      auto stmt = db_.Prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, t.name);
      Status st;
      std::vector<std::string> cols;
      while (stmt->Step(&st)) cols.push_back(stmt->Column(0).s);
      if (!st.ok()) return st;
      if (cols.empty())
        return Status::Invalid(map_.path + ":" + std::to_string(t.line) + ": table " + t.name +
                               " is not in the company database");
      auto has = [&](const std::string& c) { return std::find(cols.begin(), cols.end(), c) != cols.end(); };
      for (const auto& f : t.fields)
        if (!has(f.name))
          return Status::Invalid(map_.path + ":" + std::to_string(f.line) + ": column " + t.name + "." + f.name +
                                 " is not in the company database");
      for (const auto& l : t.links)
        if (!has(l.column))
          return Status::Invalid(map_.path + ":" + std::to_string(l.line) + ": link column " + t.name + "." +
                                 l.column + " is not in the company database");
      if (t.keep_if && !has(t.keep_if->column))
        return Status::Invalid(map_.path + ":" + std::to_string(t.line) + ": keep_if column " + t.name + "." +
                               t.keep_if->column + " is not in the company database");
      for (const auto& c : cols)
        if (!t.Field(c)) unmapped_[t.name].push_back(c);
      columns_[t.name] = std::move(cols);
    }
    return Status::Ok();
  }

  // An SQL condition true for the rows of `t` linked to the subject, its columns qualified with
  // the table's name; ?1 stands for the email and ?2, ?3, ... for the account ids (BindSubject
  // binds them). A link through another table is a subquery on that table's own condition.
  std::string LinkCondition(const TableSpec& t) const {
    std::string cond;
    auto add = [&](const std::string& c) { cond += (cond.empty() ? "" : " OR ") + c; };
    const std::string table = QuoteIdent(t.name);
    for (const auto& l : t.links) {
      const std::string column = table + "." + QuoteIdent(l.column);
      switch (l.kind) {
        case Link::Kind::kEmail:
          if (!email_.empty()) add("lower(trim(" + column + ")) = ?1");
          break;
        case Link::Kind::kAccountId:
          if (!account_ids_.empty()) {
            std::string list;
            for (size_t i = 0; i < account_ids_.size(); ++i) list += (i ? ",?" : "?") + std::to_string(i + 2);
            add(column + " IN (" + list + ")");
          }
          break;
        case Link::Kind::kVia: {
          const std::string via = QuoteIdent(l.via);
          add(column + " IN (SELECT " + via + "." + QuoteIdent(l.references) + " FROM " + via + " WHERE " +
              LinkCondition(*map_.Table(l.via)) + ")");
          break;
        }
      }
    }
    return cond.empty() ? "0" : "(" + cond + ")";
  }

  void BindSubject(Stmt& s) const {
    s.Bind(1, SqlValue::Text(email_));
    for (size_t i = 0; i < account_ids_.size(); ++i) s.Bind(static_cast<int>(i) + 2, account_ids_[i]);
  }

  // A statement reading `columns` of the rows of `t` linked to the subject, in rowid order, one
  // row per Step: the rows stream from SQLite, whatever their number.
  Result<Stmt> SelectLinked(const TableSpec& t, const std::vector<std::string>& columns) {
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + QuoteIdent(c);
    if (list.empty()) list = "rowid";
    auto stmt = db_.Prepare("SELECT " + list + " FROM " + QuoteIdent(t.name) + " WHERE " + LinkCondition(t) +
                            " ORDER BY rowid");
    if (stmt.ok()) BindSubject(*stmt);
    return stmt;
  }

  // The rowids of `table`'s rows linked to the subject, ascending (memoised).
  Result<std::vector<std::int64_t>> Linked(const TableSpec& t) {
    if (auto it = linked_.find(t.name); it != linked_.end()) return it->second;
    auto stmt = SelectLinked(t, {});
    if (!stmt.ok()) return stmt.status();
    std::vector<std::int64_t> rows;
    Status st;
    while (stmt->Step(&st)) rows.push_back(stmt->Column(0).i);
    if (!st.ok()) return st;
    linked_[t.name] = rows;
    return rows;
  }

  // Resolves every table's linked rows up front (before anything changes).
  Status LinkAll() {
    for (const auto& t : map_.tables) {
      auto r = Linked(t);
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }

  const std::vector<std::int64_t>& Rows(const std::string& table) { return linked_[table]; }

  // The resolution recorded by the first erase unit of a reference (Fulfiller::RunUnit):
  // {"account_ids": [...], "rows": {table: [rowid, ...]}}.
  json::object Snapshot() const {
    json::object o;
    json::array ids;
    for (const auto& a : account_ids_) ids.push_back(ToJson(a));
    o["account_ids"] = std::move(ids);
    json::object rows;
    for (const auto& [table, r] : linked_) {
      json::array a;
      for (auto id : r) a.emplace_back(id);
      rows[table] = std::move(a);
    }
    o["rows"] = std::move(rows);
    return o;
  }
  // Keeps only the recorded rows of `t` that still link to the subject directly (by email or
  // account id), so that a rowid reused by a new row since the resolution is never erased; a
  // table linked through another table (whose rows may be erased already) keeps its recorded
  // rows as they are.
  Status Recheck(const TableSpec& t) {
    for (const auto& l : t.links)
      if (l.kind == Link::Kind::kVia) return Status::Ok();
    std::vector<std::int64_t>& rows = linked_[t.name];
    if (rows.empty()) return Status::Ok();
    if (email_.empty() && account_ids_.empty()) {
      rows.clear();
      return Status::Ok();
    }
    std::set<std::int64_t> still;  // the rows that link to the subject now
    auto stmt = SelectLinked(t, {});
    if (!stmt.ok()) return stmt.status();
    Status st;
    while (stmt->Step(&st)) still.insert(stmt->Column(0).i);
    if (!st.ok()) return st;
    std::vector<std::int64_t> kept;
    for (auto id : rows)
      if (still.count(id)) kept.push_back(id);
    rows = std::move(kept);
    return Status::Ok();
  }

  Status LoadSnapshot(const json::value& v, const DataSubject& subject) {
    email_ = NormalizeEmail(subject.email);
    if (!v.is_object()) return Status::IoError("the recorded resolution of the data subject is unreadable");
    const json::object& o = v.as_object();
    const auto* ids = o.if_contains("account_ids");
    const auto* rows = o.if_contains("rows");
    if (!ids || !ids->is_array() || !rows || !rows->is_object())
      return Status::IoError("the recorded resolution of the data subject is unreadable");
    account_ids_.clear();
    for (const auto& a : ids->as_array()) {
      if (a.is_int64()) AddAccountId(SqlValue::Int(a.as_int64()));
      else if (a.is_string()) AddAccountId(SqlValue::Text(std::string(a.as_string())));
    }
    linked_.clear();
    for (const auto& t : map_.tables) {
      std::vector<std::int64_t>& out = linked_[t.name];
      if (const auto* r = rows->as_object().if_contains(t.name); r && r->is_array())
        for (const auto& id : r->as_array())
          if (id.is_int64()) out.push_back(id.as_int64());
    }
    return Status::Ok();
  }

  static std::vector<SqlValue> RowidValues(const std::vector<std::int64_t>& ids) {
    std::vector<SqlValue> v;
    v.reserve(ids.size());
    for (auto id : ids) v.push_back(SqlValue::Int(id));
    return v;
  }

  const std::vector<std::string>& Columns(const std::string& table) { return columns_[table]; }
  const std::map<std::string, std::vector<std::string>>& Unmapped() const { return unmapped_; }
  const std::string& email() const { return email_; }
  const std::vector<SqlValue>& account_ids() const { return account_ids_; }
  Db& db() { return db_; }
  const SystemsMap& map() const { return map_; }

 private:
  void AddAccountId(SqlValue v) {
    for (const auto& a : account_ids_)
      if (a == v) return;
    account_ids_.push_back(std::move(v));
  }

  const SystemsMap& map_;
  Db& db_;
  std::string email_;
  std::vector<SqlValue> account_ids_;
  std::map<std::string, std::vector<std::int64_t>> linked_;
  std::map<std::string, std::vector<std::string>> columns_;
  std::map<std::string, std::vector<std::string>> unmapped_;
};

json::object FieldMetadata(const TableSpec& t, const FieldSpec& f) {
  json::object m;
  m["category"] = f.category;
  m["provided_by_subject"] = f.provided_by_subject;
  if (f.purpose != t.purpose) m["purpose"] = f.purpose;
  if (f.source != t.source) m["source"] = f.source;
  if (f.recipients != t.recipients) m["recipients"] = Strings(f.recipients);
  if (f.retention != t.retention) m["retention"] = f.retention;
  if (!f.withheld.empty()) m["withheld"] = f.withheld;
  return m;
}

void AddUnmapped(Session& run, json::object& summary) {
  json::object u;
  for (const auto& [table, cols] : run.Unmapped()) u[table] = Strings(cols);
  if (!u.empty()) summary["unmapped_columns"] = std::move(u);
}

// What an export step needs besides the session.
struct ExportContext {
  std::string step;
  std::string reference;
  const DataSubject& subject;
  std::optional<Millis> generated_at;
  std::filesystem::path dir;  // <exports>/<reference>, absolute
};

// The folder a package's members are written to before they are zipped:
// <exports>/<reference>/.staging-<step>. Anything left there by an earlier, interrupted run is
// removed first; the folder and its files are removed when the step ends, however it ends.
class Staging {
 public:
  Staging() = default;
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  ~Staging() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  Status Create(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (!ec) std::filesystem::create_directories(path, ec);
    if (ec) return Status::IoError("cannot create staging folder " + path.string() + ": " + ec.message());
    path_ = path;
    return Status::Ok();
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// "Nimbus Cloud production database", for messages to the person.
std::string Where(const SystemsMap& map) {
  if (!map.system.empty()) return map.system;
  if (!map.controller.name.empty()) return map.controller.name + "'s systems";
  return "our systems";
}

std::string Count(std::int64_t n, const char* one, const char* many) {
  return FormatCount(n) + " " + (n == 1 ? one : many);
}

// Writes one value of the current row of `s` into data.json and its CSV form into `cell` (text
// that a spreadsheet would read as a formula is neutralised there, never in data.json).
void WriteCell(JsonWriter& w, const Stmt& s, int i, std::string& cell) {
  const SqlValue v = s.Column(i);
  switch (v.type) {
    case SQLITE_INTEGER:
      w.Int(v.i);
      break;
    case SQLITE_FLOAT:
      w.Double(v.d);
      break;
    case SQLITE_TEXT:
      w.String(v.s);
      cell = NeutraliseCsvFormula(v.s);
      return;
    case SQLITE_BLOB:
      break;  // hex, below
    default:
      w.Null();
      cell.clear();
      return;
  }
  cell = v.ToText();
  if (v.type == SQLITE_BLOB) w.String(cell);
}

// Streams the rows of `t` linked to the subject, `columns` of them: each row goes into data.json
// (an object in the array the writer has open) and into <staging>/<table>.csv, created at the
// first row with a header of the column names. Adds the CSV to `members` when there were rows.
Result<std::int64_t> StreamRows(Session& run, const TableSpec& t, const std::vector<std::string>& columns,
                                JsonWriter& w, const Staging& staging, std::vector<ZipMember>& members) {
  auto stmt = run.SelectLinked(t, columns);
  if (!stmt.ok()) return stmt.status();
  const std::string name = t.name + ".csv";
  OutputFile csv;
  std::vector<std::string> cells(columns.size());
  std::string line;
  std::int64_t rows = 0;
  Status st;
  while (stmt->Step(&st)) {
    if (rows++ == 0) {
      if (Status o = csv.Open(staging.File(name)); !o.ok()) return o;
      csv.Write(CsvRecord(columns));
    }
    w.BeginObject();
    for (size_t k = 0; k < columns.size(); ++k) {
      w.Key(columns[k]);
      WriteCell(w, *stmt, static_cast<int>(k), cells[k]);
    }
    w.EndObject();
    line.clear();
    AppendCsvRecord(line, cells);
    csv.Write(line);
  }
  if (!st.ok()) return st;
  if (rows > 0) {
    if (Status c = csv.Close(); !c.ok()) return c;
    members.push_back({name, staging.File(name)});
  }
  return rows;
}

// Nothing of the person's: no package (and none left from an earlier run), and a summary that
// says so plainly.
void NothingFound(const std::string& path, const std::string& message, json::object& summary) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  summary["found"] = false;
  summary["message"] = message;
}

// The fields both packages' data.json start with: format, reference, generation time, system.
void WriteExportHeader(JsonWriter& w, const char* format, const ExportContext& ctx, const SystemsMap& map) {
  w.Key("format");
  w.String(format);
  w.Key("reference");
  w.String(ctx.reference);
  if (ctx.generated_at) {
    w.Key("generated_at");
    w.String(FormatRfc3339(*ctx.generated_at));
  }
  if (!map.system.empty()) {
    w.Key("system");
    w.String(map.system);
  }
}

// Appends one value of the current row of `s` to `line` as JSON (as data.json writes it).
void AppendStagedCell(std::string& line, const Stmt& s, int i) {
  const SqlValue v = s.Column(i);
  switch (v.type) {
    case SQLITE_INTEGER:
      line += std::to_string(v.i);
      return;
    case SQLITE_FLOAT: {
      if (!std::isfinite(v.d)) {
        line += "null";
        return;
      }
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.d);
      line.append(buf, r.ptr);
      return;
    }
    case SQLITE_TEXT:
      AppendJsonString(line, v.s);
      return;
    case SQLITE_BLOB:
      AppendJsonString(line, v.ToText());  // hex
      return;
    default:
      line += "null";
  }
}

// Stages the rows of `t` linked to the subject, `columns` of them, into `path`: one JSON array
// of cell values per line, in rowid order (review.h). Streams: memory does not grow with rows.
Result<std::int64_t> StageRows(Session& run, const TableSpec& t, const std::vector<std::string>& columns,
                               const std::string& path) {
  auto stmt = run.SelectLinked(t, columns);
  if (!stmt.ok()) return stmt.status();
  OutputFile out;
  if (Status o = out.Open(path); !o.ok()) return o;
  std::string line;
  std::int64_t rows = 0;
  Status st;
  while (stmt->Step(&st)) {
    ++rows;
    line.assign("[");
    for (size_t k = 0; k < columns.size(); ++k) {
      if (k) line += ',';
      AppendStagedCell(line, *stmt, static_cast<int>(k));
    }
    line += "]\n";
    out.Write(line);
  }
  if (!st.ok()) return st;
  if (Status c = out.Close(); !c.ok()) return c;
  return rows;
}

// export_access: <exports>/<reference>/access.zip with index.html (a summary for people, with
// the GDPR Art. 15 / CCPA information), data.json (every linked row, all columns except
// withheld ones, with the map's metadata) and one CSV per table with rows. The rows are staged
// first (review.h: kept in <reference>/.review-access when `keep_review`, for the redaction
// review before release), and the package is built from the staged data.
Status ExportAccess(Session& run, const ExportContext& ctx, StepResult& result, bool keep_review) {
  const SystemsMap& map = run.map();
  json::object& summary = result.summary;
  const std::string path = (ctx.dir / "access.zip").string();
  Staging staging;
  if (Status st = staging.Create(ctx.dir / (".staging-" + ctx.step)); !st.ok()) return st;
  const std::filesystem::path review = keep_review ? ctx.dir / kReviewFolder : std::filesystem::path(staging.File("review"));
  {
    std::error_code ec;
    std::filesystem::remove_all(review, ec);
    if (!ec) std::filesystem::create_directories(review, ec);
    if (ec) return Status::IoError("cannot create review folder " + review.string() + ": " + ec.message());
  }
  json::object header;
  header["format"] = "dsar-access-export/1";
  header["reference"] = ctx.reference;
  if (ctx.generated_at) header["generated_at"] = FormatRfc3339(*ctx.generated_at);
  if (!map.system.empty()) header["system"] = map.system;
  if (!map.controller.name.empty()) {
    json::object c{{"name", map.controller.name}};
    if (!map.controller.contact.empty()) c["contact"] = map.controller.contact;
    if (!map.controller.dpo.empty()) c["dpo"] = map.controller.dpo;
    header["controller"] = std::move(c);
  }
  if (!map.automated_decision_making.empty()) header["automated_decision_making"] = map.automated_decision_making;
  json::array staged;
  json::object counts;
  std::int64_t total = 0, with_rows = 0;
  AccessIndex index;
  index.reference = ctx.reference;
  index.subject_name = ctx.subject.name;
  index.subject_email = run.email();
  index.subject_account_id = ctx.subject.account_id;
  index.generated_at = ctx.generated_at;
  for (const auto& t : map.tables) {
    json::object td;
    if (!t.description.empty()) td["description"] = t.description;
    td["category"] = t.category;
    td["purpose"] = t.purpose;
    td["source"] = t.source;
    td["recipients"] = Strings(t.recipients);
    td["retention"] = t.retention;
    json::object fields;
    std::vector<std::string> shown;  // every column but the withheld ones, in table order
    for (const auto& c : run.Columns(t.name)) {
      const FieldSpec* f = t.Field(c);
      if (f) {
        fields[c] = FieldMetadata(t, *f);
      } else {
        fields[c] = json::object{{"category", "unclassified"}, {"note", "not described by the systems map"}};
      }
      if (!f || f->withheld.empty()) shown.push_back(c);
    }
    td["fields"] = std::move(fields);
    const std::string file = "t" + std::to_string(staged.size()) + ".jsonl";
    auto rows = StageRows(run, t, shown, (review / file).string());
    if (!rows.ok()) return rows.status();
    staged.push_back(json::object{
        {"name", t.name}, {"file", file}, {"meta", std::move(td)}, {"columns", Strings(shown)}, {"rows", *rows}});
    counts[t.name] = json::object{{"rows", *rows}};
    total += *rows;
    if (*rows > 0) ++with_rows;
    IndexTable it;
    it.spec = &t;
    it.rows = *rows;
    if (*rows > 0) it.csv = t.name + ".csv";
    if (auto u = run.Unmapped().find(t.name); u != run.Unmapped().end()) it.unmapped = u->second;
    index.tables.push_back(std::move(it));
  }

  if (total == 0) {
    std::error_code ec;
    std::filesystem::remove_all(review, ec);
    NothingFound(path, "We hold no personal data about you in " + Where(map) + ".", summary);
  } else {
    OutputFile html;
    if (Status st = html.Open((review / "index.html").string()); !st.ok()) return st;
    html.Write(AccessIndexHtml(map, index));
    if (Status st = html.Close(); !st.ok()) return st;
    OutputFile meta;
    if (Status st = meta.Open((review / "meta.json").string()); !st.ok()) return st;
    meta.Write(json::serialize(json::object{{"format", "dsar-review/1"}, {"header", std::move(header)},
                                            {"tables", std::move(staged)}}));
    if (Status st = meta.Close(); !st.ok()) return st;
    if (Status st = BuildAccessPackage(review, {}, path); !st.ok()) return st;
    summary["found"] = true;
    summary["message"] = "We hold " + Count(total, "record", "records") + " about you in " +
                         Count(with_rows, "table", "tables") + " of " + Where(map) +
                         "; your access package holds all of them.";
    summary["file"] = path;
    result.files.push_back(path);
  }
  if (ctx.generated_at) summary["generated_at"] = FormatRfc3339(*ctx.generated_at);
  summary["tables"] = std::move(counts);
  summary["total_rows"] = total;
  AddUnmapped(run, summary);
  return Status::Ok();
}

// export_portability: <exports>/<reference>/portability.zip with data.json and one CSV per
// table with rows, only the fields the subject provided (machine-readable; no index.html).
Status ExportPortability(Session& run, const ExportContext& ctx, StepResult& result) {
  const SystemsMap& map = run.map();
  json::object& summary = result.summary;
  const std::string path = (ctx.dir / "portability.zip").string();
  Staging staging;
  if (Status st = staging.Create(ctx.dir / (".staging-" + ctx.step)); !st.ok()) return st;
  OutputFile data;
  if (Status st = data.Open(staging.File("data.json")); !st.ok()) return st;
  JsonWriter w(data);
  w.BeginObject();
  WriteExportHeader(w, "dsar-portability-export/1", ctx, map);
  w.Key("tables");
  w.BeginObject();
  json::object counts;
  std::vector<ZipMember> csvs;
  std::int64_t total = 0, with_rows = 0;
  for (const auto& t : map.tables) {
    std::vector<std::string> names;  // the provided fields, in map order
    for (const auto& f : t.fields)
      if (f.provided_by_subject) names.push_back(f.name);
    if (names.empty()) continue;
    w.Key(t.name);
    w.BeginArray();
    auto rows = StreamRows(run, t, names, w, staging, csvs);
    if (!rows.ok()) return rows.status();
    w.EndArray();
    counts[t.name] = json::object{{"rows", *rows}, {"fields", Strings(names)}};
    total += *rows;
    if (*rows > 0) ++with_rows;
  }
  w.EndObject();
  w.EndObject();
  w.Finish();
  if (Status st = data.Close(); !st.ok()) return st;

  if (total == 0) {
    NothingFound(path, "We hold no personal data that you provided to us in " + Where(map) + ".", summary);
  } else {
    std::vector<ZipMember> members = {{"data.json", staging.File("data.json")}};
    members.insert(members.end(), csvs.begin(), csvs.end());
    if (Status st = WriteZipFromFiles(path, members); !st.ok()) return st;
    summary["found"] = true;
    summary["message"] = "Your portability package holds the data you provided to us: " +
                         Count(total, "record", "records") + " from " + Count(with_rows, "table", "tables") + " of " +
                         Where(map) + ", as JSON and CSV.";
    summary["file"] = path;
    result.files.push_back(path);
  }
  if (ctx.generated_at) summary["generated_at"] = FormatRfc3339(*ctx.generated_at);
  summary["tables"] = std::move(counts);
  summary["total_rows"] = total;
  return Status::Ok();
}

// Nulls or masks the fields of the surviving rows `keep` of `t`; fills the table's summary.
Status EraseFields(Session& run, const TableSpec& t, const std::vector<std::int64_t>& keep, json::object& ts) {
  json::array nulled, masked, kept_fields;
  json::object own_reasons;  // kept fields whose reason is their own, not the table's
  const auto ids = Session::RowidValues(keep);
  for (const auto& f : t.fields) {
    const std::string table = QuoteIdent(t.name), col = QuoteIdent(f.name);
    Status st;
    switch (f.erase) {
      case FieldErase::kNull:
        st = ForChunks(run.db(), "UPDATE " + table + " SET " + col + " = NULL WHERE rowid IN ", ids, "", {},
                       [](Stmt&) {});
        nulled.emplace_back(f.name);
        break;
      case FieldErase::kMask:
        if (!f.keep_last) {
          st = ForChunks(run.db(),
                         "UPDATE " + table + " SET " + col + " = ?1 WHERE " + col + " IS NOT NULL AND rowid IN ", ids,
                         "", {SqlValue::Text(Mask(f, ""))}, [](Stmt&) {});
        } else {
          std::vector<std::pair<std::int64_t, std::string>> values;
          st = ForChunks(run.db(), "SELECT rowid, CAST(" + col + " AS TEXT) FROM " + table + " WHERE " + col +
                                       " IS NOT NULL AND rowid IN ",
                         ids, "", {}, [&](Stmt& s) { values.emplace_back(s.Column(0).i, s.Column(1).s); });
          for (const auto& [rowid, value] : values) {
            if (!st.ok()) break;
            const std::string m = Mask(f, value);
            if (m == value) continue;
            auto u = run.db().Prepare("UPDATE " + table + " SET " + col + " = ?1 WHERE rowid = ?2");
            if (!u.ok()) return u.status();
            u->Bind(1, m);
            u->Bind(2, rowid);
            u->Step(&st);
          }
        }
        masked.emplace_back(f.name);
        break;
      case FieldErase::kKeep:
      case FieldErase::kUnset:
        kept_fields.emplace_back(f.name);
        if (!f.reason.empty() && f.reason != t.erase_reason) own_reasons[f.name] = f.reason;
        break;
    }
    if (!st.ok()) return st;
  }
  const auto n = static_cast<std::int64_t>(keep.size());
  ts["nulled"] = nulled.empty() ? 0 : n;
  ts["masked"] = masked.empty() ? 0 : n;
  ts["kept"] = n;
  if (n > 0) {
    if (!nulled.empty()) ts["fields_nulled"] = std::move(nulled);
    if (!masked.empty()) ts["fields_masked"] = std::move(masked);
    if (!kept_fields.empty()) ts["fields_kept"] = std::move(kept_fields);
    if (!own_reasons.empty()) ts["field_reasons"] = std::move(own_reasons);
    if (!t.erase_reason.empty()) ts["reason"] = t.erase_reason;
    if (auto it = run.Unmapped().find(t.name); it != run.Unmapped().end())
      ts["unmapped_columns_kept"] = Strings(it->second);
  }
  return Status::Ok();
}

// What erasing one table did: its entry of the summary's "tables", and the "retained" entry when
// a legal hold kept rows there.
struct TableErasure {
  json::object table;
  std::optional<json::object> retained;
};

// erase, one table: as the map says, unless a legal hold covers it (asked right before the
// table). Linked rows were resolved before this runs.
Status EraseTable(Session& run, const TableSpec& t, const EraseOptions& options, TableErasure& out) {
  const auto& rows = run.Rows(t.name);
  json::object& ts = out.table;
  ts["strategy"] = t.erase == TableErase::kDelete ? "delete" : t.erase == TableErase::kKeep ? "keep" : "fields";
  ts["linked"] = static_cast<std::int64_t>(rows.size());
  std::vector<HoldRef> holds;
  if (options.holds_for) {
    auto h = options.holds_for(t.name, t.category);
    if (!h.ok()) return h.status();
    holds = std::move(h.value());
  }
  if (!holds.empty()) {
    // Held: every linked row stays exactly as it is, whatever the map says.
    const auto n = static_cast<std::int64_t>(rows.size());
    json::array ids;
    for (const auto& h : holds) ids.emplace_back(h.id);
    ts["held"] = true;
    ts["deleted"] = 0;
    ts["nulled"] = 0;
    ts["masked"] = 0;
    ts["kept"] = n;
    ts["holds"] = ids;
    if (n > 0) {
      const HoldRef& first = holds.front();
      json::object e;
      e["table"] = t.name;
      e["rows"] = n;
      e["category"] = t.category;
      e["hold_id"] = first.id;
      e["ground"] = first.ground;
      e["citation"] = first.citation;
      e["matter"] = first.matter;
      e["holds"] = std::move(ids);
      out.retained = std::move(e);
    }
    return Status::Ok();
  }
  std::vector<std::int64_t> keep, drop;
  if (t.erase == TableErase::kKeep) {
    keep = rows;
  } else if (t.erase == TableErase::kFields) {
    keep = rows;
  } else if (!t.keep_if) {
    drop = rows;
  } else {
    std::set<std::int64_t> kept;
    Status st = ForChunks(run.db(),
                          "SELECT rowid, CAST(" + QuoteIdent(t.keep_if->column) + " AS TEXT) FROM " +
                              QuoteIdent(t.name) + " WHERE rowid IN ",
                          Session::RowidValues(rows), "", {}, [&](Stmt& s) {
                            const SqlValue v = s.Column(1);
                            if (v.is_null()) return;
                            for (const auto& want : t.keep_if->values)
                              if (v.s == want) kept.insert(s.Column(0).i);
                          });
    if (!st.ok()) return st;
    for (auto id : rows) (kept.count(id) ? keep : drop).push_back(id);
  }
  if (!drop.empty()) {
    Status st = ForChunks(run.db(), "DELETE FROM " + QuoteIdent(t.name) + " WHERE rowid IN ",
                          Session::RowidValues(drop), "", {}, [](Stmt&) {});
    if (!st.ok()) return st;
  }
  ts["deleted"] = static_cast<std::int64_t>(drop.size());
  if (t.erase == TableErase::kKeep) {
    ts["nulled"] = 0;
    ts["masked"] = 0;
    ts["kept"] = static_cast<std::int64_t>(keep.size());
    if (!keep.empty()) ts["reason"] = t.erase_reason;
    return Status::Ok();
  }
  return EraseFields(run, t, keep, ts);
}

std::int64_t IntAt(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

// The erase summary from the tables' results, in map order (Fulfiller::Assemble).
void AssembleErase(const SystemsMap& map, const std::vector<TableErasure>& parts, bool with_holds,
                   json::object& summary) {
  json::object tables;
  json::array retained;
  std::int64_t linked_total = 0, deleted_total = 0, kept_total = 0, retained_total = 0;
  std::string retained_text;  // for the person: "billing (2 records, financial data): ..."
  for (size_t i = 0; i < parts.size() && i < map.tables.size(); ++i) {
    const TableSpec& t = map.tables[i];
    const json::object& ts = parts[i].table;
    linked_total += IntAt(ts, "linked");
    deleted_total += IntAt(ts, "deleted");
    kept_total += IntAt(ts, "kept");
    if (parts[i].retained) {
      const json::object& e = *parts[i].retained;
      const std::int64_t n = IntAt(e, "rows");
      retained_total += n;
      const auto* citation = e.if_contains("citation");
      retained_text += std::string(retained_text.empty() ? "" : "; ") + t.name + " (" +
                       Count(n, "record", "records") + ", " + t.category +
                       "): " + (citation && citation->is_string() ? std::string(citation->as_string()) : "");
      retained.push_back(e);
    }
    tables[t.name] = ts;
  }
  summary["tables"] = std::move(tables);
  summary["total_linked"] = linked_total;
  summary["total_deleted"] = deleted_total;
  summary["total_kept"] = kept_total;
  if (with_holds) {
    summary["retained"] = std::move(retained);
    summary["total_retained"] = retained_total;
    if (retained_total > 0)
      summary["message"] = "We erased your personal data except " + Count(retained_total, "record", "records") +
                           " we must keep under a legal hold, which we will erase when the hold ends if no other "
                           "ground applies: " + retained_text + ".";
  }
}

// opt_out_sale / opt_out_marketing: sets each flag on the linked rows where it differs.
Status SetFlags(Session& run, const std::vector<OptOutFlag>& flags, const std::string& step, json::object& summary) {
  if (flags.empty()) return Status::Unprocessable("the systems map names no flags for " + step);
  json::array out;
  std::int64_t linked_total = 0, changed_total = 0;
  for (const auto& f : flags) {
    const auto& rows = run.Rows(f.table);
    const SqlValue value = f.int_value ? SqlValue::Int(*f.int_value) : SqlValue::Text(f.text_value);
    const std::string table = QuoteIdent(f.table), col = QuoteIdent(f.field);
    const auto ids = Session::RowidValues(rows);
    std::int64_t changed = 0;
    Status st = ForChunks(run.db(), "SELECT count(*) FROM " + table + " WHERE " + col + " IS NOT ?1 AND rowid IN ",
                          ids, "", {value}, [&](Stmt& s) { changed += s.Column(0).i; });
    if (st.ok())
      st = ForChunks(run.db(), "UPDATE " + table + " SET " + col + " = ?1 WHERE " + col + " IS NOT ?1 AND rowid IN ",
                     ids, "", {value}, [](Stmt&) {});
    if (!st.ok()) return st;
    json::object o;
    o["table"] = f.table;
    o["field"] = f.field;
    o["value"] = ToJson(value);
    o["linked"] = static_cast<std::int64_t>(rows.size());
    o["changed"] = changed;
    out.push_back(std::move(o));
    linked_total += static_cast<std::int64_t>(rows.size());
    changed_total += changed;
  }
  summary["flags"] = std::move(out);
  summary["total_linked"] = linked_total;
  summary["total_changed"] = changed_total;
  return Status::Ok();
}

SqlValue ToSql(const json::value& v) {
  if (v.is_string()) return SqlValue::Text(std::string(v.as_string()));
  if (v.is_int64()) return SqlValue::Int(v.as_int64());
  if (v.is_uint64()) return SqlValue::Int(static_cast<std::int64_t>(v.as_uint64()));
  if (v.is_double()) {
    SqlValue d;
    d.type = SQLITE_FLOAT;
    d.d = v.as_double();
    return d;
  }
  return SqlValue();
}

// correct: each approved change set on the subject's linked rows of its table, with the values
// before and after per row (rowid order). Linked rows were resolved before this runs.
Status Correct(Session& run, const std::vector<CorrectionChange>& changes, json::object& summary) {
  json::array out;
  std::int64_t changed_total = 0;
  std::string what;
  for (const auto& c : changes) {
    const auto& rows = run.Rows(c.table);
    const std::string table = QuoteIdent(c.table), col = QuoteIdent(c.column);
    const SqlValue value = ToSql(c.value);
    const auto ids = Session::RowidValues(rows);
    json::array detail;
    std::int64_t changed = 0;
    // Each row named by its rowid and its table's first column (its key: id, invoice_no, ...).
    const auto& cols = run.Columns(c.table);
    const std::string key = cols.empty() ? std::string("rowid") : cols.front();
    Status st = ForChunks(run.db(), "SELECT rowid, " + col + ", " + QuoteIdent(key) + " FROM " + table +
                                        " WHERE rowid IN ",
                          ids, " ORDER BY rowid", {}, [&](Stmt& s) {
                            const SqlValue before = s.Column(1);
                            if (before == value) return;
                            ++changed;
                            detail.push_back(json::object{{"rowid", s.Column(0).i},
                                                          {"key", json::object{{key, ToJson(s.Column(2))}}},
                                                          {"before", ToJson(before)},
                                                          {"after", ToJson(value)}});
                          });
    if (st.ok())
      st = ForChunks(run.db(), "UPDATE " + table + " SET " + col + " = ?1 WHERE " + col + " IS NOT ?1 AND rowid IN ",
                     ids, "", {value}, [](Stmt&) {});
    if (!st.ok()) return st;
    json::object o;
    o["table"] = c.table;
    o["column"] = c.column;
    o["value"] = ToJson(value);
    o["linked"] = static_cast<std::int64_t>(rows.size());
    o["changed"] = changed;
    o["rows"] = std::move(detail);
    out.push_back(std::move(o));
    changed_total += changed;
    what += (what.empty() ? "" : ", ") + c.column + " in " + c.table + " (" + Count(changed, "record", "records") + ")";
  }
  summary["changes"] = std::move(out);
  summary["total_changed"] = changed_total;
  summary["message"] = changed_total == 0
                           ? "Your data in " + Where(run.map()) + " already read as you asked; nothing needed changing."
                           : "We corrected your data in " + Where(run.map()) + " as you asked: " + what + ".";
  return Status::Ok();
}

// The summary without the values the rows held before (for the company database's journal).
json::object WithoutBefore(json::object summary) {
  if (auto* changes = summary.if_contains("changes"); changes && changes->is_array())
    for (auto& c : changes->as_array())
      if (c.is_object())
        if (auto* rows = c.as_object().if_contains("rows"); rows && rows->is_array())
          for (auto& r : rows->as_array())
            if (r.is_object()) r.as_object().erase("before");
  return summary;
}

}  // namespace

Status Fulfiller::CheckCorrections(const std::vector<CorrectionChange>& changes) const {
  if (!map_) return Status::Unprocessable("no systems map is configured: corrections cannot be checked");
  if (changes.empty()) return Status::Invalid("data.changes must list at least one {table, column, value}");
  for (const auto& c : changes) {
    const std::string where = "change " + c.table + "." + c.column;
    const TableSpec* t = map_->Table(c.table);
    if (t == nullptr) {
      std::string list;
      for (const auto& tt : map_->tables) list += (list.empty() ? "" : ", ") + tt.name;
      return Status::Unprocessable(where + ": the systems map has no table '" + c.table + "' (it has " + list + ")");
    }
    const FieldSpec* f = t->Field(c.column);
    if (f == nullptr) return Status::Unprocessable(where + ": '" + c.column + "' is not a field of " + c.table + " in the systems map");
    if (!f->withheld.empty()) return Status::Unprocessable(where + ": the field is withheld from the data subject");
    // Columns that find the person's rows (an email, an account id, a join) are not corrected
    // here: a new email would hand the account to whoever holds that mailbox. Staff change them
    // in the company's own systems once the new address is confirmed.
    for (const auto& l : t->links)
      if (l.column == c.column)
        return Status::Unprocessable(where + ": the column links rows to the person; it is not corrected");
    if (c.table == map_->subject.table && c.column == map_->subject.email_column)
      return Status::Unprocessable(where + ": the column links rows to the person; it is not corrected");
    // Opt-out flags change only through opt-out requests (and their history), never by a
    // correction that could quietly undo an opt-out of sale or of marketing.
    for (const auto* flags : {&map_->sale_opt_outs, &map_->marketing_opt_outs})
      for (const auto& flag : *flags)
        if (flag.table == c.table && flag.field == c.column)
          return Status::Unprocessable(where + ": an opt-out flag changes only through an opt-out request");
    if (c.table == map_->subject.table && c.column == map_->subject.id_column)
      return Status::Unprocessable(where + ": the account id is assigned by the company, not corrected");
    if (!(c.value.is_string() || c.value.is_number() || c.value.is_null()))
      return Status::Invalid(where + ": the value must be a string, a number or null");
  }
  return Status::Ok();
}

const std::vector<std::string>& Fulfiller::Steps() {
  static const std::vector<std::string> kSteps = {"export_access", "export_portability", "erase", "opt_out_sale",
                                                  "opt_out_marketing", "correct"};
  return kSteps;
}

Fulfiller::Fulfiller(std::shared_ptr<const SystemsMap> map, std::string company_db, std::string exports_dir)
    : map_(std::move(map)), company_db_(std::move(company_db)), exports_dir_(std::move(exports_dir)) {}

Result<std::vector<std::string>> Fulfiller::AccountIds(const DataSubject& subject) const {
  if (!map_) return Status::Invalid("no systems map");
  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Session session(*map_, **opened);
  if (Status st = session.ResolveSubject(subject); !st.ok()) return st;
  std::vector<std::string> ids;
  for (const SqlValue& v : session.account_ids())
    ids.push_back(v.type == SQLITE_INTEGER ? std::to_string(v.i) : v.s);
  return ids;
}

Result<std::map<std::string, std::vector<std::string>>> Fulfiller::DataPointValues(const DataSubject& subject) const {
  if (!map_) return Status::Invalid("no systems map");
  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Session session(*map_, **opened);
  if (Status st = session.ResolveSubject(subject); !st.ok()) return st;
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& t : map_->tables) {
    std::vector<std::string> columns, points;
    for (const auto& f : t.fields)
      if (!f.verification_point.empty()) {
        columns.push_back(f.name);
        points.push_back(f.verification_point);
      }
    if (columns.empty()) continue;
    auto stmt = session.SelectLinked(t, columns);
    if (!stmt.ok()) return stmt.status();
    Status st;
    while (stmt->Step(&st)) {
      for (size_t i = 0; i < columns.size(); ++i) {
        SqlValue v = stmt->Column(static_cast<int>(i));
        if (v.type == SQLITE_INTEGER) out[points[i]].push_back(std::to_string(v.i));
        else if (v.type == SQLITE_TEXT) out[points[i]].push_back(std::move(v.s));
      }
    }
    if (!st.ok()) return st;
  }
  return out;
}

std::vector<std::string> Fulfiller::DataPointNames() const {
  return map_ ? VerificationPointNames(*map_) : std::vector<std::string>{};
}

Result<std::vector<std::string>> Fulfiller::SubjectPhones(const DataSubject& subject) const {
  if (!map_) return Status::Invalid("no systems map");
  std::vector<std::string> phones;
  if (map_->subject.table.empty() || map_->subject.phone_column.empty()) return phones;
  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Session session(*map_, **opened);
  if (Status st = session.ResolveSubject(subject); !st.ok()) return st;
  for (const SqlValue& id : session.account_ids()) {
    auto q = (*opened)->Prepare("SELECT CAST(" + QuoteIdent(map_->subject.phone_column) + " AS TEXT) FROM " +
                                QuoteIdent(map_->subject.table) + " WHERE " + QuoteIdent(map_->subject.id_column) +
                                " = ?1 AND " + QuoteIdent(map_->subject.phone_column) + " IS NOT NULL");
    if (!q.ok()) return q.status();
    q->Bind(1, id);
    Status st;
    while (q->Step(&st)) phones.push_back(q->Column(0).s);
    if (!st.ok()) return st;
  }
  return phones;
}

std::vector<std::pair<std::string, std::string>> Fulfiller::TableCategories() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (map_)
    for (const auto& t : map_->tables) out.emplace_back(t.name, t.category);
  return out;
}

Result<StepResult> Fulfiller::Run(const std::string& step, const std::string& reference,
                                  const DataSubject& subject, std::optional<Millis> now) const {
  return Run(step, reference, subject, now, EraseOptions{});
}

namespace {

Status EnsureJournal(Db& db) {
  return db.Exec(std::string("CREATE TABLE IF NOT EXISTS ") + kJournal +
                 " (reference TEXT NOT NULL, step TEXT NOT NULL, summary TEXT NOT NULL,"
                 " files TEXT NOT NULL, PRIMARY KEY (reference, step))");
}

// A journal row: its result, whether every file it names still exists, and (exports) the
// instant the package was dated with.
struct Journaled {
  StepResult result;
  bool complete = false;
  std::optional<Millis> generated_at;
};

Result<std::optional<Journaled>> ReadJournal(Db& db, const std::string& reference, const std::string& key) {
  auto q = db.Prepare(std::string("SELECT summary, files FROM ") + kJournal + " WHERE reference = ?1 AND step = ?2");
  if (!q.ok()) return q.status();
  q->Bind(1, reference);
  q->Bind(2, key);
  Status st;
  std::optional<Journaled> out;
  if (q->Step(&st)) {
    Journaled j;
    std::error_code ec;
    json::value summary = json::parse(q->Column(0).s, ec);
    json::value files = ec ? json::value() : json::parse(q->Column(1).s, ec);
    bool complete = !ec && summary.is_object() && files.is_array();
    if (complete) {
      j.result.summary = summary.as_object();
      for (const auto& f : files.as_array()) {
        if (!f.is_string()) complete = false;
        if (!complete) break;
        j.result.files.emplace_back(f.as_string().c_str());
        if (!std::filesystem::exists(j.result.files.back())) complete = false;
      }
    }
    j.complete = complete;
    j.result.replayed = complete;
    if (summary.is_object())
      if (const auto* g = summary.as_object().if_contains("generated_at"); g && g->is_string())
        j.generated_at = ParseRfc3339(std::string_view(g->as_string()));
    out = std::move(j);
  }
  if (!st.ok()) return st;
  return out;
}

Status WriteJournal(Db& db, const std::string& reference, const std::string& key, const json::object& summary,
                    const std::vector<std::string>& file_list) {
  json::array files;
  for (const auto& f : file_list) files.emplace_back(f);
  auto ins = db.Prepare(std::string("INSERT OR REPLACE INTO ") + kJournal +
                        " (reference, step, summary, files) VALUES (?1, ?2, ?3, ?4)");
  if (!ins.ok()) return ins.status();
  ins->Bind(1, reference);
  ins->Bind(2, key);
  ins->Bind(3, json::serialize(summary));
  ins->Bind(4, json::serialize(files));
  Status st;
  ins->Step(&st);
  return st;
}

constexpr const char* kSubjectUnit = "erase/_subject";

}  // namespace

Status Fulfiller::ForgetSubject(const std::string& reference) const {
  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Db& db = **opened;
  if (Status st = EnsureJournal(db); !st.ok()) return st;
  auto del = db.Prepare(std::string("DELETE FROM ") + kJournal + " WHERE reference = ?1 AND step = ?2");
  if (!del.ok()) return del.status();
  del->Bind(1, reference);
  del->Bind(2, std::string(kSubjectUnit));
  Status st;
  del->Step(&st);
  return st;
}

std::vector<std::string> Fulfiller::Units(const std::string& step) const {
  if (step != "erase") return {""};
  std::vector<std::string> out;
  if (map_)
    for (const auto& t : map_->tables) out.push_back(t.name);
  return out;
}

Result<StepResult> Fulfiller::Run(const std::string& step, const std::string& reference,
                                  const DataSubject& subject, std::optional<Millis> now,
                                  const EraseOptions& erase) const {
  const auto& steps = Steps();
  if (std::find(steps.begin(), steps.end(), step) == steps.end())
    return Status::NotFound("unknown fulfillment step '" + step + "'");
  if (!map_) return Status::Invalid("no systems map");
  std::vector<StepResult> parts;
  for (const std::string& unit : Units(step)) {
    auto r = RunUnit(step, unit, reference, subject, now, erase);
    if (!r.ok()) return r.status();
    parts.push_back(std::move(r.value()));
  }
  return Assemble(*map_, step, reference, parts, static_cast<bool>(erase.holds_for));
}

StepResult Fulfiller::Assemble(const SystemsMap& map, const std::string& step, const std::string& reference,
                               const std::vector<StepResult>& units, bool with_holds) {
  if (step != "erase") {
    StepResult r = units.empty() ? StepResult{} : units.front();
    r.replayed = false;
    return r;
  }
  std::vector<TableErasure> parts;
  for (const StepResult& u : units) {
    TableErasure te;
    if (const auto* t = u.summary.if_contains("table"); t && t->is_object()) te.table = t->as_object();
    if (const auto* e = u.summary.if_contains("retained"); e && e->is_object()) te.retained = e->as_object();
    parts.push_back(std::move(te));
  }
  StepResult result;
  result.summary["step"] = step;
  result.summary["reference"] = reference;
  AssembleErase(map, parts, with_holds, result.summary);
  return result;
}

Result<StepResult> Fulfiller::RunUnit(const std::string& step, const std::string& unit, const std::string& reference,
                                      const DataSubject& subject, std::optional<Millis> now,
                                      const EraseOptions& erase) const {
  const auto& steps = Steps();
  if (std::find(steps.begin(), steps.end(), step) == steps.end())
    return Status::NotFound("unknown fulfillment step '" + step + "'");
  if (!IsSafeReference(reference)) return Status::Invalid("request reference is not usable as a folder name");
  if (!map_) return Status::Invalid("no systems map");
  const TableSpec* table = nullptr;
  if (step == "erase") {
    table = map_->Table(unit);
    if (table == nullptr) return Status::NotFound("the systems map has no table '" + unit + "' to erase");
  } else if (!unit.empty()) {
    return Status::NotFound("step '" + step + "' has no unit '" + unit + "'");
  }
  const std::string key = step == "erase" ? step + "/" + unit : step;

  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Db& db = **opened;
  Transaction tx(db);
  if (Status st = tx.Begin(); !st.ok()) return st;
  if (Status st = EnsureJournal(db); !st.ok()) return st;

  // 1. Already done for this reference?
  std::optional<Millis> recorded_at;
  {
    auto j = ReadJournal(db, reference, key);
    if (!j.ok()) return j.status();
    if (*j && (*j)->complete) return std::move((*j)->result);  // the transaction rolls back: nothing changed
    // An export whose file has gone is written again, dated as before: the same bytes.
    if (*j) recorded_at = (*j)->generated_at;
  }

  // 2. Who is the subject, which rows are theirs (exports read them as they go; the other steps
  // resolve them all before changing anything; erase units use the resolution the reference's
  // first erase unit recorded).
  const bool is_export = step == "export_access" || step == "export_portability";
  Session run(*map_, db);
  if (table != nullptr) {
    auto snap = ReadJournal(db, reference, kSubjectUnit);
    if (!snap.ok()) return snap.status();
    if (Status st = run.CheckSchema(); !st.ok()) return st;
    if (*snap) {
      if (Status st = run.LoadSnapshot((*snap)->result.summary, subject); !st.ok()) return st;
      if (Status st = run.Recheck(*table); !st.ok()) return st;
    } else {
      if (Status st = run.ResolveSubject(subject); !st.ok()) return st;
      if (Status st = run.LinkAll(); !st.ok()) return st;
      if (Status st = WriteJournal(db, reference, kSubjectUnit, run.Snapshot(), {}); !st.ok()) return st;
    }
  } else {
    if (Status st = run.ResolveSubject(subject); !st.ok()) return st;
    if (Status st = run.CheckSchema(); !st.ok()) return st;
    if (!is_export)
      if (Status st = run.LinkAll(); !st.ok()) return st;
  }

  // 3. The step.
  StepResult result;
  Status st;
  if (table != nullptr) {
    TableErasure te;
    st = EraseTable(run, *table, erase, te);
    result.summary["table"] = std::move(te.table);
    if (te.retained) result.summary["retained"] = std::move(*te.retained);
    // The last table erased: the recorded resolution (the person's account ids and row ids) is
    // needed no longer, and is itself personal data; it goes in the same transaction.
    if (st.ok() && table == &map_->tables.back()) {
      auto del = db.Prepare(std::string("DELETE FROM ") + kJournal + " WHERE reference = ?1 AND step = ?2");
      if (!del.ok()) return del.status();
      del->Bind(1, reference);
      del->Bind(2, std::string(kSubjectUnit));
      del->Step(&st);
    }
  } else {
    result.summary["step"] = step;
    result.summary["reference"] = reference;
    if (is_export) {
      std::error_code ec;
      const std::filesystem::path dir =
          std::filesystem::absolute(std::filesystem::path(exports_dir_) / reference, ec);
      if (!ec) std::filesystem::create_directories(dir, ec);
      if (ec) return Status::IoError("cannot create export folder for " + reference + ": " + ec.message());
      const ExportContext ctx{step, reference, subject, recorded_at ? recorded_at : now, dir};
      st = step == "export_access" ? ExportAccess(run, ctx, result, keep_review_) : ExportPortability(run, ctx, result);
      if (st.ok() && result.files.empty()) std::filesystem::remove(dir, ec);  // nothing written: no empty folder
    } else if (step == "correct") {
      st = CheckCorrections(erase.corrections);
      if (st.ok()) st = Correct(run, erase.corrections, result.summary);
    } else if (step == "opt_out_sale") {
      st = SetFlags(run, map_->sale_opt_outs, step, result.summary);
    } else {
      st = SetFlags(run, map_->marketing_opt_outs, step, result.summary);
    }
  }
  if (!st.ok()) return st;

  // 4. Record, commit.
  // A correction's journal row keeps no value from before it (personal data the request's own
  // history holds, purged with it).
  if (Status w = WriteJournal(db, reference, key, step == "correct" ? WithoutBefore(result.summary) : result.summary,
                              result.files);
      !w.ok())
    return w;
  if (Status c = tx.Commit(); !c.ok()) return c;
  return result;
}

}  // namespace dsar::fulfillment
