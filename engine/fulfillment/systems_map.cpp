// Loading and checking a systems map (format: the comment at the top of demo/systems.yaml).

#include "fulfillment/systems_map.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace dsar::fulfillment {

const FieldSpec* TableSpec::Field(const std::string& field) const {
  for (const auto& f : fields)
    if (f.name == field) return &f;
  return nullptr;
}

const TableSpec* SystemsMap::Table(const std::string& table) const {
  for (const auto& t : tables)
    if (t.name == table) return &t;
  return nullptr;
}

std::vector<std::string> VerificationPointNames(const SystemsMap& map) {
  std::set<std::string> names;
  for (const auto& t : map.tables)
    for (const auto& f : t.fields)
      if (!f.verification_point.empty()) names.insert(f.verification_point);
  return {names.begin(), names.end()};
}

bool ConnectorSpec::Takes(const std::string& action) const {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}

bool IsValidIdentifier(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!alpha(name[0])) return false;
  for (char c : name)
    if (!alpha(c) && !digit(c)) return false;
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.rfind("sqlite_", 0) != 0;
}

namespace {

// Thrown inside the loader only; LoadSystemsMap turns it into Status::Invalid.
struct MapError {
  int line;  // 1-based; 0 when unknown
  std::string message;
};

int LineOf(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

[[noreturn]] void Fail(const YAML::Node& at, const std::string& message) { throw MapError{LineOf(at), message}; }

void RequireMap(const YAML::Node& n, const std::string& what) {
  if (!n.IsMap()) Fail(n, what + " must be a mapping");
}

// Rejects keys other than `allowed` (catches typos such as "erasse").
void CheckKeys(const YAML::Node& n, const std::string& what, std::initializer_list<const char*> allowed) {
  for (const auto& kv : n) {
    const std::string key = kv.first.as<std::string>();
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) Fail(kv.first, "unknown key '" + key + "' in " + what);
  }
}

std::string Text(const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) Fail(n, what + " must be a text");
  return n.Scalar();
}

std::string OptText(const YAML::Node& parent, const char* key, const std::string& what, const std::string& dflt) {
  const YAML::Node n = parent[key];
  if (!n.IsDefined() || n.IsNull()) return dflt;
  return Text(n, what + "." + key);
}

std::string Identifier(const YAML::Node& n, const std::string& what) {
  const std::string s = Text(n, what);
  if (!IsValidIdentifier(s))
    Fail(n, what + " '" + s + "' is not a valid SQL identifier ([A-Za-z_][A-Za-z0-9_]*, not sqlite_*)");
  return s;
}

std::string RequiredIdentifier(const YAML::Node& parent, const char* key, const std::string& what) {
  const YAML::Node n = parent[key];
  if (!n.IsDefined() || n.IsNull()) Fail(parent, what + " needs '" + key + "'");
  return Identifier(n, what + "." + key);
}

bool Bool(const YAML::Node& n, const std::string& what) {
  bool b = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, b)) Fail(n, what + " must be true or false");
  return b;
}

std::vector<std::string> TextList(const YAML::Node& n, const std::string& what) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& item : n) out.push_back(Text(item, what + " item"));
  } else {
    Fail(n, what + " must be a text or a list of texts");
  }
  return out;
}

FieldErase ParseFieldErase(const YAML::Node& n, const std::string& what) {
  // `erase: null` is YAML's null; it means the "null" strategy here.
  if (n.IsNull()) return FieldErase::kNull;
  const std::string s = Text(n, what);
  if (s == "null") return FieldErase::kNull;
  if (s == "mask") return FieldErase::kMask;
  if (s == "keep") return FieldErase::kKeep;
  if (s == "delete") Fail(n, what + ": 'delete' applies to whole rows; say it on the table's erase");
  Fail(n, what + ": unknown erase strategy '" + s + "' (expected null, mask or keep)");
}

Link ParseLink(const YAML::Node& n, const std::string& what) {
  RequireMap(n, what);
  CheckKeys(n, what, {"column", "matches", "via", "references"});
  Link link;
  link.line = LineOf(n);
  link.column = RequiredIdentifier(n, "column", what);
  const bool has_matches = n["matches"].IsDefined(), has_via = n["via"].IsDefined();
  if (has_matches == has_via) Fail(n, what + " needs exactly one of 'matches' or 'via'");
  if (has_matches) {
    const std::string m = Text(n["matches"], what + ".matches");
    if (m == "email") {
      link.kind = Link::Kind::kEmail;
    } else if (m == "account_id") {
      link.kind = Link::Kind::kAccountId;
    } else {
      Fail(n["matches"], what + ".matches: unknown '" + m + "' (expected email or account_id)");
    }
    if (n["references"].IsDefined()) Fail(n["references"], what + ": 'references' goes with 'via'");
  } else {
    link.kind = Link::Kind::kVia;
    link.via = Identifier(n["via"], what + ".via");
    link.references = RequiredIdentifier(n, "references", what);
  }
  return link;
}

