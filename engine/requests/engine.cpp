#include "requests/engine.h"

#include "requests/deployment_check.h"
#include "mail/outbox/transport.h"

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
#include "identity/agents.h"
#include "mail/message.h"
#include "workflow/loader.h"

namespace dsar::service {

namespace json = boost::json;

const std::vector<std::string>& StaffEvents() {
  static const std::vector<std::string> events = {"approve", "deny",     "extend", "pause",         "resume",
                                                  "cancel",  "retry",    "assign", "complete_task", "classify",
                                                  "verify_manually"};
  return events;
}

const std::vector<std::string>& FinalStates() {
  static const std::vector<std::string> states = {"completed", "denied", "cancelled"};
  return states;
}

bool IsFinalState(const std::string& state) {
  const auto& f = FinalStates();
  return std::find(f.begin(), f.end(), state) != f.end();
}

Result<std::unique_ptr<Engine>> Engine::Create(const Config& config, store::Store& store,
                                                               const Clock& clock) {
  workflow::LoadResult loaded = workflow::LoadWorkflowDir(config.workflows_dir);
  if (!loaded.ok()) {
    std::string msg = "invalid workflows:";
    for (const auto& d : loaded.errors) msg += "\n" + d.ToString();
    return Status::Invalid(msg);
  }
  auto templates = MailTemplates::Load(config.templates_dir);
  if (!templates.ok()) return templates.status();
  if (auto problems = CheckDeployment(loaded.workflows, config.workflows_dir, *templates, config.templates_dir); !problems.empty()) {
    std::string msg = "invalid workflows:";
    for (const auto& d : problems) msg += "\n" + d.ToString();
    return Status::Invalid(msg);
  }
  std::error_code ec;
  std::filesystem::path key_path(config.secret_key_file);
  if (key_path.has_parent_path()) std::filesystem::create_directories(key_path.parent_path(), ec);
  auto secrets = Secrets::LoadOrCreate(config.secret_key_file);
  if (!secrets.ok()) return secrets.status();
  auto deadlines = DeadlinePolicy::Load(config);
  if (!deadlines.ok()) return deadlines.status();
  // Verification policies; the configuration's code TTL and attempt limit are the last fallback.
  workflow::VerificationPolicy fallback;
  fallback.code_ttl = config.verification_code_ttl;
  fallback.max_attempts = config.verification_max_attempts;
  workflow::VerificationPolicyLoad policies = workflow::LoadVerificationPolicyDir(config.workflows_dir, fallback);
  if (!policies.ok()) {
    std::string msg = "invalid verification policies:";
    for (const auto& d : policies.errors) msg += "\n" + d.ToString();
    return Status::Invalid(msg);
  }

  std::unique_ptr<Engine> svc(new Engine(config, store, clock, std::move(secrets.value()),
                                                         std::move(templates.value()), std::move(deadlines.value())));
  svc->policies_ = std::move(policies.policies);
  const Millis now = clock.Now();
  for (Workflow& wf : loaded.workflows) svc->workflows_.AddCurrent(std::make_shared<const Workflow>(std::move(wf)));
  Status s = store.Transact([&](store::Tx& tx) {
    for (const auto& [type, wf] : svc->workflows_.current())
      if (Status st = tx.PutWorkflowDefinition(wf->hash, wf->id, wf->version, wf->source_path, wf->source, now);
          !st.ok())
        return st;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return svc;
}

// ---- reads ----

bool Engine::IsOwnAddress(const std::string& email) const {
  const std::string e = NormalizeEmail(email);
  const std::string domain = NormalizeEmail(config_.mail_domain);
  return e == NormalizeEmail(AddrSpec(config_.mail_from)) ||
         (!domain.empty() && e.size() > domain.size() && e.compare(e.size() - domain.size() - 1, std::string::npos,
                                                                    "@" + domain) == 0);
}

Result<RequestView> Engine::Get(const std::string& id) {
  RequestView row;
  Status s = store_.Read([&](store::Tx& tx) {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    return CompleteViewInTx(tx, row);
  });
  if (!s.ok()) return s;
  return row;
}

Status Engine::CompleteViewInTx(store::Tx& tx, RequestView& view) {
  auto agent = AgentAuthorityFor(tx, view);
  if (!agent.ok()) return agent.status();
  view.agent = *agent;
  auto wf = workflows_.Pinned(tx, view.workflow_hash);
  view.workflow = wf.ok() ? *wf : nullptr;  // an unloadable definition offers no events
  return Status::Ok();
}

Result<std::vector<RequestView>> Engine::List(store::RequestFilter filter) {
  filter.now = clock_.Now();
  filter.subject_email = NormalizeEmail(filter.subject_email);
  std::vector<RequestView> rows;
  Status s = store_.Read([&](store::Tx& tx) {
    auto r = tx.ListRequests(filter);
    if (!r.ok()) return r.status();
    rows.assign(std::make_move_iterator(r->begin()), std::make_move_iterator(r->end()));
    // The agents' authority of the whole page in one query.
    std::vector<std::string> with_agent;
    for (const auto& row : rows)
      if (HasAgent(row)) with_agent.push_back(row.id);
    auto auths = tx.AgentAuthorizationsForRequests(with_agent);
    if (!auths.ok()) return auths.status();
    std::map<std::string, std::vector<store::AgentAuthorizationRow>> by_request;
    for (auto& a : *auths) by_request[a.request_id].push_back(std::move(a));
    for (auto& row : rows) {
      if (HasAgent(row)) row.agent = StrongestAuthority(by_request[row.id]);
      auto wf = workflows_.Pinned(tx, row.workflow_hash);  // cached by hash after the first
      row.workflow = wf.ok() ? *wf : nullptr;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return rows;
}

Result<std::vector<store::TransitionRow>> Engine::Transitions(const std::string& id) {
  std::vector<store::TransitionRow> rows;
  Status s = store_.Read([&](store::Tx& tx) {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    auto t = tx.Transitions(r->id);
    if (!t.ok()) return t.status();
    rows = std::move(t.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return rows;
}

}  // namespace dsar::service
