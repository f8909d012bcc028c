// LoadWorkflowSource / LoadWorkflowDir details, the embedded schema and the YAML typing.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/sha256.h"
#include "core/workflow.h"
#include "workflow/loader.h"
#include "workflow/schema_check.h"
#include "workflow/yaml_adapter.h"

using dsar::workflow::LoadWorkflowSource;

namespace {

const char* kMinimal = R"(id: minimal
version: 3
request_type: objection
initial: received
states:
  received:
    on:
      submit:
        - { to: done, guards: [identity_verified], effects: [{ mail: acknowledgment }] }
        - { to: verifying, effects: [start_verification] }
      note: {}
  verifying:
    timeout: { after: 12h, event: give_up }
    on:
      identity_verified: { to: done, effects: [mark_verified, { task: review_objection }] }
      give_up: { to: done }
  done: { final: true }
)";

std::vector<std::string> Messages(const dsar::workflow::LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.ToString());
  return out;
}

}  // namespace

TEST_CASE("a valid source becomes a Workflow", "[workflow][loader]") {
  auto r = LoadWorkflowSource(kMinimal, "minimal.yaml");
  INFO(Messages(r).size());
  REQUIRE(r.ok());
  REQUIRE(r.workflows.size() == 1);
  const dsar::Workflow& wf = r.workflows[0];
  CHECK(wf.id == "minimal");
  CHECK(wf.version == 3);
  CHECK(wf.request_type == "objection");
  CHECK(wf.initial == "received");
  CHECK(wf.source_path == "minimal.yaml");
  CHECK(wf.source == kMinimal);
  CHECK(wf.hash == dsar::Sha256Hex(kMinimal));
  CHECK(wf.any_state.empty());

  const auto& submit = wf.FindState("received")->on.at("submit");
  REQUIRE(submit.size() == 2);  // list form keeps order: first whose guards hold wins
  CHECK(submit[0].to == "done");
  CHECK(submit[0].guards == std::vector<std::string>{"identity_verified"});
  CHECK(submit[0].effects.size() == 1);
  CHECK(submit[0].effects[0].kind == "mail");
  CHECK(submit[0].effects[0].arg == "acknowledgment");
  CHECK(submit[0].line == 9);
  CHECK(submit[1].to == "verifying");
  CHECK(submit[1].line == 10);
  const auto& note = wf.FindState("received")->on.at("note");
  REQUIRE(note.size() == 1);
  CHECK_FALSE(note[0].to.has_value());  // internal transition
  CHECK(note[0].line == 11);

  const auto* verifying = wf.FindState("verifying");
  REQUIRE(verifying->timeout);
  CHECK(verifying->timeout->after == 12 * dsar::kMillisPerHour);
  CHECK(verifying->timeout->event == "give_up");
  CHECK(verifying->line == 12);
  const auto& effects = verifying->on.at("identity_verified")[0].effects;
  REQUIRE(effects.size() == 2);
  CHECK(effects[0].kind == "mark_verified");
  CHECK(effects[0].arg.empty());
  CHECK(effects[1].kind == "task");
  CHECK(effects[1].arg == "review_objection");
  CHECK(wf.FindState("done")->final);
}

