#include "requests/deployment_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/denial.h"
#include "core/json_fields.h"
#include "core/sha256.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/package/review.h"
#include "mail/message.h"
#include "workflow/loader.h"

namespace dsar::service {

namespace json = boost::json;

std::vector<workflow::Diagnostic> CheckDeployment(const std::vector<Workflow>& workflows, const std::string& workflows_dir,
                                                  const MailTemplates& templates, const std::string& templates_dir) {
  std::vector<workflow::Diagnostic> out;
  auto check_effects = [&](const Workflow& wf, const std::vector<TransitionDef>& ts) {
    for (const auto& t : ts)
      for (const auto& e : t.effects) {
        if (e.kind == "mail" && !templates.Has(e.arg))
          out.push_back({wf.source_path, e.line, "mail template '" + e.arg + "' not found in " + templates_dir});
        const auto& steps = fulfillment::Fulfiller::Steps();
        if (e.kind == "fulfill" && std::find(steps.begin(), steps.end(), e.arg) == steps.end()) {
          std::string known;
          for (const auto& s : steps) known += (known.empty() ? "" : ", ") + s;
          out.push_back({wf.source_path, e.line, "unknown fulfillment step '" + e.arg + "' (known: " + known + ")"});
        }
      }
  };
  std::map<std::string, std::string> type_file;
  for (const Workflow& wf : workflows) {
    for (const auto& [name, state] : wf.states)
      for (const auto& [ev, ts] : state.on) check_effects(wf, ts);
    for (const auto& [ev, ts] : wf.any_state) check_effects(wf, ts);
    auto [it, fresh] = type_file.emplace(wf.request_type, wf.source_path);
    if (!fresh)
      out.push_back({wf.source_path, 1, "a second workflow for request type '" + wf.request_type + "' (the first is " +
                                            it->second + ")"});
  }
  for (const char* name : {"verification_code", "staff_reminder", "staff_overdue"})
    if (!templates.Has(name))
      out.push_back({templates_dir, 0, std::string("mail template '") + name + "' is missing (the engine sends it)"});
  for (RequestType t : AllRequestTypes())
    if (!type_file.count(std::string(RequestTypeName(t))))
      out.push_back({workflows_dir, 0, "no workflow for request type '" + std::string(RequestTypeName(t)) + "'"});
  return out;
}

}  // namespace dsar::service
