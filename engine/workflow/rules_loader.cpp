#include "workflow/rules_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "core/model.h"
#include "workflow/yaml_adapter.h"

namespace dsar::workflow {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxNodes = 20000;
constexpr int kMaxDepth = 16;

int Line(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 1; }

// Reads typed fields from YAML nodes, collecting `file:line: message` diagnostics.
class Reader {
 public:
  Reader(std::string file, std::vector<Diagnostic>& errors) : file_(std::move(file)), errors_(errors) {}

  void Error(const YAML::Node& at, const std::string& message) {
    errors_.push_back(Diagnostic{file_, Line(at.Mark()), message});
  }
  void Error(int line, const std::string& message) { errors_.push_back(Diagnostic{file_, line, message}); }
  size_t error_count() const { return errors_.size(); }

  // Pass 1: duplicate keys and non-scalar keys, with a bound on size (aliases count per use).
  bool ScanKeys(const YAML::Node& node, int depth = 0) {
    if (++nodes_ > kMaxNodes || depth > kMaxDepth) {
      Error(node, "the document is too large or too deeply nested");
      return false;
    }
    if (node.IsSequence()) {
      for (const auto& item : node)
        if (!ScanKeys(item, depth + 1)) return false;
    } else if (node.IsMap()) {
      std::map<std::string, int> seen;
      for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key = it->first;
        const int line = Line(key.Mark());
        if (!key.IsScalar()) {
          Error(line, "mapping keys must be plain names, not lists or mappings");
        } else if (auto [pos, inserted] = seen.emplace(key.Scalar(), line); !inserted) {
          Error(line, "duplicate key '" + key.Scalar() + "' (first defined on line " + std::to_string(pos->second) +
                          ")");
        }
        if (!ScanKeys(it->second, depth + 1)) return false;
      }
    }
    return true;
  }

  bool ExpectMap(const YAML::Node& node, const std::string& what) {
    if (node.IsMap()) return true;
    Error(node, what + " must be a mapping, not " + DescribeNode(node));
    return false;
  }

  // Reports keys of `map` not in `allowed`.
  void CheckKeys(const YAML::Node& map, std::initializer_list<const char*> allowed, const std::string& what) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        Error(it->first, "unknown key '" + key + "' in " + what + " (expected: " + list + ")");
      }
    }
  }

  std::optional<std::string> String(const YAML::Node& map, const char* key, bool required, const std::string& what) {
    const YAML::Node v = map[key];
    if (!v.IsDefined()) {
      if (required) Error(map, what + " needs '" + key + "'");
      return std::nullopt;
    }
    if (ClassifyScalar(v) != ScalarKind::kString || v.Scalar().empty()) {
      Error(v, "'" + std::string(key) + "' in " + what + " must be a non-empty string, not " + DescribeNode(v));
      return std::nullopt;
    }
    return v.Scalar();
  }

  std::optional<int> Int(const YAML::Node& map, const char* key, bool required, int min, int max,
                         const std::string& what) {
    const YAML::Node v = map[key];
    if (!v.IsDefined()) {
      if (required) Error(map, what + " needs '" + key + "'");
      return std::nullopt;
    }
    auto n = ScalarInteger(v);
    if (!n || *n < min || *n > max) {
      Error(v, "'" + std::string(key) + "' in " + what + " must be an integer from " + std::to_string(min) + " to " +
                   std::to_string(max) + ", not " + DescribeNode(v));
      return std::nullopt;
    }
    return static_cast<int>(*n);
  }

  std::optional<bool> Bool(const YAML::Node& map, const char* key, bool required, const std::string& what) {
    const YAML::Node v = map[key];
    if (!v.IsDefined()) {
      if (required) Error(map, what + " needs '" + key + "'");
      return std::nullopt;
    }
    auto b = ScalarBool(v);
    if (!b) Error(v, "'" + std::string(key) + "' in " + what + " must be true or false, not " + DescribeNode(v));
    return b;
  }

 private:
  std::string file_;
  std::vector<Diagnostic>& errors_;
  size_t nodes_ = 0;
};

