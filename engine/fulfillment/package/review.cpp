#include "fulfillment/package/review.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>
#include <fstream>
#include <map>
#include <set>

#include "fulfillment/package/index_html.h"
#include "fulfillment/package/package.h"

namespace dsar::fulfillment {

namespace json = boost::json;
namespace fs = std::filesystem;

fs::path ReviewDir(const std::string& exports_dir, const std::string& reference) {
  return fs::path(exports_dir) / reference / kReviewFolder;
}

const std::vector<RedactionReason>& RedactionReasons() {
  static const std::vector<RedactionReason> kReasons = {
      {"third_party_data", "third-party data",
       "GDPR Art. 15(4) and Recital 63: the copy must not adversely affect the rights and freedoms of others"},
      {"trade_secret", "trade secret",
       "GDPR Recital 63: trade secrets and intellectual property, in particular copyright protecting software"},
      {"security_identifier", "withheld for security",
       "Cal. Code Regs. tit. 11 § 7024(d): account passwords, security answers and government or financial "
       "account numbers are never disclosed"},
  };
  return kReasons;
}

const RedactionReason* FindRedactionReason(std::string_view code) {
  for (const auto& r : RedactionReasons())
    if (r.code == code) return &r;
  return nullptr;
}

std::string RedactionMarker(std::string_view label) { return "[redacted: " + std::string(label) + "]"; }

std::string NeutraliseCsvFormula(std::string cell) {
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' ||
                        cell[0] == '\r'))
    cell.insert(0, 1, '\'');
  return cell;
}

namespace {

Result<json::object> ReadMeta(const fs::path& review_dir) {
  std::ifstream in(review_dir / "meta.json", std::ios::binary);
  if (!in) return Status::NotFound("the package has no review data (it was released, or never staged for review)");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object() || !v.as_object().contains("tables") || !v.as_object().at("tables").is_array())
    return Status::IoError("the review data of the package is damaged: " + (review_dir / "meta.json").string());
  return std::move(v.as_object());
}

std::vector<std::string> Columns(const json::object& t) {
  std::vector<std::string> out;
  if (const auto* c = t.if_contains("columns"); c && c->is_array())
    for (const auto& v : c->as_array())
      if (v.is_string()) out.emplace_back(v.as_string());
  return out;
}

std::string Str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t Int(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

// The text a CSV cell shows for a staged value (as SqlValue::ToText would).
std::string CellText(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.as_string());
    case json::kind::int64:
      return std::to_string(v.as_int64());
    case json::kind::uint64:
      return std::to_string(v.as_uint64());
    case json::kind::double_: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_double());
      return std::string(buf, r.ptr);
    }
    default:
      return "";
  }
}

