// GCC 12 reports false -Wmaybe-uninitialized warnings inside <regex> (std::function members of
// the regex compiler) when optimising with sanitizers; valijson instantiates std::regex here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "workflow/schema_check.h"

// yaml_adapter.h first: it fixes VALIJSON_USE_EXCEPTIONS for every valijson header.
#include "workflow/yaml_adapter.h"

#include <boost/json.hpp>
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <exception>
#include <regex>
#include <set>

#include "core/workflow.h"
#include "embedded_files.inc"

namespace dsar::workflow {

const char* WorkflowSchemaText() { return kEmbeddedWorkflowSchema; }

namespace {

// The schema, parsed once. `error` is set when the embedded text is not a usable schema (a
// build defect, caught by tests/workflow).
class CompiledSchema {
 public:
  CompiledSchema() {
    try {
      json_ = boost::json::parse(WorkflowSchemaText());
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::BoostJsonAdapter adapter(json_);
      parser.populateSchema(adapter, schema_);
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  const boost::json::value& json() const { return json_; }
  const valijson::Schema& schema() const { return schema_; }
  const std::string& error() const { return error_; }

 private:
  boost::json::value json_;
  valijson::Schema schema_;
  std::string error_;
};

const CompiledSchema& Compiled() {
  static const CompiledSchema compiled;
  return compiled;
}

// One step of a valijson context ("[states]", "[0]"), resolved against the document.
struct Step {
  std::string key;
  bool index = false;  // a list position (`pos`), else a mapping key
  size_t pos = 0;
};

// The node a context names, and the line to report for it: the line of its key when it is a
// mapping value (where the author reads `key:`), else the node's own line.
struct Located {
  YAML::Node node;
  int line = 1;
  std::vector<Step> steps;
};

int LineOf(const YAML::Node& n, int fallback) {
  if (n.IsNull()) return fallback;  // an empty value's mark points at the next token
  int line = n.Mark().line;
  return line >= 0 ? line + 1 : fallback;
}

Located Locate(const YAML::Node& root, const std::vector<std::string>& context) {
  // Nodes are rebound with reset(): YAML::Node::operator= would overwrite the node's content
  // inside the document instead.
  Located loc;
  loc.node.reset(root);
  loc.line = LineOf(root, 1);
  for (size_t i = 1; i < context.size(); ++i) {  // context[0] is "<root>"
    std::string text = context[i];
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    Step step;
    step.key = text;
    YAML::Node next;
    int next_line = loc.line;
    if (loc.node.IsMap()) {
      for (auto it = loc.node.begin(); it != loc.node.end(); ++it) {
        if (it->first.Scalar() == text) {
          next.reset(it->second);
          next_line = LineOf(it->first, loc.line);
          break;
        }
      }
    } else if (loc.node.IsSequence()) {
      step.index = true;
      step.pos = static_cast<size_t>(std::strtoul(text.c_str(), nullptr, 10));
      if (step.pos < loc.node.size()) {
        next.reset(loc.node[step.pos]);
        next_line = LineOf(next, loc.line);
      }
    }
    loc.steps.push_back(step);
    loc.node.reset(next);
    loc.line = next_line;
  }
  return loc;
}

// --- the schema, walked along the same path (for expected types, enums, allowed keys) ---

const boost::json::object* Deref(const boost::json::object* s) {
  const auto& root = Compiled().json().as_object();
  for (int guard = 0; s != nullptr && guard < 16; ++guard) {
    auto it = s->find("$ref");
    if (it == s->end() || !it->value().is_string()) return s;
    std::string ref(it->value().as_string());
    const std::string prefix = "#/definitions/";
    if (ref.rfind(prefix, 0) != 0) return nullptr;
    const boost::json::value* defs = root.if_contains("definitions");
    const boost::json::value* target = defs && defs->is_object() ? defs->as_object().if_contains(ref.substr(prefix.size())) : nullptr;
    s = target && target->is_object() ? &target->as_object() : nullptr;
  }
  return s;
}

const boost::json::object* Child(const boost::json::object* s, const Step& step) {
  s = Deref(s);
  if (s == nullptr) return nullptr;
  auto obj = [](const boost::json::value* v) { return v && v->is_object() ? &v->as_object() : nullptr; };
  if (step.index) return Deref(obj(s->if_contains("items")));
  if (const auto* props = obj(s->if_contains("properties")))
    if (const auto* p = obj(props->if_contains(step.key))) return Deref(p);
  if (const auto* patterns = obj(s->if_contains("patternProperties"))) {
    for (const auto& [pattern, sub] : *patterns) {
      if (std::regex_search(step.key, std::regex(std::string(pattern)))) return Deref(obj(&sub));
    }
  }
  return Deref(obj(s->if_contains("additionalProperties")));
}

const boost::json::object* SchemaAt(const std::vector<Step>& steps, size_t n) {
  const boost::json::object* s = &Compiled().json().as_object();
  for (size_t i = 0; i < n && s != nullptr; ++i) s = Child(s, steps[i]);
  return Deref(s);
}

std::vector<std::string> StringList(const boost::json::object* s, const char* key) {
  std::vector<std::string> out;
  if (s == nullptr) return out;
  const boost::json::value* v = s->if_contains(key);
  if (v == nullptr) return out;
  if (v->is_string()) out.emplace_back(v->as_string());
  if (v->is_array())
    for (const auto& e : v->as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

std::vector<std::string> AllowedKeys(const boost::json::object* s) {
  std::vector<std::string> keys;
  if (s == nullptr) return keys;
  if (const auto* p = s->if_contains("properties"); p && p->is_object())
    for (const auto& [k, _] : p->as_object()) keys.emplace_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string Join(const std::vector<std::string>& v, const std::string& sep = ", ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string TypePhrase(const std::string& t) {
  if (t == "object") return "a mapping";
  if (t == "array") return "a list";
  if (t == "string") return "a string";
  if (t == "integer") return "an integer";
  if (t == "number") return "a number";
  if (t == "boolean") return "true or false";
  if (t == "null") return "nothing";
  return t;
}

// --- where, in workflow terms ---

std::string Where(const std::vector<Step>& steps, size_t n) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < n) {
    const Step& s = steps[i];
    if (i == 0 && s.key == "states") {
      parts.push_back(i + 1 < n ? "state '" + steps[i + 1].key + "'" : "states");
      i += i + 1 < n ? 2 : 1;
    } else if (i == 0 && s.key == "any_state") {
      parts.push_back("any_state");
      ++i;
      if (i < n) parts.push_back("transition on '" + steps[i++].key + "'");
    } else if (s.key == "on" && !s.index && i + 1 < n) {
      parts.push_back("transition on '" + steps[i + 1].key + "'");
      i += 2;
    } else if (s.index) {
      if (!parts.empty() && parts.back().rfind("transition on", 0) == 0) {
        parts.back() += " (candidate " + std::to_string(s.pos + 1) + ")";
      } else {
        parts.push_back("item " + std::to_string(s.pos + 1));
      }
      ++i;
    } else if ((s.key == "effects" || s.key == "guards") && i + 1 < n && steps[i + 1].index) {
      parts.push_back(s.key.substr(0, s.key.size() - 1) + " " + std::to_string(steps[i + 1].pos + 1));
      i += 2;
    } else {
      parts.push_back(s.key);
      ++i;
    }
  }
  return Join(parts, ": ");
}

// "where: text", or just "text" at the top level.
std::string At(const std::string& where, const std::string& text) { return where.empty() ? text : where + ": " + text; }

bool EndsWith(const std::vector<Step>& steps, std::initializer_list<const char*> tail, bool last_is_index) {
  size_t need = tail.size() + (last_is_index ? 1 : 0);
  if (steps.size() < need) return false;
  size_t start = steps.size() - need;
  size_t j = 0;
  for (const char* key : tail) {
    const Step& s = steps[start + j++];
    if (s.index || s.key != key) return false;
  }
  return !last_is_index || steps.back().index;
}

bool IsEffectPath(const std::vector<Step>& steps) { return EndsWith(steps, {"effects"}, true); }

std::string KnownEffectList() {
  std::vector<std::string> names;
  for (const auto& k : KnownEffects()) names.push_back(k.takes_arg ? "{" + k.name + ": <name>}" : k.name);
  return Join(names);
}

const EffectKind* FindEffect(const std::string& kind) {
  for (const auto& k : KnownEffects())
    if (k.name == kind) return &k;
  return nullptr;
}

std::string UnknownEffect(const std::string& where, const std::string& kind, bool as_key) {
  const EffectKind* k = FindEffect(kind);
  if (k != nullptr && k->takes_arg && !as_key)
    return At(where, "effect '" + kind + "' needs an argument: write {" + kind + ": <name>}");
  if (k != nullptr && !k->takes_arg && as_key)
    return At(where, "effect '" + kind + "' takes no argument: write it as a plain string");
  return At(where, "unknown effect '" + kind + "' (known: " + KnownEffectList() + ")");
}

const char* kNameRule = "snake_case: a lowercase letter, then lowercase letters, digits or _";

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Errors that only say "a child failed"; the child's own error says what.
bool IsWrapper(const std::string& d) {
  return StartsWith(d, "Failed to validate against schema associated with property name") ||
         StartsWith(d, "Failed to validate against schema associated with pattern") ||
         StartsWith(d, "Failed to validate against additional properties schema") ||
         StartsWith(d, "Failed to validate item #") || StartsWith(d, "Failed to validate against child schema") ||
         StartsWith(d, "Failed to validate against any child schemas") ||
         StartsWith(d, "Failed to validate against exactly one child schema") ||
         StartsWith(d, "Failed to validate against any schemas allowed by anyOf") ||
         StartsWith(d, "Cannot validate item #");
}

// The quoted name at the end of a valijson description: "...: 'name'." -> name.
std::string TrailingName(const std::string& d) {
  size_t end = d.rfind('\'');
  if (end == std::string::npos || end == 0) return "";
  size_t begin = d.rfind('\'', end - 1);
  if (begin == std::string::npos) return "";
  return d.substr(begin + 1, end - begin - 1);
}


// Keys of `node` that the object schema at `steps` neither lists under `properties` nor admits
// through `additionalProperties`: one diagnostic each, at the key's line.
std::vector<Diagnostic> UnknownKeys(const Located& loc, const std::string& file) {
  std::vector<Diagnostic> out;
  const std::vector<Step>& steps = loc.steps;
  const size_t n = steps.size();
  const boost::json::object* schema = SchemaAt(steps, n);
  if (schema == nullptr || !loc.node.IsMap()) return out;
  const std::vector<std::string> allowed = AllowedKeys(schema);
  const boost::json::value* additional = schema->if_contains("additionalProperties");
  if (additional == nullptr || !additional->is_bool() || additional->as_bool()) return out;
  for (auto it = loc.node.begin(); it != loc.node.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    Diagnostic diag{file, LineOf(it->first, loc.line), ""};
    if (IsEffectPath(steps)) {
      diag.message = UnknownEffect(Where(steps, n - 2), key, /*as_key=*/true);
    } else if (n == 0) {
      diag.message = "unknown top-level key '" + key + "' (allowed: " + Join(allowed) + ")";
    } else {
      diag.message = At(Where(steps, n), "unknown key '" + key + "' (allowed: " + Join(allowed) + ")");
    }
    out.push_back(std::move(diag));
  }
  return out;
}

// State and event names are mapping keys; valijson's propertyNames check fails without saying
// which key, so they are checked here.
std::vector<Diagnostic> CheckNames(const YAML::Node& root, const std::string& file) {
  static const std::regex name_re("[a-z][a-z0-9_]*");
  std::vector<Diagnostic> out;
  auto check_keys = [&](const YAML::Node& map, const std::string& where, const char* what) {
    if (!map.IsMap()) return;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::regex_match(key, name_re)) continue;
      out.push_back(Diagnostic{file, LineOf(it->first, 1),
                               At(where, std::string(what) + " name '" + key + "' is not a valid name (" + kNameRule + ")")});
    }
  };
  if (!root.IsMap()) return out;
  for (auto top = root.begin(); top != root.end(); ++top) {
    const std::string section = top->first.Scalar();
    if (section == "any_state") check_keys(top->second, "any_state", "event");
    if (section != "states" || !top->second.IsMap()) continue;
    check_keys(top->second, "", "state");
    for (auto st = top->second.begin(); st != top->second.end(); ++st) {
      if (!st->second.IsMap()) continue;
      for (auto field = st->second.begin(); field != st->second.end(); ++field) {
        if (field->first.Scalar() == "on") check_keys(field->second, "state '" + st->first.Scalar() + "'", "event");
      }
    }
  }
  return out;
}

Diagnostic Render(const YAML::Node& root, const valijson::ValidationResults::Error& error, const std::string& file) {
  const Located loc = Locate(root, error.context);
  const std::vector<Step>& steps = loc.steps;
  const size_t n = steps.size();
  const std::string where = Where(steps, n);
  const std::string& d = error.description;
  const boost::json::object* schema = SchemaAt(steps, n);
  Diagnostic diag{file, loc.line, ""};

  // (Unknown keys are handled by UnknownKeys(): valijson names only the first such key.)
  if (StartsWith(d, "Missing required property")) {
    const std::string key = TrailingName(d);
    diag.message = n == 0 ? "missing required top-level key '" + key + "'" : At(where, "missing required key '" + key + "'");
  } else if (StartsWith(d, "Value type not permitted")) {
    std::vector<std::string> phrases;
    for (const auto& t : StringList(schema, "type")) phrases.push_back(TypePhrase(t));
    diag.message = At(n == 0 ? "top level" : where,
                      "expected " + (phrases.empty() ? std::string("another type") : Join(phrases, " or ")) +
                          ", got " + DescribeNode(loc.node));
  } else if (StartsWith(d, "Failed to match against any enum values")) {
    if (ClassifyScalar(loc.node) != ScalarKind::kString) return {};  // the type error says it
    const std::string value = loc.node.IsScalar() ? loc.node.Scalar() : DescribeNode(loc.node);
    const std::vector<std::string> allowed = StringList(schema, "enum");
    if (n >= 2 && steps[n - 1].index && steps[n - 2].key == "guards") {
      diag.message = At(Where(steps, n - 2), "unknown guard '" + value + "' (known: " + Join(allowed) + ")");
    } else if (n == 1 && steps[0].key == "request_type") {
      diag.message = "request_type '" + value + "' is not a request type (" + Join(allowed) + ")";
    } else {
      diag.message = At(where, "'" + value + "' is not one of: " + Join(allowed));
    }
  } else if (StartsWith(d, "Failed to match regex")) {
    const std::string value = loc.node.Scalar();
    if (IsEffectPath(steps)) {
      diag.message = UnknownEffect(Where(steps, n - 2), value, /*as_key=*/false);
    } else if (EndsWith(steps, {"timeout", "after"}, false)) {
      diag.message = At(Where(steps, n - 2), "timeout after '" + value +
                                                 "' is not a duration like 30d, 12h or 45m (days, hours, minutes)");
    } else {
      diag.message = At(where, "'" + value + "' is not a valid name (" + kNameRule + ")");
    }
  } else if (StartsWith(d, "Array should contain no fewer than")) {
    diag.message = At(where, "the list of candidates must not be empty");
  } else if (StartsWith(d, "Object should have no fewer than") || StartsWith(d, "Object should have no more than")) {
    if (IsEffectPath(steps)) {
      diag.message = At(Where(steps, n - 2), "effect " + std::to_string(steps[n - 1].pos + 1) +
                                                 " must have exactly one key: mail, fulfill or task");
    } else if (n == 1 && steps[0].key == "states") {
      diag.message = "states: at least one state is required";
    } else {
      diag.message = At(where, d);
    }
  } else if (StartsWith(d, "Expected number greater than or equal to")) {
    std::int64_t minimum = 1;
    if (schema != nullptr)
      if (const auto* m = schema->if_contains("minimum"); m && m->is_int64()) minimum = m->as_int64();
    diag.message = At(where, "must be at least " + std::to_string(minimum) + ", got " + loc.node.Scalar());
  } else if (StartsWith(d, "Elements at indexes")) {
    diag.message = At(where, "the list holds the same entry twice");
  } else {
    diag.message = At(where, d);
  }
  return diag;
}

}  // namespace

std::vector<Diagnostic> CheckAgainstSchema(const YAML::Node& root, const std::string& file) {
  const CompiledSchema& compiled = Compiled();
  if (!compiled.error().empty())
    return {Diagnostic{file, 0, "internal error: the embedded workflow schema is unusable: " + compiled.error()}};

  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  StrictYamlAdapter target(root);
  if (validator.validate(compiled.schema(), target, &results)) return {};

  std::vector<Diagnostic> out = CheckNames(root, file);
  std::set<std::pair<int, std::string>> seen;
  for (const auto& d : out) seen.insert({d.line, d.message});
  auto add = [&](Diagnostic d) {
    if (!d.message.empty() && seen.insert({d.line, d.message}).second) out.push_back(std::move(d));
  };
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (IsWrapper(error.description)) continue;
    if (StartsWith(error.description, "Object contains a property that could not be validated")) {
      for (auto& d : UnknownKeys(Locate(root, error.context), file)) add(std::move(d));
    } else {
      add(Render(root, error, file));
    }
  }
  if (out.empty()) out.push_back(Diagnostic{file, 1, "the document does not match the workflow schema"});
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  return out;
}

}  // namespace dsar::workflow
