#include "fulfillment/connectors/sql/export.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

#include "fulfillment/package/index_html.h"
#include "fulfillment/package/package.h"
#include "fulfillment/package/review.h"

namespace dsar::fulfillment::sql {

namespace {

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

}  // namespace

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

}  // namespace dsar::fulfillment::sql