// Removes a folder however the build ends.
struct WorkDir {
  fs::path path;
  ~WorkDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

Result<std::vector<StagedTable>> ReadStagedTables(const fs::path& review_dir) {
  auto meta = ReadMeta(review_dir);
  if (!meta.ok()) return meta.status();
  std::vector<StagedTable> out;
  for (const auto& t : meta->at("tables").as_array()) {
    if (!t.is_object()) continue;
    out.push_back({Str(t.as_object(), "name"), Columns(t.as_object()), Int(t.as_object(), "rows")});
  }
  return out;
}

Result<std::vector<json::array>> ReadStagedRows(const fs::path& review_dir, const std::string& table,
                                                std::int64_t offset, std::int64_t limit) {
  auto meta = ReadMeta(review_dir);
  if (!meta.ok()) return meta.status();
  for (const auto& t : meta->at("tables").as_array()) {
    if (!t.is_object() || Str(t.as_object(), "name") != table) continue;
    std::vector<json::array> rows;
    if (Int(t.as_object(), "rows") == 0) return rows;
    std::ifstream in(review_dir / Str(t.as_object(), "file"), std::ios::binary);
    if (!in) return Status::IoError("the review data of table " + table + " is missing");
    std::string line;
    for (std::int64_t i = 0; std::getline(in, line) && i < offset + limit; ++i) {
      if (i < offset) continue;
      std::error_code ec;
      json::value v = json::parse(line, ec);
      if (ec || !v.is_array()) return Status::IoError("the review data of table " + table + " is damaged");
      rows.push_back(std::move(v.as_array()));
    }
    return rows;
  }
  return Status::NotFound("the package has no table '" + table + "'");
}

Status BuildAccessPackage(const fs::path& review_dir, const std::vector<Redaction>& redactions,
                          const std::string& zip_path) {
  auto meta = ReadMeta(review_dir);
  if (!meta.ok()) return meta.status();
  const json::array& tables = meta->at("tables").as_array();

  // table -> row -> columns redacted ("" = the whole row) with their labels.
  std::map<std::string, std::map<std::int64_t, std::map<std::string, std::string>>> red;
  for (const auto& r : redactions) {
    const json::object* spec = nullptr;
    for (const auto& t : tables)
      if (t.is_object() && Str(t.as_object(), "name") == r.table) spec = &t.as_object();
    if (spec == nullptr) return Status::Invalid("the package has no table '" + r.table + "'");
    if (r.row < 0 || r.row >= Int(*spec, "rows"))
      return Status::Invalid("table '" + r.table + "' has no row " + std::to_string(r.row) + " (it has " +
                             std::to_string(Int(*spec, "rows")) + ")");
    const auto cols = Columns(*spec);
    if (!r.column.empty() && std::find(cols.begin(), cols.end(), r.column) == cols.end())
      return Status::Invalid("table '" + r.table + "' has no column '" + r.column + "' in the package");
    red[r.table][r.row].emplace(r.column, r.label);  // the first redaction of a cell gives its label
  }

  WorkDir work;
  {
    std::error_code ec;
    const fs::path w = review_dir.parent_path() / ".staging-review";
    fs::remove_all(w, ec);
    if (!ec) fs::create_directories(w, ec);
    if (ec) return Status::IoError("cannot create staging folder " + w.string() + ": " + ec.message());
    work.path = w;
  }
  auto file = [&](const std::string& name) { return (work.path / name).string(); };

  OutputFile data;
  if (Status st = data.Open(file("data.json")); !st.ok()) return st;
  JsonWriter w(data);
  w.BeginObject();
  if (const auto* h = meta->if_contains("header"); h && h->is_object())
    for (const auto& kv : h->as_object()) {
      w.Key(kv.key());
      w.Value(kv.value());
    }
  w.Key("tables");
  w.BeginObject();
  std::vector<ZipMember> csvs;
  std::int64_t withheld_cells = 0;
  std::set<std::string> labels;
  for (const auto& tv : tables) {
    if (!tv.is_object()) continue;
    const json::object& t = tv.as_object();
    const std::string name = Str(t, "name");
    const auto columns = Columns(t);
    const std::int64_t rows = Int(t, "rows");
    w.Key(name);
    w.BeginObject();
    if (const auto* m = t.if_contains("meta"); m && m->is_object())
      for (const auto& kv : m->as_object()) {
        w.Key(kv.key());
        w.Value(kv.value());
      }
    w.Key("rows");
    w.BeginArray();
    if (rows > 0) {
      std::ifstream in(review_dir / Str(t, "file"), std::ios::binary);
      if (!in) return Status::IoError("the review data of table " + name + " is missing");
      const std::string csv_name = name + ".csv";
      OutputFile csv;
      if (Status st = csv.Open(file(csv_name)); !st.ok()) return st;
      csv.Write(CsvRecord(columns));
      const auto table_red = red.find(name);
      std::vector<std::string> cells(columns.size());
      std::string line, out;
      std::int64_t i = 0;
      for (; std::getline(in, line); ++i) {
        std::error_code ec;
        json::value v = json::parse(line, ec);
        if (ec || !v.is_array() || v.as_array().size() != columns.size())
          return Status::IoError("the review data of table " + name + " is damaged at row " + std::to_string(i));
        const std::map<std::string, std::string>* row_red = nullptr;
        if (table_red != red.end())
          if (auto rr = table_red->second.find(i); rr != table_red->second.end()) row_red = &rr->second;
        w.BeginObject();
        for (size_t k = 0; k < columns.size(); ++k) {
          const json::value& cell = v.as_array()[k];
          const std::string* label = nullptr;
          if (row_red) {
            if (auto c = row_red->find(columns[k]); c != row_red->end()) label = &c->second;
            else if (auto whole = row_red->find(""); whole != row_red->end()) label = &whole->second;
          }
          w.Key(columns[k]);
          if (label) {
            const std::string marker = RedactionMarker(*label);
            w.String(marker);
            cells[k] = marker;
            ++withheld_cells;
            labels.insert(*label);
          } else {
            w.Value(cell);
            cells[k] = cell.is_string() ? NeutraliseCsvFormula(CellText(cell)) : CellText(cell);
          }
        }
        w.EndObject();
        out.clear();
        AppendCsvRecord(out, cells);
        csv.Write(out);
      }
      if (i != rows) return Status::IoError("the review data of table " + name + " is incomplete");
      if (Status st = csv.Close(); !st.ok()) return st;
      csvs.push_back({csv_name, file(csv_name)});
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  w.Finish();
  if (Status st = data.Close(); !st.ok()) return st;

  std::string html;
  {
    std::ifstream in(review_dir / "index.html", std::ios::binary);
    if (!in) return Status::IoError("the review data of the package has no index.html");
    html.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  if (withheld_cells > 0) {
    std::string why;
    for (const auto& l : labels) why += (why.empty() ? "" : ", ") + l;
    const std::string note =
        "<p class=\"redactions\">To protect the rights and freedoms of others (GDPR Art. 15(4)), " +
        HtmlEscape(FormatCount(withheld_cells)) + (withheld_cells == 1 ? " value" : " values") +
        " in this package " + (withheld_cells == 1 ? "is" : "are") + " replaced by a note saying why (" +
        HtmlEscape(why) + ").</p>\n";
    const auto at = html.rfind("</body>");
    html.insert(at == std::string::npos ? html.size() : at, note);
  }
  OutputFile index;
  if (Status st = index.Open(file("index.html")); !st.ok()) return st;
  index.Write(html);
  if (Status st = index.Close(); !st.ok()) return st;

  std::vector<ZipMember> members = {{"index.html", file("index.html")}, {"data.json", file("data.json")}};
  members.insert(members.end(), csvs.begin(), csvs.end());
  return WriteZipFromFiles(zip_path, members);
}

}  // namespace dsar::fulfillment