// Parses one YAML document; nullopt (with a diagnostic) on a syntax error or several documents.
std::optional<YAML::Node> ParseDocument(const std::string& source, Reader& rd, const std::string& what) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(source);
  } catch (const YAML::ParserException& e) {
    rd.Error(Line(e.mark), "YAML syntax error: " + e.msg);
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    rd.Error(Line(e.mark), "YAML error: " + e.msg);
    return std::nullopt;
  }
  if (docs.empty()) {
    rd.Error(1, "the file holds no YAML document (expected " + what + ")");
    return std::nullopt;
  }
  if (docs.size() > 1) {
    rd.Error(docs[1], "only one YAML document per file is allowed");
    return std::nullopt;
  }
  const size_t before = rd.error_count();
  rd.ScanKeys(docs[0]);
  if (rd.error_count() != before) return std::nullopt;
  if (!rd.ExpectMap(docs[0], "the document")) return std::nullopt;
  return docs[0];
}

std::optional<std::string> ReadFile(const fs::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  if (in) bytes << in.rdbuf();
  if (!in || in.bad()) {
    error = std::string("cannot read the file: ") + std::strerror(errno);
    return std::nullopt;
  }
  return bytes.str();
}

bool IsYaml(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

bool IsIdentifier(const std::string& s) {
  static const std::regex kId("^[a-z][a-z0-9_]{0,63}$");
  return std::regex_match(s, kId);
}

// ---- calendars ----

std::optional<date::weekday> ParseWeekday(const std::string& s) {
  static const char* kNames[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  for (unsigned i = 0; i < 7; ++i)
    if (s == kNames[i]) return date::weekday{i};
  return std::nullopt;
}

std::optional<date::local_days> ParseIsoDate(const std::string& s) {
  static const std::regex kDate("^([0-9]{4})-([0-9]{2})-([0-9]{2})$");
  std::smatch m;
  if (!std::regex_match(s, m, kDate)) return std::nullopt;
  const date::year_month_day ymd{date::year{std::stoi(m[1])}, date::month{static_cast<unsigned>(std::stoi(m[2]))},
                                 date::day{static_cast<unsigned>(std::stoi(m[3]))}};
  if (!ymd.ok()) return std::nullopt;
  return date::local_days{ymd};
}

std::optional<date::weekday> WeekdayField(Reader& rd, const YAML::Node& map, const std::string& what) {
  auto s = rd.String(map, "weekday", true, what);
  if (!s) return std::nullopt;
  auto wd = ParseWeekday(*s);
  if (!wd) rd.Error(map["weekday"], "unknown weekday '" + *s + "' in " + what + " (monday .. sunday)");
  return wd;
}

std::optional<HolidayRule> ParseHolidayRule(Reader& rd, const YAML::Node& node) {
  const std::string what = "a holiday";
  if (!rd.ExpectMap(node, what)) return std::nullopt;
  rd.CheckKeys(node,
               {"name", "fixed", "nth_weekday", "last_weekday", "easter_offset", "observed", "offset_days",
                "from_year", "until_year", "citation"},
               what);
  const size_t before = rd.error_count();
  HolidayRule r;
  r.line = Line(node.Mark());
  if (auto name = rd.String(node, "name", true, what)) r.name = *name;
  const std::string named = r.name.empty() ? what : "holiday '" + r.name + "'";
  int kinds = 0;
  if (const YAML::Node f = node["fixed"]; f.IsDefined()) {
    ++kinds;
    r.kind = HolidayRule::Kind::kFixed;
    if (rd.ExpectMap(f, "'fixed' of " + named)) {
      rd.CheckKeys(f, {"month", "day"}, "'fixed' of " + named);
      auto m = rd.Int(f, "month", true, 1, 12, "'fixed' of " + named);
      auto d = rd.Int(f, "day", true, 1, 31, "'fixed' of " + named);
      if (m && d) {
        r.month = static_cast<unsigned>(*m);
        r.day = static_cast<unsigned>(*d);
        // 2000 is a leap year: 29 February is accepted (it then applies in leap years only).
        if (!(date::year{2000} / date::month{r.month} / date::day{r.day}).ok())
          rd.Error(f, "'fixed' of " + named + ": month " + std::to_string(*m) + " has no day " + std::to_string(*d));
      }
    }
  }
  if (const YAML::Node n = node["nth_weekday"]; n.IsDefined()) {
    ++kinds;
    r.kind = HolidayRule::Kind::kNthWeekday;
    const std::string w = "'nth_weekday' of " + named;
    if (rd.ExpectMap(n, w)) {
      rd.CheckKeys(n, {"month", "weekday", "nth"}, w);
      if (auto m = rd.Int(n, "month", true, 1, 12, w)) r.month = static_cast<unsigned>(*m);
      if (auto wd = WeekdayField(rd, n, w)) r.weekday = *wd;
      if (auto k = rd.Int(n, "nth", true, 1, 5, w)) r.nth = static_cast<unsigned>(*k);
    }
  }
  if (const YAML::Node l = node["last_weekday"]; l.IsDefined()) {
    ++kinds;
    r.kind = HolidayRule::Kind::kLastWeekday;
    const std::string w = "'last_weekday' of " + named;
    if (rd.ExpectMap(l, w)) {
      rd.CheckKeys(l, {"month", "weekday"}, w);
      if (auto m = rd.Int(l, "month", true, 1, 12, w)) r.month = static_cast<unsigned>(*m);
      if (auto wd = WeekdayField(rd, l, w)) r.weekday = *wd;
    }
  }
  if (node["easter_offset"].IsDefined()) {
    ++kinds;
    r.kind = HolidayRule::Kind::kEasterOffset;
    if (auto o = rd.Int(node, "easter_offset", true, -100, 100, named)) r.easter_offset = *o;
  }
  if (kinds != 1)
    rd.Error(node, named + " needs exactly one of fixed, nth_weekday, last_weekday, easter_offset (found " +
                       std::to_string(kinds) + ")");
  if (auto o = rd.Int(node, "offset_days", false, -31, 31, named)) r.offset_days = *o;
  if (auto y = rd.Int(node, "from_year", false, 1583, 9999, named)) r.from_year = *y;
  if (auto y = rd.Int(node, "until_year", false, 1583, 9999, named)) r.until_year = *y;
  if (r.from_year && r.until_year && *r.from_year > *r.until_year)
    rd.Error(node, named + ": from_year is after until_year");
  if (auto obs = rd.String(node, "observed", false, named)) {
    if (*obs == "none") r.observed = Observance::kNone;
    else if (*obs == "nearest_weekday") r.observed = Observance::kNearestWeekday;
    else if (*obs == "sunday_to_monday") r.observed = Observance::kSundayToMonday;
    else if (*obs == "substitute_next_weekday") r.observed = Observance::kSubstituteNextWeekday;
    else
      rd.Error(node["observed"], "unknown observance '" + *obs + "' in " + named +
                                     " (none, nearest_weekday, sunday_to_monday, substitute_next_weekday)");
  }
  rd.String(node, "citation", false, named);
  if (rd.error_count() != before) return std::nullopt;
  return r;
}

std::vector<DatedHoliday> ParseDatedList(Reader& rd, const YAML::Node& seq, const std::string& key) {
  std::vector<DatedHoliday> out;
  if (!seq.IsSequence()) {
    rd.Error(seq, "'" + key + "' must be a list, not " + DescribeNode(seq));
    return out;
  }
  std::set<date::local_days> seen;
  for (const auto& item : seq) {
    const std::string what = "an entry of '" + key + "'";
    if (!rd.ExpectMap(item, what)) continue;
    rd.CheckKeys(item, {"date", "name"}, what);
    auto name = rd.String(item, "name", true, what);
    auto text = rd.String(item, "date", true, what);
    if (!text) continue;
    auto day = ParseIsoDate(*text);
    if (!day) {
      rd.Error(item["date"], "'date' in " + what + " must be a date YYYY-MM-DD, not '" + *text + "'");
      continue;
    }
    if (!seen.insert(*day).second) rd.Error(item, "date " + *text + " is listed twice in '" + key + "'");
    out.push_back(DatedHoliday{*day, name.value_or(""), false});
  }
  return out;
}

CalendarLoad LoadCalendarImpl(const std::string& source, const std::string& file, const std::string& expected_id) {
  CalendarLoad out;
  Reader rd(file, out.errors);
  auto root = ParseDocument(source, rd, "a holiday calendar mapping");
  if (!root) return out;
  const YAML::Node& doc = *root;
  const std::string what = "the calendar";
  rd.CheckKeys(doc, {"id", "name", "source", "notes", "weekend", "holidays", "one_off", "cancelled"}, what);
  HolidayCalendar cal;
  if (auto id = rd.String(doc, "id", true, what)) {
    if (!IsIdentifier(*id)) rd.Error(doc["id"], "calendar id '" + *id + "' must be snake_case ([a-z][a-z0-9_]*)");
    else if (!expected_id.empty() && *id != expected_id)
      rd.Error(doc["id"], "calendar id '" + *id + "' must equal the file name ('" + expected_id + "')");
    cal.id = *id;
  }
  if (auto name = rd.String(doc, "name", true, what)) cal.name = *name;
  if (auto src = rd.String(doc, "source", true, what)) cal.source = *src;
  rd.String(doc, "notes", false, what);
  if (const YAML::Node w = doc["weekend"]; w.IsDefined()) {
    cal.weekend.fill(false);
    if (!w.IsSequence()) {
      rd.Error(w, "'weekend' must be a list of weekday names, not " + DescribeNode(w));
    } else {
      for (const auto& item : w) {
        auto wd = ClassifyScalar(item) == ScalarKind::kString ? ParseWeekday(item.Scalar()) : std::nullopt;
        if (!wd) rd.Error(item, "unknown weekday " + DescribeNode(item) + " in 'weekend' (monday .. sunday)");
        else cal.weekend[wd->c_encoding()] = true;
      }
      if (std::all_of(cal.weekend.begin(), cal.weekend.end(), [](bool b) { return b; }))
        rd.Error(w, "'weekend' cannot hold every day of the week");
    }
  }
  if (const YAML::Node h = doc["holidays"]; !h.IsDefined()) {
    rd.Error(doc, "the calendar needs 'holidays' (a list)");
  } else if (!h.IsSequence()) {
    rd.Error(h, "'holidays' must be a list, not " + DescribeNode(h));
  } else {
    std::map<std::string, int> names;
    for (const auto& item : h) {
      if (auto r = ParseHolidayRule(rd, item)) {
        if (auto [pos, inserted] = names.emplace(r->name, r->line); !inserted)
          rd.Error(r->line, "holiday '" + r->name + "' is already defined on line " + std::to_string(pos->second));
        cal.rules.push_back(std::move(*r));
      }
    }
  }
  if (const YAML::Node o = doc["one_off"]; o.IsDefined()) cal.one_off = ParseDatedList(rd, o, "one_off");
  if (const YAML::Node c = doc["cancelled"]; c.IsDefined()) cal.cancelled = ParseDatedList(rd, c, "cancelled");
  if (out.errors.empty()) out.calendars.emplace(cal.id, std::move(cal));
  return out;
}

// ---- jurisdictions ----

std::optional<Period> ParsePeriod(Reader& rd, const YAML::Node& node, const std::string& what) {
  if (!rd.ExpectMap(node, what)) return std::nullopt;
  rd.CheckKeys(node, {"amount", "unit", "counting", "citation"}, what);
  const size_t before = rd.error_count();
  Period p;
  if (auto a = rd.Int(node, "amount", true, 1, 3650, what)) p.amount = *a;
  if (auto u = rd.String(node, "unit", true, what)) {
    if (*u == "days") p.unit = PeriodUnit::kDays;
    else if (*u == "business_days") p.unit = PeriodUnit::kBusinessDays;
    else if (*u == "months") p.unit = PeriodUnit::kMonths;
    else rd.Error(node["unit"], "unknown unit '" + *u + "' in " + what + " (days, business_days, months)");
  }
  if (auto c = rd.String(node, "counting", true, what)) {
    if (*c == "eu_1182_71") p.counting = Counting::kEu1182_71;
    else if (*c == "uk_ico") p.counting = Counting::kUkIco;
    else if (*c == "receipt_plus") p.counting = Counting::kReceiptPlus;
    else rd.Error(node["counting"], "unknown counting '" + *c + "' in " + what + " (eu_1182_71, uk_ico, receipt_plus)");
  }
  if (auto cite = rd.String(node, "citation", true, what)) p.citation = *cite;
  if (rd.error_count() != before) return std::nullopt;
  return p;
}

std::optional<ExtensionRule> ParseExtension(Reader& rd, const YAML::Node& node, const std::string& what) {
  if (!rd.ExpectMap(node, what)) return std::nullopt;
  rd.CheckKeys(node, {"amount", "unit", "max_count", "notice_within_first_period", "citation"}, what);
  const size_t before = rd.error_count();
  ExtensionRule e;
  if (auto a = rd.Int(node, "amount", true, 1, 3650, what)) e.amount = *a;
  if (auto u = rd.String(node, "unit", true, what)) {
    if (*u == "days") e.unit = PeriodUnit::kDays;
    else if (*u == "business_days") e.unit = PeriodUnit::kBusinessDays;
    else if (*u == "months") e.unit = PeriodUnit::kMonths;
    else rd.Error(node["unit"], "unknown unit '" + *u + "' in " + what + " (days, business_days, months)");
  }
  if (auto m = rd.Int(node, "max_count", true, 1, 10, what)) e.max_count = *m;
  if (auto n = rd.Bool(node, "notice_within_first_period", true, what)) e.notice_within_current_period = *n;
  if (auto cite = rd.String(node, "citation", true, what)) e.citation = *cite;
  if (rd.error_count() != before) return std::nullopt;
  return e;
}

bool IsYamlNull(const YAML::Node& n) { return n.IsNull() || ClassifyScalar(n) == ScalarKind::kNull; }

// Reads `response`, `extension`, `acknowledgment` from `node` into `rule` (keys present replace,
// null removes an optional one). `require_response`: the key must be present.
void ParseDeadlineKeys(Reader& rd, const YAML::Node& node, DeadlineRule& rule, bool require_response,
                       const std::string& what) {
  if (const YAML::Node r = node["response"]; r.IsDefined()) {
    if (auto p = ParsePeriod(rd, r, "'response' of " + what)) rule.response = *p;
  } else if (require_response) {
    rd.Error(node, what + " needs 'response'");
  }
  if (const YAML::Node e = node["extension"]; e.IsDefined()) {
    if (IsYamlNull(e)) rule.extension.reset();
    else if (auto x = ParseExtension(rd, e, "'extension' of " + what)) rule.extension = *x;
  }
  if (const YAML::Node a = node["acknowledgment"]; a.IsDefined()) {
    if (IsYamlNull(a)) rule.acknowledgment.reset();
    else if (auto p = ParsePeriod(rd, a, "'acknowledgment' of " + what)) rule.acknowledgment = *p;
  }
}

std::optional<JurisdictionRule> ParseJurisdiction(Reader& rd, const std::string& code, const YAML::Node& node,
                                                  const std::map<std::string, HolidayCalendar>& calendars) {
  const std::string what = "jurisdiction '" + code + "'";
  if (!rd.ExpectMap(node, what)) return std::nullopt;
  rd.CheckKeys(node,
               {"name", "calendar", "needs_jurisdiction", "response", "extension", "acknowledgment", "pause",
                "request_types", "appeal"},
               what);
  const size_t before = rd.error_count();
  JurisdictionRule j;
  j.code = code;
  if (auto name = rd.String(node, "name", true, what)) j.name = *name;
  if (auto cal = rd.String(node, "calendar", true, what)) {
    if (*cal == "none") j.default_calendar.clear();
    else if (calendars.find(*cal) == calendars.end())
      rd.Error(node["calendar"], what + " names holiday calendar '" + *cal +
                                     "', which is not loaded (workflows/calendars/" + *cal + ".yaml, or 'none')");
    else j.default_calendar = *cal;
  }
  if (auto n = rd.Bool(node, "needs_jurisdiction", false, what)) j.needs_jurisdiction = *n;
  ParseDeadlineKeys(rd, node, j.deadline, true, what);
  if (const YAML::Node p = node["pause"]; !p.IsDefined()) {
    rd.Error(node, what + " needs 'pause' ({allowed, citation})");
  } else if (rd.ExpectMap(p, "'pause' of " + what)) {
    rd.CheckKeys(p, {"allowed", "citation"}, "'pause' of " + what);
    if (auto a = rd.Bool(p, "allowed", true, "'pause' of " + what)) j.clock_may_pause = *a;
    if (auto c = rd.String(p, "citation", true, "'pause' of " + what)) j.pause_citation = *c;
  }
  if (const YAML::Node types = node["request_types"]; types.IsDefined()) {
    if (rd.ExpectMap(types, "'request_types' of " + what)) {
      for (auto it = types.begin(); it != types.end(); ++it) {
        const std::string type = it->first.Scalar();
        if (!ParseRequestType(type)) {
          rd.Error(it->first, "unknown request type '" + type + "' in " + what +
                                  " (access, deletion, portability, correction, opt_out_sale, opt_out_marketing, "
                                  "objection)");
          continue;
        }
        const std::string w = what + ", request type '" + type + "'";
        if (!rd.ExpectMap(it->second, w)) continue;
        rd.CheckKeys(it->second, {"response", "extension", "acknowledgment"}, w);
        DeadlineRule merged = j.deadline;
        ParseDeadlineKeys(rd, it->second, merged, false, w);
        j.by_request_type.emplace(type, std::move(merged));
      }
    }
  }
  if (const YAML::Node a = node["appeal"]; a.IsDefined() && !IsYamlNull(a)) {
    const std::string w = "'appeal' of " + what;
    if (rd.ExpectMap(a, w)) {
      rd.CheckKeys(a, {"response", "extension"}, w);
      DeadlineRule appeal;
      ParseDeadlineKeys(rd, a, appeal, true, w);
      j.appeal = std::move(appeal);
    }
  }
  if (rd.error_count() != before) return std::nullopt;
  return j;
}

}  // namespace

CalendarLoad LoadCalendarSource(const std::string& source, const std::string& file) {
  const std::string stem = file.empty() ? std::string() : fs::path(file).stem().string();
  return LoadCalendarImpl(source, file, stem);
}

CalendarLoad LoadCalendarDir(const std::string& dir) {
  CalendarLoad result;
  std::vector<fs::path> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    result.errors.push_back(Diagnostic{dir, 0, "cannot read the calendar directory: " + ec.message()});
    return result;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && IsYaml(it->path())) files.push_back(it->path());
  }
  if (ec) {
    result.errors.push_back(Diagnostic{dir, 0, "cannot read the calendar directory: " + ec.message()});
    return result;
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, HolidayCalendar> calendars;
  for (const fs::path& path : files) {
    const std::string file = (fs::path(dir) / path.filename()).string();
    std::string error;
    auto text = ReadFile(path, error);
    if (!text) {
      result.errors.push_back(Diagnostic{file, 0, error});
      continue;
    }
    CalendarLoad one = LoadCalendarSource(*text, file);
    for (auto& d : one.errors) result.errors.push_back(std::move(d));
    for (auto& [id, cal] : one.calendars) calendars.emplace(id, std::move(cal));  // ids = unique file stems
  }
  if (result.errors.empty()) result.calendars = std::move(calendars);
  return result;
}

