#include "workflow/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/sha256.h"
#include "workflow/schema_check.h"
#include "workflow/validate.h"
#include "workflow/yaml_adapter.h"

namespace dsar::workflow {

std::string Diagnostic::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

namespace {

// Bounds on what pass 1 walks: yaml-cpp shares aliased nodes, so a document of a few lines
// can name an exponential number of nodes ("billion laughs"); a workflow has a few hundred.
constexpr size_t kMaxNodes = 100000;
constexpr int kMaxDepth = 64;

int Line(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 1; }

// ---- pass 1: YAML syntax, one document, keys that are unique plain scalars ----

class KeyScanner {
 public:
  KeyScanner(const std::string& file, std::vector<Diagnostic>& out) : file_(file), out_(out) {}

  // Returns false when the walk was cut short (too deep / too many nodes).
  bool Scan(const YAML::Node& node, int depth) {
    if (++nodes_ > kMaxNodes || depth > kMaxDepth) {
      if (!limit_reported_) {
        out_.push_back(Diagnostic{file_, Line(node.Mark()),
                                  "the document is too large or too deeply nested (aliases count for each use)"});
        limit_reported_ = true;
      }
      return false;
    }
    if (node.IsSequence()) {
      for (const auto& item : node)
        if (!Scan(item, depth + 1)) return false;
    } else if (node.IsMap()) {
      std::map<std::string, int> seen;  // key -> line of its first occurrence
      for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key = it->first;  // a copy: it-> yields a temporary
        int line = Line(key.Mark());
        if (!key.IsScalar()) {
          out_.push_back(Diagnostic{file_, line, "mapping keys must be plain names, not lists or mappings"});
        } else if (auto [pos, inserted] = seen.emplace(key.Scalar(), line); !inserted) {
          out_.push_back(Diagnostic{file_, line,
                                    "duplicate key '" + key.Scalar() + "' (first defined on line " +
                                        std::to_string(pos->second) + ")"});
        }
        if (!Scan(it->second, depth + 1)) return false;
      }
    }
    return true;
  }