FieldSpec ParseField(const std::string& name, const YAML::Node& key, const YAML::Node& n, const TableSpec& table) {
  const std::string what = "field " + table.name + "." + name;
  FieldSpec f;
  f.name = name;
  f.line = LineOf(key);
  f.category = table.category;
  f.purpose = table.purpose;
  f.source = table.source;
  f.recipients = table.recipients;
  f.retention = table.retention;
  if (n.IsNull()) return f;  // `col:` alone: the table's defaults
  RequireMap(n, what);
  CheckKeys(n, what,
            {"category", "provided_by_subject", "purpose", "source", "recipients", "retention", "erase", "reason",
             "mask_with", "keep_last", "withheld", "description", "verification_point"});
  f.category = OptText(n, "category", what, f.category);
  f.purpose = OptText(n, "purpose", what, f.purpose);
  f.source = OptText(n, "source", what, f.source);
  f.retention = OptText(n, "retention", what, f.retention);
  if (n["recipients"].IsDefined()) f.recipients = TextList(n["recipients"], what + ".recipients");
  if (n["provided_by_subject"].IsDefined()) f.provided_by_subject = Bool(n["provided_by_subject"], what + ".provided_by_subject");
  if (n["erase"].IsDefined()) f.erase = ParseFieldErase(n["erase"], what + ".erase");
  f.reason = OptText(n, "reason", what, "");
  f.withheld = OptText(n, "withheld", what, "");
  if (n["mask_with"].IsDefined()) f.mask_with = Text(n["mask_with"], what + ".mask_with");
  if (n["keep_last"].IsDefined()) {
    int k = -1;
    if (!n["keep_last"].IsScalar() || !YAML::convert<int>::decode(n["keep_last"], k) || k < 0 || k > 64)
      Fail(n["keep_last"], what + ".keep_last must be a whole number from 0 to 64");
    f.keep_last = k;
  }
  if ((f.mask_with || f.keep_last) && f.erase != FieldErase::kMask)
    Fail(n, what + ": mask_with and keep_last go with erase: mask");
  if (f.mask_with && f.keep_last) Fail(n, what + ": give mask_with or keep_last, not both");
  if (n["verification_point"].IsDefined()) {
    f.verification_point = Text(n["verification_point"], what + ".verification_point");
    static const std::regex kPoint("^[a-z][a-z0-9_]{0,39}$");
    if (!std::regex_match(f.verification_point, kPoint))
      Fail(n["verification_point"], what + ".verification_point must be a snake_case name (a-z, 0-9, _; at most 40)");
    if (!f.withheld.empty())
      Fail(n["verification_point"], what + ": a withheld field (" + f.withheld +
                                        ") cannot be a verification data point");
  }
  return f;
}

// `key` is the table's name node, for the message when `erase` is missing.
void ParseTableErase(const YAML::Node& key, const YAML::Node& n, TableSpec& t) {
  const std::string what = "table " + t.name + " erase";
  if (!n.IsDefined() || n.IsNull()) Fail(key, "table " + t.name + " needs 'erase' (delete, keep or fields)");
  // Note: yaml-cpp's Node assignment rebinds shared nodes, so pick the node without assigning.
  const YAML::Node strategy = n.IsMap() ? n["strategy"] : n;
  if (n.IsMap()) {
    CheckKeys(n, what, {"strategy", "reason", "keep_if"});
    if (!strategy.IsDefined()) Fail(n, what + " needs 'strategy' (delete, keep or fields)");
    t.erase_reason = OptText(n, "reason", what, "");
    if (n["keep_if"].IsDefined()) {
      const YAML::Node k = n["keep_if"];
      RequireMap(k, what + ".keep_if");
      CheckKeys(k, what + ".keep_if", {"column", "in"});
      KeepIf keep;
      keep.column = RequiredIdentifier(k, "column", what + ".keep_if");
      if (!k["in"].IsDefined()) Fail(k, what + ".keep_if needs 'in' (a list of values)");
      keep.values = TextList(k["in"], what + ".keep_if.in");
      if (keep.values.empty()) Fail(k["in"], what + ".keep_if.in must not be empty");
      t.keep_if = keep;
    }
  }
  const std::string s = Text(strategy, what);
  if (s == "delete") {
    t.erase = TableErase::kDelete;
  } else if (s == "keep") {
    t.erase = TableErase::kKeep;
  } else if (s == "fields") {
    t.erase = TableErase::kFields;
  } else {
    Fail(strategy, what + ": unknown strategy '" + s + "' (expected delete, keep or fields)");
  }
  if (t.erase == TableErase::kKeep && t.erase_reason.empty())
    Fail(n, what + ": keep needs a reason (e.g. \"legal obligation, GDPR Art. 17(3)(b)\")");
  if (t.keep_if && t.erase != TableErase::kDelete) Fail(n, what + ": keep_if goes with strategy delete");
  if (t.keep_if && t.erase_reason.empty()) Fail(n, what + ": keep_if needs a reason why those rows are kept");
}