JurisdictionLoad LoadJurisdictionSource(const std::string& source, const std::string& file,
                                        const std::map<std::string, HolidayCalendar>& calendars) {
  JurisdictionLoad out;
  Reader rd(file, out.errors);
  auto root = ParseDocument(source, rd, "a 'jurisdictions' mapping");
  if (!root) return out;
  const YAML::Node& doc = *root;
  rd.CheckKeys(doc, {"jurisdictions"}, "the file");
  const YAML::Node table = doc["jurisdictions"];
  if (!table.IsDefined()) {
    rd.Error(doc, "the file needs 'jurisdictions' (a mapping from code to rule)");
    return out;
  }
  if (!rd.ExpectMap(table, "'jurisdictions'")) return out;
  JurisdictionRules rules;
  for (auto it = table.begin(); it != table.end(); ++it) {
    const std::string code = it->first.Scalar();
    if (!IsIdentifier(code)) {
      rd.Error(it->first, "jurisdiction code '" + code + "' must be snake_case ([a-z][a-z0-9_]*)");
      continue;
    }
    if (auto j = ParseJurisdiction(rd, code, it->second, calendars)) rules.by_code.emplace(code, std::move(*j));
  }
  for (const char* code : {"gdpr", "uk_gdpr", "ccpa", "vcdpa", "cpa", "ctdpa", "tdpsa", "lgpd", "pipeda", "default"})
    if (table[code].IsDefined() == false)
      rd.Error(table, std::string("'jurisdictions' has no entry for '") + code + "'" +
                          (std::string(code) == "default" ? " (the rule for an unknown jurisdiction)" : ""));
  if (out.errors.empty()) out.rules = std::move(rules);
  return out;
}

JurisdictionLoad LoadJurisdictionFile(const std::string& path,
                                      const std::map<std::string, HolidayCalendar>& calendars) {
  std::string error;
  auto text = ReadFile(path, error);
  if (!text) {
    JurisdictionLoad out;
    out.errors.push_back(Diagnostic{path, 0, error});
    return out;
  }
  return LoadJurisdictionSource(*text, path, calendars);
}

DeadlineData LoadDeadlineData(const std::string& workflows_dir) {
  DeadlineData out;
  CalendarLoad cals = LoadCalendarDir((fs::path(workflows_dir) / "calendars").string());
  out.errors = std::move(cals.errors);
  JurisdictionLoad rules =
      LoadJurisdictionFile((fs::path(workflows_dir) / "jurisdictions" / "jurisdictions.yaml").string(), cals.calendars);
  for (auto& d : rules.errors) out.errors.push_back(std::move(d));
  if (out.errors.empty()) {
    out.calendars = std::move(cals.calendars);
    out.rules = std::move(rules.rules);
  }
  return out;
}

}  // namespace dsar::workflow
