#include "workflow/check_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "workflow/loader.h"

namespace dsar::workflow {

int CheckWorkflowsCommand(const std::string& path, std::ostream& out) {
  LoadResult result;
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) {
      result.errors.push_back(Diagnostic{path, 0, "cannot read the file"});
    } else {
      result = LoadWorkflowSource(bytes.str(), path);
    }
  } else {
    result = LoadWorkflowDir(path);
  }

  if (!result.ok()) {
    std::stable_sort(result.errors.begin(), result.errors.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return a.file != b.file ? a.file < b.file : a.line < b.line;
    });
    for (const auto& d : result.errors) out << d.ToString() << '\n';
    return 1;
  }
  for (const auto& wf : result.workflows) {
    out << wf.source_path << ": ok (id " << wf.id << ", version " << wf.version << ", sha256 " << wf.hash << ")\n";
  }
  return 0;
}

}  // namespace dsar::workflow