TableSpec ParseTable(const YAML::Node& key, const YAML::Node& n) {
  TableSpec t;
  t.name = Identifier(key, "table name");
  t.line = LineOf(key);
  const std::string what = "table " + t.name;
  RequireMap(n, what);
  CheckKeys(n, what,
            {"description", "link", "category", "purpose", "source", "recipients", "retention", "erase", "fields"});
  t.description = OptText(n, "description", what, "");
  t.category = OptText(n, "category", what, "");
  t.purpose = OptText(n, "purpose", what, "");
  t.source = OptText(n, "source", what, "");
  t.retention = OptText(n, "retention", what, "");
  if (n["recipients"].IsDefined()) t.recipients = TextList(n["recipients"], what + ".recipients");

  const YAML::Node links = n["link"];
  if (!links.IsDefined()) Fail(key, what + " needs 'link' (how its rows link to a person)");
  if (links.IsMap()) {
    t.links.push_back(ParseLink(links, what + " link"));
  } else if (links.IsSequence() && links.size() > 0) {
    for (const auto& l : links) t.links.push_back(ParseLink(l, what + " link"));
  } else {
    Fail(links, what + ".link must be a mapping or a non-empty list of them");
  }

  ParseTableErase(key, n["erase"], t);

  const YAML::Node fields = n["fields"];
  if (!fields.IsDefined() || !fields.IsMap() || fields.size() == 0)
    Fail(fields.IsDefined() ? fields : key, what + " needs 'fields' (a mapping of its columns)");
  std::set<std::string> seen;
  for (const auto& kv : fields) {
    const std::string name = Identifier(kv.first, what + " field name");
    if (!seen.insert(name).second) Fail(kv.first, what + ": field '" + name + "' appears twice");
    t.fields.push_back(ParseField(name, kv.first, kv.second, t));
  }
  for (const auto& f : t.fields) {
    const std::string fw = "field " + t.name + "." + f.name;
    if (f.category.empty()) throw MapError{f.line, fw + " has no category (its own or the table's)"};
    if (f.purpose.empty()) throw MapError{f.line, fw + " has no purpose (its own or the table's)"};
    if (t.erase == TableErase::kFields && f.erase == FieldErase::kUnset)
      throw MapError{f.line, fw + " needs erase (null, mask or keep): the table's rows stay after erasure"};
    if (f.erase == FieldErase::kKeep && f.reason.empty() && t.erase_reason.empty())
      throw MapError{f.line, fw + ": keep needs a reason (the field's or the table's)"};
  }
  return t;
}

OptOutFlag ParseFlag(const YAML::Node& n, const std::string& what) {
  RequireMap(n, what);
  CheckKeys(n, what, {"table", "field", "value"});
  OptOutFlag f;
  f.line = LineOf(n);
  f.table = RequiredIdentifier(n, "table", what);
  f.field = RequiredIdentifier(n, "field", what);
  const YAML::Node v = n["value"];
  if (!v.IsDefined() || !v.IsScalar()) Fail(n, what + " needs a scalar 'value'");
  long long i = 0;
  bool b = false;
  if (YAML::convert<long long>::decode(v, i)) {
    f.int_value = i;
  } else if (YAML::convert<bool>::decode(v, b)) {
    f.int_value = b ? 1 : 0;
  }
  f.text_value = v.Scalar();
  return f;
}