TEST_CASE("durations: days, hours, minutes", "[workflow][loader]") {
  for (auto [text, ms] : {std::pair{"45m", 45 * dsar::kMillisPerMinute}, std::pair{"1d", dsar::kMillisPerDay},
                          std::pair{"999999d", 999999 * dsar::kMillisPerDay}}) {
    std::string src = kMinimal;
    src.replace(src.find("12h"), 3, text);
    auto r = LoadWorkflowSource(src, "d.yaml");
    REQUIRE(r.ok());
    CHECK(r.workflows[0].FindState("verifying")->timeout->after == ms);
  }
  for (const char* bad : {"0d", "1w", "1000000d", "1.5d", "'12'"}) {
    std::string src = kMinimal;
    src.replace(src.find("12h"), 3, bad);
    auto r = LoadWorkflowSource(src, "d.yaml");
    INFO(bad);
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("quoting makes a string: YAML 1.2 typing", "[workflow][loader]") {
  using dsar::workflow::ClassifyScalar;
  using dsar::workflow::ScalarKind;
  auto kind = [](const char* yaml) { return ClassifyScalar(YAML::Load(std::string("v: ") + yaml)["v"]); };
  CHECK(kind("true") == ScalarKind::kBool);
  CHECK(kind("False") == ScalarKind::kBool);
  CHECK(kind("yes") == ScalarKind::kString);
  CHECK(kind("'true'") == ScalarKind::kString);
  CHECK(kind("12") == ScalarKind::kInteger);
  CHECK(kind("-3") == ScalarKind::kInteger);
  CHECK(kind("0x1f") == ScalarKind::kInteger);
  CHECK(kind("\"12\"") == ScalarKind::kString);
  CHECK(kind("1.5") == ScalarKind::kNumber);
  CHECK(kind("1e3") == ScalarKind::kNumber);
  CHECK(kind(".5") == ScalarKind::kNumber);
  CHECK(kind("-.inf") == ScalarKind::kNumber);
  CHECK(kind("1e") == ScalarKind::kString);
  CHECK(kind("1.2.3") == ScalarKind::kString);
  CHECK(kind("+") == ScalarKind::kString);
  CHECK(kind("~") == ScalarKind::kNull);
  CHECK(kind("null") == ScalarKind::kNull);
  CHECK(kind("'null'") == ScalarKind::kString);
  CHECK(kind("30d") == ScalarKind::kString);
  CHECK(kind("!!str 5") == ScalarKind::kString);
  CHECK(kind("[1]") == ScalarKind::kNotScalar);
  CHECK(*dsar::workflow::ScalarInteger(YAML::Load("v: -9223372036854775808")["v"]) == INT64_MIN);
  CHECK_FALSE(dsar::workflow::ScalarInteger(YAML::Load("v: 9223372036854775808")["v"]).has_value());
}

TEST_CASE("the embedded schema agrees with the engine's registries", "[workflow][schema]") {
  boost::json::value schema = boost::json::parse(dsar::workflow::WorkflowSchemaText());
  const auto& defs = schema.at("definitions");

  std::vector<std::string> guards;
  for (const auto& g : defs.at("guards").at("items").at("enum").as_array()) guards.emplace_back(g.as_string());
  CHECK(guards == dsar::KnownGuards());

  std::set<std::string> with_arg, without_arg;
  for (const auto& [k, _] : defs.at("effect").at("properties").as_object()) with_arg.emplace(k);
  std::string pattern(defs.at("effect").at("pattern").as_string());
  for (const auto& e : dsar::KnownEffects()) {
    INFO(e.name);
    if (e.takes_arg) {
      CHECK(with_arg.count(e.name) == 1);
    } else {
      CHECK(pattern.find(e.name) != std::string::npos);
      without_arg.insert(e.name);
    }
  }
  CHECK(with_arg.size() + without_arg.size() == dsar::KnownEffects().size());

  std::vector<std::string> types;
  for (const auto& t : schema.at("properties").at("request_type").at("enum").as_array()) types.emplace_back(t.as_string());
  std::vector<std::string> contract;
  for (auto t : dsar::AllRequestTypes()) contract.emplace_back(dsar::RequestTypeName(t));
  std::sort(types.begin(), types.end());
  std::sort(contract.begin(), contract.end());
  CHECK(types == contract);

  // The embedded copy is the file in schemas/ (the build regenerates it on change).
  std::ifstream in(std::string(DSAR_SOURCE_DIR) + "/schemas/workflow.schema.json", std::ios::binary);
  std::string on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(on_disk == dsar::workflow::WorkflowSchemaText());
}

TEST_CASE("diagnostics format as file:line: message", "[workflow][loader]") {
  CHECK(dsar::workflow::Diagnostic{"workflows/a.yaml", 14, "boom"}.ToString() == "workflows/a.yaml:14: boom");
  CHECK(dsar::workflow::Diagnostic{"workflows", 0, "cannot read"}.ToString() == "workflows: cannot read");
}

TEST_CASE("hostile inputs are diagnosed, not crashed on", "[workflow][loader]") {
  auto first = [](const std::string& src) {
    auto r = LoadWorkflowSource(src, "h.yaml");
    REQUIRE_FALSE(r.ok());
    return r.errors.front().ToString();
  };
  CHECK(first("- a\n- b\n") == "h.yaml:1: top level: expected a mapping, got a list");
  CHECK(first("just text") == "h.yaml:1: top level: expected a mapping, got 'just text'");
  CHECK(first("? [a, b]\n: 1\n") == "h.yaml:1: mapping keys must be plain names, not lists or mappings");
  CHECK(first("a: &a [*a]\n").find("too large or too deeply nested") != std::string::npos);
  // Exponential aliasing ("billion laughs") is cut off by the node budget.
  std::string laughs = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    laughs += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) laughs += std::string(j ? ", " : "") + "*l" + std::to_string(i - 1);
    laughs += "]\n";
  }
  CHECK(first(laughs).find("too large or too deeply nested") != std::string::npos);
  CHECK(first(std::string(200, '[')).rfind("h.yaml:", 0) == 0);
  CHECK(first("id: x\nversion: 1\nrequest_type: access\ninitial: a\nstates:\n  a:\n    on:\n  b: ~\n") ==
        "h.yaml:7: state 'a': on: expected a mapping, got nothing");
}

TEST_CASE("LoadWorkflowDir: file selection and all-or-nothing", "[workflow][loader]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("dsar_wf_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; };
  std::string second = kMinimal;
  second.replace(second.find("id: minimal"), 11, "id: other");

  SECTION("an empty directory is an error") {
    auto r = dsar::workflow::LoadWorkflowDir(dir.string());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 0);
    CHECK(r.errors[0].message == "no workflow files (*.yaml, *.yml) in the directory");
  }
  SECTION(".yaml and .yml are read in name order; other files are ignored") {
    write("b.yml", second);
    write("a.yaml", kMinimal);
    write("README.md", "not a workflow");
    write("c.yaml.orig", "::: not yaml");
    auto r = dsar::workflow::LoadWorkflowDir(dir.string());
    REQUIRE(r.ok());
    REQUIRE(r.workflows.size() == 2);
    CHECK(r.workflows[0].id == "minimal");
    CHECK(r.workflows[0].source_path == (dir / "a.yaml").string());
    CHECK(r.workflows[1].id == "other");
  }
  SECTION("one bad file withholds every workflow") {
    write("a.yaml", kMinimal);
    write("b.yaml", "id: [\n");
    auto r = dsar::workflow::LoadWorkflowDir(dir.string());
    CHECK_FALSE(r.ok());
    CHECK(r.workflows.empty());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == (dir / "b.yaml").string());
  }
  fs::remove_all(dir);
}
