// The bad-workflow corpus: every file in tests/workflow/bad/ is checked and must produce
// exactly the diagnostics listed for it in bad/expected.tsv (file, line, message), in order.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "workflow/loader.h"

namespace fs = std::filesystem;
using dsar::workflow::Diagnostic;

namespace {

const std::string kBadDir = std::string(DSAR_TESTS_DIR) + "/workflow/bad";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "file:line: message" rows, grouped by file (relative to bad/).
std::map<std::string, std::vector<std::string>> Expected() {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(ReadFile(kBadDir + "/expected.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t t1 = line.find('\t');
    size_t t2 = line.find('\t', t1 + 1);
    REQUIRE(t1 != std::string::npos);
    REQUIRE(t2 != std::string::npos);
    std::string file = line.substr(0, t1);
    out[file].push_back(file + ":" + line.substr(t1 + 1, t2 - t1 - 1) + ": " + line.substr(t2 + 1));
  }
  return out;
}

std::vector<std::string> Strings(const std::vector<Diagnostic>& ds, const std::string& strip_prefix = "") {
  std::vector<std::string> out;
  for (const auto& d : ds) {
    std::string s = d.ToString();
    for (size_t pos; !strip_prefix.empty() && (pos = s.find(strip_prefix)) != std::string::npos;)
      s.erase(pos, strip_prefix.size());
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("every bad workflow file yields exactly its expected diagnostics", "[workflow][bad]") {
  const auto expected = Expected();
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kBadDir))
    if (entry.path().extension() == ".yaml") files.insert(entry.path().filename().string());
  REQUIRE(files.size() >= 12);

  for (const std::string& file : files) {
    INFO("bad/" << file);
    auto it = expected.find(file);
    REQUIRE(it != expected.end());  // every corpus file has its expectation
    auto result = dsar::workflow::LoadWorkflowSource(ReadFile(kBadDir + "/" + file), file);
    CHECK_FALSE(result.ok());
    CHECK(result.workflows.empty());
    CHECK(Strings(result.errors) == it->second);
  }
  for (const auto& [file, rows] : expected) {
    INFO("expected.tsv row for " << file);
    CHECK(fs::exists(kBadDir + "/" + file));
  }
}

TEST_CASE("a directory of files is checked together: duplicate ids", "[workflow][bad]") {
  const auto expected = Expected();
  auto result = dsar::workflow::LoadWorkflowDir(kBadDir + "/dup_ids");
  CHECK_FALSE(result.ok());
  CHECK(result.workflows.empty());  // all or nothing
  std::vector<std::string> want;
  for (const auto& [file, rows] : expected)
    if (file.rfind("dup_ids/", 0) == 0) want.insert(want.end(), rows.begin(), rows.end());
  REQUIRE_FALSE(want.empty());
  CHECK(Strings(result.errors, kBadDir + "/") == want);
}