std::vector<OptOutFlag> ParseFlags(const YAML::Node& n, const std::string& what) {
  std::vector<OptOutFlag> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) Fail(n, what + " must be a list of {table, field, value}");
  for (const auto& item : n) out.push_back(ParseFlag(item, what + " flag"));
  return out;
}

// "250ms", "5s", "15m", "24h", "2d" → milliseconds (> 0).
Millis Duration(const YAML::Node& n, const std::string& what) {
  const std::string s = Text(n, what);
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  const std::string unit = s.substr(digits);
  Millis per = 0;
  if (unit == "ms") per = 1;
  else if (unit == "s") per = kMillisPerSecond;
  else if (unit == "m") per = kMillisPerMinute;
  else if (unit == "h") per = kMillisPerHour;
  else if (unit == "d") per = kMillisPerDay;
  if (digits == 0 || digits > 9 || per == 0)
    Fail(n, what + ": '" + s + "' is not a duration (a whole number with ms, s, m, h or d, e.g. 30s)");
  const Millis v = std::stoll(s.substr(0, digits)) * per;
  if (v <= 0) Fail(n, what + " must be more than zero");
  return v;
}

const std::vector<std::string>& ConnectorActions() {
  static const std::vector<std::string> kActions = {"erase", "opt_out_sale", "opt_out_marketing"};
  return kActions;
}

void ParseWebhook(const YAML::Node& key, const YAML::Node& n, const std::string& what, WebhookSpec& w) {
  const YAML::Node endpoint = n["endpoint"];
  if (!endpoint.IsDefined() || endpoint.IsNull()) Fail(key, what + " needs 'endpoint' (an http:// or https:// URL)");
  w.endpoint = Text(endpoint, what + ".endpoint");
  if (w.endpoint.rfind("http://", 0) != 0 && w.endpoint.rfind("https://", 0) != 0)
    Fail(endpoint, what + ".endpoint must be an http:// or https:// URL");
  const YAML::Node secret = n["secret_file"];
  if (!secret.IsDefined() || secret.IsNull())
    Fail(key, what + " needs 'secret_file' (a file holding the HMAC key on its first line)");
  w.secret_file = Text(secret, what + ".secret_file");
  if (w.secret_file.empty()) Fail(secret, what + ".secret_file must not be empty");
  if (const YAML::Node c = n["completion"]; c.IsDefined()) {
    const std::string v = Text(c, what + ".completion");
    if (v == "callback") w.callback = true;
    else if (v != "response") Fail(c, what + ".completion: unknown '" + v + "' (expected response or callback)");
  }
  if (n["connect_timeout"].IsDefined()) w.connect_timeout = Duration(n["connect_timeout"], what + ".connect_timeout");
  if (n["timeout"].IsDefined()) w.timeout = Duration(n["timeout"], what + ".timeout");
  if (n["callback_timeout"].IsDefined()) {
    if (!w.callback) Fail(n["callback_timeout"], what + ": callback_timeout goes with completion: callback");
    w.callback_timeout = Duration(n["callback_timeout"], what + ".callback_timeout");
  }
  if (w.connect_timeout > w.timeout) Fail(key, what + ": connect_timeout is longer than timeout");
}

