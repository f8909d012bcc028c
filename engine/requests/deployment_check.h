// Checks of the workflows against the deployment (templates, fulfillment steps, one workflow per
// request type).
#pragma once

#include <string>
#include <vector>
#include "core/workflow.h"
#include "mail/templates.h"
#include "workflow/validate.h"

namespace dsar::service {

// Checks that go beyond one workflow file, against the deployment: every mail template a
// workflow sends exists, every fulfillment step is one the engine runs, one workflow per request
// type (and one for each). `dsar serve` refuses to start on any; `dsar workflows check` reports
// them too.
std::vector<workflow::Diagnostic> CheckDeployment(const std::vector<Workflow>& workflows, const std::string& workflows_dir,
                                                  const MailTemplates& templates, const std::string& templates_dir);

}  // namespace dsar::service