 private:
  const std::string& file_;
  std::vector<Diagnostic>& out_;
  size_t nodes_ = 0;
  bool limit_reported_ = false;
};

// ---- building the Workflow from a document that passed the schema ----

struct Entry {
  YAML::Node key;
  YAML::Node value;
  int line;  // of the key
};

std::vector<Entry> Entries(const YAML::Node& map) {
  std::vector<Entry> out;
  if (!map.IsMap()) return out;
  for (auto it = map.begin(); it != map.end(); ++it) out.push_back({it->first, it->second, Line(it->first.Mark())});
  return out;
}

const Entry* Find(const std::vector<Entry>& entries, const std::string& key) {
  for (const auto& e : entries)
    if (e.key.Scalar() == key) return &e;
  return nullptr;
}

std::vector<std::string> Strings(const YAML::Node& seq) {
  std::vector<std::string> out;
  if (seq.IsSequence())
    for (const auto& item : seq) out.push_back(item.Scalar());
  return out;
}

Millis ParseDuration(const std::string& text) {
  // The schema guarantees ^[1-9][0-9]{0,5}[dhm]$, so this cannot overflow.
  Millis n = std::stoll(text.substr(0, text.size() - 1));
  switch (text.back()) {
    case 'd': return n * kMillisPerDay;
    case 'h': return n * kMillisPerHour;
    default: return n * kMillisPerMinute;
  }
}

TransitionDef BuildCandidate(const YAML::Node& node, int start_line) {
  TransitionDef t;
  t.line = start_line;
  for (const Entry& e : Entries(node)) {
    const std::string& k = e.key.Scalar();
    if (k == "to") {
      t.to = e.value.Scalar();
      t.line = e.line;
    } else if (k == "guards") {
      t.guards = Strings(e.value);
    } else if (k == "effects" && e.value.IsSequence()) {
      for (const auto& item : e.value) {
        EffectDef effect;
        effect.line = item.Mark().line >= 0 ? Line(item.Mark()) : e.line;
        if (item.IsMap()) {
          for (const Entry& arg : Entries(item)) {
            effect.kind = arg.key.Scalar();
            effect.arg = arg.value.IsScalar() ? arg.value.Scalar() : "";
            effect.line = arg.line;
          }
        } else {
          effect.kind = item.Scalar();
        }
        t.effects.push_back(std::move(effect));
      }
    }
  }
  return t;
}

std::map<std::string, std::vector<TransitionDef>> BuildTransitions(const YAML::Node& node) {
  std::map<std::string, std::vector<TransitionDef>> out;
  for (const Entry& e : Entries(node)) {
    std::vector<TransitionDef>& candidates = out[e.key.Scalar()];
    if (e.value.IsSequence()) {
      for (const auto& item : e.value) candidates.push_back(BuildCandidate(item, Line(item.Mark())));
    } else {
      candidates.push_back(BuildCandidate(e.value, e.line));
    }
  }
  return out;
}

StateDef BuildState(const std::string& name, const YAML::Node& node, int line) {
  StateDef s;
  s.name = name;
  s.line = line;
  for (const Entry& e : Entries(node)) {
    const std::string& k = e.key.Scalar();
    if (k == "final") {
      s.final = ScalarBool(e.value).value_or(false);
    } else if (k == "requires") {
      s.requires_fields = Strings(e.value);
    } else if (k == "on") {
      s.on = BuildTransitions(e.value);
    } else if (k == "timeout") {
      auto fields = Entries(e.value);
      TimeoutDef t;
      t.line = e.line;
      if (const Entry* after = Find(fields, "after")) t.after = ParseDuration(after->value.Scalar());
      if (const Entry* event = Find(fields, "event")) {
        t.event = event->value.Scalar();
        t.line = event->line;
      }
      s.timeout = t;
    }
  }
  return s;
}

Workflow BuildWorkflow(const YAML::Node& root, DefinitionLines& lines) {
  Workflow wf;
  for (const Entry& e : Entries(root)) {
    const std::string& k = e.key.Scalar();
    if (k == "id") {
      wf.id = e.value.Scalar();
      lines.id = e.line;
    } else if (k == "version") {
      wf.version = static_cast<int>(ScalarInteger(e.value).value_or(1));
    } else if (k == "request_type") {
      wf.request_type = e.value.Scalar();
      lines.request_type = e.line;
    } else if (k == "initial") {
      wf.initial = e.value.Scalar();
      lines.initial = e.line;
    } else if (k == "any_state") {
      wf.any_state = BuildTransitions(e.value);
    } else if (k == "states") {
      lines.states = e.line;
      for (const Entry& s : Entries(e.value)) wf.states[s.key.Scalar()] = BuildState(s.key.Scalar(), s.value, s.line);
    }
  }
  return wf;
}

void SortDiagnostics(std::vector<Diagnostic>& d) {
  std::stable_sort(d.begin(), d.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
}

struct Loaded {
  LoadResult result;
  int id_line = 0;
};

Loaded LoadOne(const std::string& source, const std::string& file) {
  Loaded loaded;
  std::vector<Diagnostic>& errors = loaded.result.errors;

  // Pass 1: syntax, documents, keys.
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(source);
  } catch (const YAML::ParserException& e) {
    errors.push_back(Diagnostic{file, Line(e.mark), "YAML syntax error: " + e.msg});
    return loaded;
  } catch (const YAML::Exception& e) {
    errors.push_back(Diagnostic{file, Line(e.mark), "YAML error: " + e.msg});
    return loaded;
  }
  if (docs.empty()) {
    errors.push_back(Diagnostic{file, 1, "the file holds no YAML document (expected a workflow mapping)"});
    return loaded;
  }
  if (docs.size() > 1) {
    errors.push_back(Diagnostic{file, Line(docs[1].Mark()), "only one YAML document per file is allowed"});
    return loaded;
  }
  const YAML::Node root = docs[0];
  KeyScanner(file, errors).Scan(root, 0);
  if (!errors.empty()) {
    SortDiagnostics(errors);
    return loaded;
  }

  // Pass 2: the JSON Schema.
  errors = CheckAgainstSchema(root, file);
  if (!errors.empty()) return loaded;

  // Pass 3: the graph.
  DefinitionLines lines;
  Workflow wf = BuildWorkflow(root, lines);
  wf.source_path = file;
  wf.source = source;
  wf.hash = Sha256Hex(source);
  errors = CheckWorkflowGraph(wf, lines);
  if (!errors.empty()) return loaded;
  loaded.id_line = lines.id;
  loaded.result.workflows.push_back(std::move(wf));
  return loaded;
}

bool IsWorkflowFile(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

}  // namespace

LoadResult LoadWorkflowSource(const std::string& source, const std::string& file) {
  return LoadOne(source, file).result;
}

LoadResult LoadWorkflowDir(const std::string& dir) {
  namespace fs = std::filesystem;
  LoadResult result;
  std::vector<fs::path> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    result.errors.push_back(Diagnostic{dir, 0, "cannot read the workflow directory: " + ec.message()});
    return result;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && IsWorkflowFile(it->path())) files.push_back(it->path());
  }
  if (ec) {
    result.errors.push_back(Diagnostic{dir, 0, "cannot read the workflow directory: " + ec.message()});
    return result;
  }
  if (files.empty()) {
    result.errors.push_back(Diagnostic{dir, 0, "no workflow files (*.yaml, *.yml) in the directory"});
    return result;
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });

  std::map<std::string, std::string> id_owner;  // workflow id -> file that defined it first
  std::vector<Workflow> workflows;
  for (const fs::path& path : files) {
    const std::string file = (fs::path(dir) / path.filename()).string();
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    if (in) bytes << in.rdbuf();
    if (!in || in.bad()) {
      result.errors.push_back(Diagnostic{file, 0, std::string("cannot read the file: ") + std::strerror(errno)});
      continue;
    }
    Loaded loaded = LoadOne(bytes.str(), file);
    for (auto& d : loaded.result.errors) result.errors.push_back(std::move(d));
    for (auto& wf : loaded.result.workflows) {
      auto [owner, inserted] = id_owner.emplace(wf.id, file);
      if (!inserted) {
        result.errors.push_back(Diagnostic{file, loaded.id_line > 0 ? loaded.id_line : 1,
                                           "workflow id '" + wf.id + "' is already defined in " + owner->second});
        continue;
      }
      workflows.push_back(std::move(wf));
    }
  }
  if (result.errors.empty()) result.workflows = std::move(workflows);
  return result;
}

}  // namespace dsar::workflow