// `systems:` (webhook and manual systems) and `processors:`, each a mapping of names.
void ParseConnectors(const YAML::Node& root, SystemsMap& map) {
  std::set<std::string> names;
  for (const char* section : {"systems", "processors"}) {
    const YAML::Node list = root[section];
    if (!list.IsDefined() || list.IsNull()) continue;
    const bool processors = std::string(section) == "processors";
    if (!list.IsMap()) Fail(list, std::string(section) + " must be a mapping of names");
    for (const auto& kv : list) {
      ConnectorSpec c;
      c.processor = processors;
      c.line = LineOf(kv.first);
      c.name = Identifier(kv.first, std::string(processors ? "processor" : "system") + " name");
      const std::string what = std::string(processors ? "processor " : "system ") + c.name;
      if (!names.insert(c.name).second) Fail(kv.first, what + " appears twice (system and processor names are one list)");
      if (c.name == "company_db") Fail(kv.first, "the name 'company_db' is the company database's own");
      const YAML::Node n = kv.second;
      RequireMap(n, what);
      c.description = OptText(n, "description", what, "");
      if (processors) {
        CheckKeys(n, what,
                  {"description", "endpoint", "secret_file", "completion", "connect_timeout", "timeout",
                   "callback_timeout", "receives"});
        c.kind = ConnectorSpec::Kind::kWebhook;
        const YAML::Node receives = n["receives"];
        if (!receives.IsDefined() || receives.IsNull())
          Fail(kv.first, what + " needs 'receives' (deletion, opt_out_sale, opt_out_marketing)");
        for (const std::string& type : TextList(receives, what + ".receives")) {
          if (type == "deletion") c.actions.push_back("erase");
          else if (type == "opt_out_sale" || type == "opt_out_marketing") c.actions.push_back(type);
          else Fail(receives, what + ".receives: unknown request type '" + type +
                                  "' (expected deletion, opt_out_sale or opt_out_marketing)");
        }
        ParseWebhook(kv.first, n, what, c.webhook);
      } else {
        const YAML::Node kind = n["kind"];
        if (!kind.IsDefined()) Fail(kv.first, what + " needs 'kind' (webhook or manual)");
        const std::string k = Text(kind, what + ".kind");
        if (k == "webhook") {
          c.kind = ConnectorSpec::Kind::kWebhook;
          CheckKeys(n, what,
                    {"kind", "description", "endpoint", "secret_file", "completion", "connect_timeout", "timeout",
                     "callback_timeout", "actions"});
          ParseWebhook(kv.first, n, what, c.webhook);
        } else if (k == "manual") {
          c.kind = ConnectorSpec::Kind::kManual;
          CheckKeys(n, what, {"kind", "description", "instructions", "actions"});
          const YAML::Node ins = n["instructions"];
          if (!ins.IsDefined() || ins.IsNull()) Fail(kv.first, what + " needs 'instructions' (what staff are to do)");
          c.instructions = Text(ins, what + ".instructions");
        } else {
          Fail(kind, what + ".kind: unknown '" + k + "' (expected webhook or manual)");
        }
        const YAML::Node actions = n["actions"];
        if (!actions.IsDefined() || actions.IsNull())
          Fail(kv.first, what + " needs 'actions' (erase, opt_out_sale, opt_out_marketing)");
        for (const std::string& a : TextList(actions, what + ".actions")) {
          const auto& known = ConnectorActions();
          if (std::find(known.begin(), known.end(), a) == known.end())
            Fail(actions, what + ".actions: unknown '" + a + "' (expected erase, opt_out_sale or opt_out_marketing)");
          c.actions.push_back(a);
        }
      }
      if (c.actions.empty()) Fail(kv.first, what + " takes part in no action");
      map.connectors.push_back(std::move(c));
    }
  }
}

SystemsMap Parse(const YAML::Node& root, const std::string& path) {
  SystemsMap map;
  map.path = path;
  RequireMap(root, "a systems map");
  CheckKeys(root, "the systems map",
            {"version", "system", "description", "controller", "automated_decision_making", "rights", "subject",
             "opt_outs", "tables", "systems", "processors", "backups"});
  if (root["version"].IsDefined() && Text(root["version"], "version") != "1")
    Fail(root["version"], "unsupported systems map version '" + root["version"].Scalar() + "' (expected 1)");
  map.system = OptText(root, "system", "the systems map", "");
  if (const YAML::Node c = root["controller"]; c.IsDefined() && !c.IsNull()) {
    RequireMap(c, "controller");
    CheckKeys(c, "controller", {"name", "contact", "dpo"});
    const YAML::Node name = c["name"];
    if (!name.IsDefined() || name.IsNull()) {
      // At the `controller:` key (a block mapping's own mark is its first entry).
      for (const auto& kv : root)
        if (kv.first.Scalar() == "controller") Fail(kv.first, "controller needs 'name' (who is responsible for the data)");
    }
    map.controller.name = Text(name, "controller.name");
    if (map.controller.name.empty()) Fail(name, "controller.name must not be empty");
    map.controller.contact = OptText(c, "contact", "controller", "");
    map.controller.dpo = OptText(c, "dpo", "controller", "");
  }
  for (auto [key, out] : {std::pair{"automated_decision_making", &map.automated_decision_making},
                          std::pair{"rights", &map.rights}}) {
    const YAML::Node n = root[key];
    if (n.IsDefined() && !n.IsNull()) *out = Text(n, key);
  }

  if (const YAML::Node s = root["subject"]; s.IsDefined() && !s.IsNull()) {
    RequireMap(s, "subject");
    CheckKeys(s, "subject", {"table", "id", "email", "phone"});
    map.subject.table = RequiredIdentifier(s, "table", "subject");
    map.subject.id_column = RequiredIdentifier(s, "id", "subject");
    map.subject.email_column = RequiredIdentifier(s, "email", "subject");
    if (s["phone"].IsDefined()) map.subject.phone_column = RequiredIdentifier(s, "phone", "subject");
  }

  const YAML::Node tables = root["tables"];
  if (!tables.IsDefined() || !tables.IsMap() || tables.size() == 0)
    Fail(tables.IsDefined() ? tables : root, "the systems map needs 'tables' (a mapping of table names)");
  std::set<std::string> names;
  for (const auto& kv : tables) {
    TableSpec t = ParseTable(kv.first, kv.second);
    if (!names.insert(t.name).second) throw MapError{t.line, "table '" + t.name + "' appears twice"};
    if (t.name == "dsar_fulfillment_log")
      throw MapError{t.line, "table name 'dsar_fulfillment_log' is reserved for the fulfillment journal"};
    map.tables.push_back(std::move(t));
  }

  // Links through other tables: the target exists, the referenced column is named, no cycles.
  for (const auto& t : map.tables) {
    for (const auto& l : t.links) {
      if (l.kind != Link::Kind::kVia) continue;
      if (!map.Table(l.via))
        throw MapError{l.line, "table " + t.name + " links via '" + l.via + "', which is not in the map"};
      if (l.via == t.name) throw MapError{l.line, "table " + t.name + " links via itself"};
    }
  }
  std::map<std::string, int> state;  // 0 unseen, 1 on the path, 2 done
  std::function<void(const TableSpec&)> visit = [&](const TableSpec& t) {
    state[t.name] = 1;
    for (const auto& l : t.links) {
      if (l.kind != Link::Kind::kVia) continue;
      if (state[l.via] == 1) throw MapError{l.line, "tables link via each other in a cycle (" + t.name + " -> " + l.via + ")"};
      if (state[l.via] == 0) visit(*map.Table(l.via));
    }
    state[t.name] = 2;
  };
  for (const auto& t : map.tables)
    if (state[t.name] == 0) visit(t);

  if (const YAML::Node o = root["opt_outs"]; o.IsDefined() && !o.IsNull()) {
    RequireMap(o, "opt_outs");
    CheckKeys(o, "opt_outs", {"sale", "marketing"});
    map.sale_opt_outs = ParseFlags(o["sale"], "opt_outs.sale");
    map.marketing_opt_outs = ParseFlags(o["marketing"], "opt_outs.marketing");
    for (const auto* list : {&map.sale_opt_outs, &map.marketing_opt_outs})
      for (const auto& f : *list)
        if (!map.Table(f.table))
          throw MapError{f.line, "opt-out flag " + f.table + "." + f.field + ": table '" + f.table + "' is not in the map"};
  }
  // The email a request names identifies the person; it cannot also count as proof of identity.
  if (const TableSpec* st = map.Table(map.subject.table))
    if (const FieldSpec* f = st->Field(map.subject.email_column); f && !f->verification_point.empty())
      throw MapError{f->line, "field " + st->name + "." + f->name +
                                  ": the subject's email column cannot be a verification data point"};
  ParseConnectors(root, map);
  if (const YAML::Node b = root["backups"]; b.IsDefined() && !b.IsNull()) {
    RequireMap(b, "backups");
    CheckKeys(b, "backups", {"retention_days"});
    const YAML::Node d = b["retention_days"];
    int days = 0;
    if (!d.IsDefined() || !d.IsScalar() || !YAML::convert<int>::decode(d, days) || days < 1 || days > 3650)
      Fail(d.IsDefined() ? d : b, "backups.retention_days must be a whole number of days from 1 to 3650");
    map.backups.retention_days = days;
    map.backups.line = LineOf(d);
  }
  return map;
}

}  // namespace

Result<std::shared_ptr<const SystemsMap>> LoadSystemsMap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(path + ": cannot read the systems map");
  std::stringstream text;
  text << in.rdbuf();
  try {
    const YAML::Node root = YAML::Load(text.str());
    return std::shared_ptr<const SystemsMap>(std::make_shared<SystemsMap>(Parse(root, path)));
  } catch (const MapError& e) {
    return Status::Invalid(path + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return Status::Invalid(path + ":" + std::to_string(line) + ": " + e.msg);
  }
}

}  // namespace dsar::fulfillment
