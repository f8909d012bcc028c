#include "service/request_service.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sstream>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "service/mail_transport.h"
#include "core/denial.h"
#include "core/sha256.h"
#include "mail/message.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/package/review.h"
#include "service/suppression.h"
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

namespace {

constexpr int kMaxFollowUps = 8;

// The first `limit` Unicode characters of UTF-8 `s` (a lead byte starts a character).
std::string Utf8Prefix(const std::string& s, std::size_t limit, bool& truncated) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars == limit) {
      truncated = true;
      return s.substr(0, i);
    }
    ++chars;
  }
  truncated = false;
  return s;
}

json::object SubjectJson(const DataSubject& s) {
  json::object o;
  o["email"] = s.email;
  if (!s.name.empty()) o["name"] = s.name;
  if (!s.phone.empty()) o["phone"] = s.phone;
  if (!s.account_id.empty()) o["account_id"] = s.account_id;
  return o;
}

json::object RequesterJson(const Requester& r) {
  json::object o;
  o["email"] = r.email;
  if (!r.name.empty()) o["name"] = r.name;
  if (!r.relationship.empty()) o["relationship"] = r.relationship;
  if (!r.authority.empty()) o["authority"] = r.authority;
  return o;
}

json::value ParseOr(const std::string& text, json::value fallback) {
  if (text.empty()) return fallback;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? fallback : v;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string StringField(const json::value& v, const char* key) {
  if (!v.is_object()) return "";
  auto* p = v.as_object().if_contains(key);
  return p && p->is_string() ? std::string(p->as_string()) : "";
}

}  // namespace

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

Result<std::unique_ptr<RequestService>> RequestService::Create(const Config& config, store::Store& store,
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

  std::unique_ptr<RequestService> svc(new RequestService(config, store, clock, std::move(secrets.value()),
                                                         std::move(templates.value()), std::move(deadlines.value())));
  svc->policies_ = std::move(policies.policies);
  const Millis now = clock.Now();
  for (Workflow& wf : loaded.workflows) {
    auto shared = std::make_shared<const Workflow>(std::move(wf));
    svc->current_[shared->request_type] = shared;
    svc->pinned_[shared->hash] = shared;
  }
  Status s = store.Transact([&](store::Tx& tx) {
    for (const auto& [type, wf] : svc->current_)
      if (Status st = tx.PutWorkflowDefinition(wf->hash, wf->id, wf->version, wf->source_path, wf->source, now);
          !st.ok())
        return st;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return svc;
}

Result<std::shared_ptr<const Workflow>> RequestService::PinnedWorkflow(store::Tx& tx, const std::string& hash) {
  {
    std::lock_guard lock(pinned_mu_);
    if (auto it = pinned_.find(hash); it != pinned_.end()) return it->second;
  }
  auto source = tx.WorkflowSource(hash);
  if (!source.ok()) return source.status();
  workflow::LoadResult r = workflow::LoadWorkflowSource(*source, "stored definition " + hash.substr(0, 12));
  if (!r.ok() || r.workflows.empty())
    return Status::IoError("stored workflow definition " + hash + " no longer loads: " +
                           (r.errors.empty() ? "empty" : r.errors[0].ToString()));
  auto wf = std::make_shared<const Workflow>(std::move(r.workflows[0]));
  std::lock_guard lock(pinned_mu_);
  pinned_[hash] = wf;
  return wf;
}

// ---- creation ----

Result<store::RequestRow> RequestService::CreateInTx(store::Tx& tx, const CreateRequestInput& in, Millis now) {
  auto wf_it = current_.find(in.type);
  if (wf_it == current_.end()) return Status::Unprocessable("unknown request type '" + in.type + "'");
  const Workflow& wf = *wf_it->second;
  if (!IsValidEmail(Trim(in.subject.email)))
    return Status::Invalid("subject.email must be one email address (local@domain)");
  if (in.requester && !IsValidEmail(Trim(in.requester->email)))
    return Status::Invalid("requester.email must be one email address (local@domain)");
  DataSubject subject = in.subject;
  subject.email = Trim(subject.email);
  std::optional<Requester> requester = in.requester;
  if (requester) requester->email = Trim(requester->email);
  if (subject.account_id.empty() && account_resolver_) {
    // The data subject's account in the company's systems, so that a legal hold placed by
    // account id covers requests that name only the email.
    auto ids = account_resolver_(subject);
    if (ids.ok() && !ids->empty()) subject.account_id = ids->front();
  }

  store::RequestRow r;
  r.id = Secrets::NewUuid();
  r.reference = Secrets::NewReference();
  r.type = in.type;
  r.state = wf.initial;
  r.jurisdiction = in.jurisdiction;
  r.subject_json = json::serialize(SubjectJson(subject));
  r.subject_email = NormalizeEmail(subject.email);
  r.subject_account = subject.account_id;
  if (requester) r.requester_json = json::serialize(RequesterJson(*requester));
  r.channel = in.channel;
  r.received_at = in.received_at.value_or(now);
  r.details_json = json::serialize(in.details);
  r.language = in.language;
  r.version = 1;
  r.workflow_id = wf.id;
  r.workflow_hash = wf.hash;
  r.created_at = r.updated_at = now;

  auto open = tx.OpenRequestsFor(r.subject_email, r.type, FinalStates());
  if (!open.ok()) return open.status();
  if (!open->empty()) r.duplicate_of = open->front().id;  // contract — duplicates: no deadline of its own
  deadlines_->Apply(r);

  if (Status s = tx.InsertRequest(r); !s.ok()) return s;
  store::TransitionRow t;
  t.request_id = r.id;
  t.version = 1;
  t.to_state = r.state;
  t.event = "create";
  t.actor = in.actor;
  json::object data;
  data["channel"] = r.channel;
  data["received_at"] = FormatRfc3339(r.received_at);
  t.data_json = json::serialize(data);
  t.at = now;
  t.workflow_hash = wf.hash;
  if (auto seq = tx.AppendTransition(t); !seq.ok()) return seq.status();

  Event next;
  next.actor = "system";
  if (!r.duplicate_of.empty()) {
    next.name = "duplicate_detected";
    next.data["duplicate_of"] = r.duplicate_of;
  } else if (in.verification && wf.Candidates(r.state, "submit_verified") != nullptr) {
    // Entered already verified (issue 5 §1): recorded with who vouched and the note; no code.
    next.name = "submit_verified";
    next.actor = in.actor;
    next.reason = in.verification->note;
    next.data["method"] = in.verification->method;
    next.data["note"] = in.verification->note;
  } else {
    next.name = "submit";
    auto fraud = AssessFraud(tx, r, now);
    if (!fraud.ok()) return fraud.status();
    if (fraud->suspected) {  // the documented reason, on the transition (§ 7026(d)-(e))
      json::array reasons;
      for (const auto& why : fraud->reasons) reasons.emplace_back(why);
      json::object fc;
      fc["suspected"] = true;
      fc["reasons"] = std::move(reasons);
      const auto policy = policies_.For(r.type, r.jurisdiction);
      if (!policy.citations.empty()) fc["citation"] = policy.citations.front();
      next.data["fraud_check"] = std::move(fc);
    }
    if (in.verification) {  // a workflow without verification (opt-outs): the claim is kept as evidence
      next.data["verification_method"] = in.verification->method;
      next.data["verification_note"] = in.verification->note;
    }
  }
  if (Status s = ApplyInTx(tx, r, next, std::nullopt); !s.ok()) return s;
  if (Status s = ScheduleReminders(tx, r, now); !s.ok()) return s;
  return r;
}

Result<FraudAssessment> RequestService::AssessFraud(store::Tx& tx, const store::RequestRow& r, Millis now) {
  FraudAssessment out;
  const workflow::VerificationPolicy policy = policies_.For(r.type, r.jurisdiction);
  if (!policy.fraud_check) return out;
  const workflow::FraudCheck& fc = *policy.fraud_check;
  if (fc.max_per_hour > 0) {
    auto n = tx.CountRequestsSince(r.subject_email, r.type, now - kMillisPerHour);
    if (!n.ok()) return n.status();
    if (*n > fc.max_per_hour)
      out.reasons.push_back(std::to_string(*n) + " " + r.type + " requests for this data subject within an hour (more than " +
                            std::to_string(fc.max_per_hour) + ")");
  }
  auto domain_of = [](const std::string& email) {
    const auto at = email.rfind('@');
    return at == std::string::npos ? std::string() : NormalizeEmail(email.substr(at + 1));
  };
  auto blocked_at = [&](const std::string& domain) -> std::string {
    for (const auto& blocked : fc.blocked_domains)
      if (domain == blocked || (domain.size() > blocked.size() && domain.ends_with("." + blocked))) return blocked;
    return "";
  };
  if (auto b = blocked_at(domain_of(r.subject_email)); !b.empty())
    out.reasons.push_back("the data subject's address is at a blocked domain (" + b + ")");
  if (HasAgent(r)) {
    const std::string agent = StringField(ParseOr(r.requester_json, json::value()), "email");
    if (auto b = blocked_at(domain_of(agent)); !b.empty())
      out.reasons.push_back("the requester's address is at a blocked domain (" + b + ")");
  }
  out.suspected = !out.reasons.empty();
  return out;
}

Result<CreateOutcome> RequestService::CreateRequest(const CreateRequestInput& in) {
  const Millis now = clock_.Now();
  if (!ParseRequestType(in.type)) return Status::Unprocessable("unknown request type '" + in.type + "'");
  if (!in.jurisdiction.empty() && !IsKnownJurisdiction(in.jurisdiction))
    return Status::Unprocessable("unknown jurisdiction '" + in.jurisdiction + "'");
  if (!IsKnownChannel(in.channel)) return Status::Unprocessable("unknown channel '" + in.channel + "'");
  if (in.received_at && *in.received_at > now) return Status::Invalid("received_at is in the future");
  if (in.verification) {
    if (in.verification->method != "session" && in.verification->method != "staff")
      return Status::Invalid("verification.method must be 'session' or 'staff'");
    if (Trim(in.verification->note).empty())
      return Status::Invalid("verification.note is required: say how the data subject's identity was established");
  }

  CreateOutcome out;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    if (!in.idempotency_key.empty()) {
      auto found = tx.FindIdempotencyKey(in.idempotency_key);
      if (!found.ok()) return found.status();
      if (found->has_value()) {
        if ((*found)->first != in.fingerprint)
          return Status::Unprocessable("Idempotency-Key was already used with a different request body");
        auto existing = tx.GetRequest((*found)->second);
        if (!existing.ok()) return existing.status();
        out.request = std::move(existing.value());
        out.replayed = true;
        return Status::Ok();
      }
    }
    auto created = CreateInTx(tx, in, now);
    if (!created.ok()) return created.status();
    out.request = std::move(created.value());
    if (!in.idempotency_key.empty())
      return tx.PutIdempotencyKey(in.idempotency_key, in.fingerprint, out.request.id, now);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

// ---- reads ----

bool RequestService::IsStateName(const std::string& name) const {
  static const std::vector<std::string> kContract = {
      "received", "triage", "verifying", "hold_check", "on_hold", "awaiting_approval", "fulfilling", "awaiting_task",
      "paused", "error", "duplicate", "completed", "denied", "cancelled"};
  if (std::find(kContract.begin(), kContract.end(), name) != kContract.end()) return true;
  for (const auto& [type, wf] : current_)
    if (wf->FindState(name) != nullptr) return true;
  return false;
}

bool RequestService::IsOwnAddress(const std::string& email) const {
  const std::string e = NormalizeEmail(email);
  const std::string domain = NormalizeEmail(config_.mail_domain);
  return e == NormalizeEmail(AddrSpec(config_.mail_from)) ||
         (!domain.empty() && e.size() > domain.size() && e.compare(e.size() - domain.size() - 1, std::string::npos,
                                                                    "@" + domain) == 0);
}

Result<store::RequestRow> RequestService::Get(const std::string& id) {
  store::RequestRow row;
  Status s = store_.Read([&](store::Tx& tx) {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return row;
}

Result<std::vector<store::RequestRow>> RequestService::List(store::RequestFilter filter) {
  filter.now = clock_.Now();
  filter.subject_email = NormalizeEmail(filter.subject_email);
  std::vector<store::RequestRow> rows;
  Status s = store_.Read([&](store::Tx& tx) {
    auto r = tx.ListRequests(filter);
    if (!r.ok()) return r.status();
    rows = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return rows;
}

Result<std::vector<store::TransitionRow>> RequestService::Transitions(const std::string& id) {
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

// ---- packages ----

namespace {

bool IsExportStep(std::string_view step) { return step == "export_access" || step == "export_portability"; }

// The package of request `r`: the first file of its newest export step that is done. NotFound
// (with the step's own sentence) when the newest export found nothing, or when there is none.
Status FindPackage(store::Tx& tx, const store::RequestRow& r, RequestService::ExportFile& file,
                   std::string* message = nullptr) {
  auto jobs = tx.JobsFor(r.id);
  if (!jobs.ok()) return jobs.status();
  for (auto it = jobs->rbegin(); it != jobs->rend(); ++it) {
    if (it->status != "done" || !IsExportStep(it->step)) continue;
    const json::value result = ParseOr(it->result_json, json::object());
    // The newest export decides: when it found nothing there is no package to give.
    const json::value summary = result.is_object() && result.as_object().contains("summary")
                                    ? result.as_object().at("summary")
                                    : json::value(json::object());
    if (summary.is_object() && summary.as_object().contains("found") && summary.as_object().at("found").is_bool() &&
        !summary.as_object().at("found").as_bool())
      return Status::NotFound(StringField(summary, "message").empty()
                                  ? "request " + r.reference + " found no personal data: there is no package"
                                  : StringField(summary, "message"));
    const auto* files = result.is_object() ? result.as_object().if_contains("files") : nullptr;
    if (files == nullptr || !files->is_array() || files->as_array().empty() || !files->as_array()[0].is_string())
      continue;
    file.path = std::string(files->as_array()[0].as_string());
    if (message) *message = StringField(summary, "message");
    const bool zip = file.path.size() > 4 && file.path.compare(file.path.size() - 4, 4, ".zip") == 0;
    file.content_type = zip ? "application/zip" : "application/json";
    file.filename = r.reference + (it->step == "export_access" ? "-access" : "-portability") + (zip ? ".zip" : ".json");
    return Status::Ok();
  }
  return Status::NotFound("request " + r.reference + " has no export package");
}

// The redactions in force in a request's history: each `redact` transition (by its version),
// less those an `unredact` transition withdrew (data.redaction names the version), oldest first.
std::vector<std::pair<std::int64_t, fulfillment::Redaction>> ActiveRedactions(
    const std::vector<store::TransitionRow>& rows) {
  std::vector<std::pair<std::int64_t, fulfillment::Redaction>> out;
  for (const auto& t : rows) {
    if (t.event != "redact" && t.event != "unredact") continue;
    const json::value d = ParseOr(t.data_json, json::object());
    if (!d.is_object()) continue;
    if (t.event == "unredact") {
      const auto* v = d.as_object().if_contains("redaction");
      if (v && v->is_int64())
        out.erase(std::remove_if(out.begin(), out.end(), [&](const auto& p) { return p.first == v->as_int64(); }),
                  out.end());
      continue;
    }
    fulfillment::Redaction r;
    r.table = StringField(d, "table");
    r.column = StringField(d, "column");
    r.label = StringField(d, "label");
    if (const auto* row = d.as_object().if_contains("row"); row && row->is_int64()) r.row = row->as_int64();
    out.emplace_back(t.version, std::move(r));
  }
  return out;
}

std::vector<fulfillment::Redaction> RedactionsIn(const std::vector<store::TransitionRow>& rows) {
  std::vector<fulfillment::Redaction> out;
  for (auto& [version, r] : ActiveRedactions(rows)) out.push_back(std::move(r));
  return out;
}

// How many redactions and withdrawals a request's history holds (what an approval was built from).
std::size_t ReviewEdits(const std::vector<store::TransitionRow>& rows) {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const store::TransitionRow& t) {
    return t.event == "redact" || t.event == "unredact";
  }));
}

// The keyed hash a download token is stored under (domain-separated from API tokens and codes).
std::string DownloadHashInput(std::string_view token) { return "download:" + std::string(token); }

}  // namespace

Result<RequestService::IssuedLink> RequestService::CreateDownloadLinkInTx(store::Tx& tx, const store::RequestRow& r,
                                                                          const std::string& file_path,
                                                                          const std::string& actor,
                                                                          std::map<std::string, std::string>& vars) {
  const Millis now = clock_.Now();
  if (Status s = tx.RevokeDownloadLinks(r.id, now); !s.ok()) return s;
  const std::string token = Secrets::NewToken();
  store::DownloadLinkRow l;
  l.request_id = r.id;
  l.token_hash = secrets_.KeyedHash(DownloadHashInput(token));  // only the keyed hash is stored
  l.file_path = file_path;
  l.created_at = now;
  l.created_by = actor;
  l.expires_at = now + static_cast<Millis>(config_.download_link_days) * kMillisPerDay;
  l.max_downloads = config_.download_max;
  if (auto id = tx.InsertDownloadLink(l); !id.ok()) return id.status();
  std::string base = config_.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  IssuedLink out{base + "/d/" + token, l.expires_at, l.max_downloads};
  vars["download_url"] = out.url;
  vars["download_expires"] = deadlines_->LocalDate(l.expires_at);
  vars["download_max"] = std::to_string(l.max_downloads);
  return out;
}

// ---- snapshot inputs: authorized agents, duplicates ----

const std::vector<AgentAuthorizationKind>& AgentAuthorizationKinds() {
  static const std::vector<AgentAuthorizationKind> kinds = {
      {"signed_permission",
       "Cal. Code Regs. tit. 11 § 7063(a)(1)-(2) (the consumer's signed permission; the consumer also verifies "
       "their own identity directly)"},
      {"power_of_attorney",
       "Cal. Code Regs. tit. 11 § 7063(b); Cal. Prob. Code §§ 4121-4130 (a power of attorney: no confirmation by "
       "the consumer)"},
      {"parental_responsibility",
       "Cal. Code Regs. tit. 11 § 7070 (a parent or legal guardian of a consumer under 13, verified by a reasonable "
       "method); GDPR Art. 8(2) (the holder of parental responsibility)"},
  };
  return kinds;
}

bool HasAgent(const store::RequestRow& r) {
  const std::string agent = StringField(ParseOr(r.requester_json, json::value()), "email");
  return !agent.empty() && NormalizeEmail(agent) != r.subject_email;
}

namespace {

// Cal. Code Regs. tit. 11 § 7063: the strongest authorization recorded for the request.
Result<AgentAuthority> AgentAuthorityFor(store::Tx& tx, const store::RequestRow& r) {
  if (!HasAgent(r)) return AgentAuthority::kNotNeeded;
  auto rows = tx.AgentAuthorizationsFor(r.id);
  if (!rows.ok()) return rows.status();
  AgentAuthority a = AgentAuthority::kMissing;
  for (const auto& row : *rows) {
    if (row.kind == "power_of_attorney") return AgentAuthority::kPowerOfAttorney;
    if (row.kind == "parental_responsibility") return AgentAuthority::kParentalResponsibility;
    if (row.kind == "signed_permission") a = AgentAuthority::kSignedPermission;
  }
  return a;
}

constexpr int kMaxDuplicateChain = 16;

// The first request of a duplicate chain (r.duplicate_of, followed while it is itself a
// duplicate); nullopt when r is no duplicate or the chain is broken (a purged primary).
Result<std::optional<store::RequestRow>> PrimaryOf(store::Tx& tx, const store::RequestRow& r) {
  std::string next = r.duplicate_of;
  std::optional<store::RequestRow> found;
  for (int i = 0; !next.empty() && i < kMaxDuplicateChain; ++i) {
    auto p = tx.GetRequest(next);
    if (!p.ok() && p.status().IsNotFound()) return found;
    if (!p.ok()) return p.status();
    if (p->id == r.id) break;  // a cycle: never written, but never followed either
    found = std::move(p.value());
    next = found->duplicate_of;
  }
  return found;
}

}  // namespace

// ---- events ----

Status RequestService::ApplyInTx(store::Tx& tx, store::RequestRow& r, const Event& event,
                                 std::optional<std::int64_t> expected_version) {
  std::vector<Event> pending{event};
  const std::optional<Millis> due_before = r.due_at;
  const std::optional<Millis> paused_before = r.paused_at;
  const bool final_before = IsFinalState(r.state);
  for (int round = 0; !pending.empty(); ++round) {
    if (round > kMaxFollowUps) return Status::IoError("too many follow-up events on request " + r.reference);
    Event ev = std::move(pending.front());
    pending.erase(pending.begin());
    auto wf = PinnedWorkflow(tx, r.workflow_hash);
    if (!wf.ok()) return wf.status();
    if (round == 0 && expected_version && *expected_version != r.version)
      return Status::Conflict("request " + r.reference + " is at version " + std::to_string(r.version) +
                              ", not " + std::to_string(*expected_version));
    auto holds = tx.ActiveHoldCount(r.subject_email, r.subject_account);
    if (!holds.ok()) return holds.status();
    const Millis now = clock_.Now();
    RequestSnapshot snap;
    snap.state = r.state;
    snap.version = r.version;
    snap.identity_verified = r.identity_verified;
    snap.active_holds = *holds;
    snap.extensions = r.extensions;
    snap.extension_allowed = deadlines_->ExtensionAllowed(r, now);
    snap.pause_allowed = deadlines_->PauseAllowed(r, now);
    auto agent = AgentAuthorityFor(tx, r);
    if (!agent.ok()) return agent.status();
    snap.agent = *agent;
    if (r.state == "duplicate") {
      // Promotion (contract — duplicates): the primary is not verified, and it is closed or
      // waits in a state its own workflow lets a verified duplicate supersede.
      auto primary = PrimaryOf(tx, r);
      if (!primary.ok()) return primary.status();
      if (!primary->has_value()) {
        snap.primary_unverified = true;  // the primary is gone (purged): this one stands alone
      } else if (!(*primary)->identity_verified) {
        const store::RequestRow& p = **primary;
        if (IsFinalState(p.state)) {
          snap.primary_unverified = true;
        } else {
          auto pwf = PinnedWorkflow(tx, p.workflow_hash);
          if (!pwf.ok()) return pwf.status();
          snap.primary_unverified = (*pwf)->Candidates(p.state, "superseded") != nullptr;
        }
      }
    }
    // An access package that holds rows waits for the redaction review (GDPR Art. 15(4)).
    if (config_.access_review && ev.name == "fulfilled" && StringField(json::value(ev.data), "step") == "export_access")
      if (const auto* sum = ev.data.if_contains("summary"); sum && sum->is_object())
        if (const auto* found = sum->as_object().if_contains("found"); found && found->is_bool() && found->as_bool())
          snap.review_required = true;
    auto decision = Decide(**wf, snap, ev, now);
    if (!decision.ok()) return decision.status();

    store::TransitionRow t;
    t.request_id = r.id;
    t.version = r.version + 1;
    t.from_state = decision->from;
    t.to_state = decision->to;
    t.event = ev.name;
    t.actor = ev.actor;
    t.reason = ev.reason;
    t.data_json = json::serialize(ev.data);
    json::array effects;
    for (const auto& e : decision->effects) {
      json::object o;
      o["kind"] = e.kind;
      if (!e.arg.empty()) o["arg"] = e.arg;
      effects.push_back(std::move(o));
    }
    t.effects_json = json::serialize(effects);
    t.at = now;
    t.workflow_hash = r.workflow_hash;
    auto seq = tx.AppendTransition(t);
    if (!seq.ok()) return seq.status();

    const std::int64_t old_version = r.version;
    RequestSnapshot next = Fold(snap, *decision);
    r.state = next.state;
    r.version = next.version;
    r.identity_verified = next.identity_verified;
    r.extensions = next.extensions;
    r.updated_at = now;
    if (decision->state_changed) {
      // Leaving a state cancels its timers (its timeout and the requester's reminder).
      if (Status s = tx.CancelTimers(r.id, {"state", "requester_reminder"}, now); !s.ok()) return s;
      if (decision->timer)
        if (Status s = tx.InsertTimer({0, r.id, r.state, decision->timer->event, decision->timer_fire_at, "state"});
            !s.ok())
          return s;
    }
    if (Status s = ApplyEffects(tx, r, *decision, *seq, ev, pending); !s.ok()) return s;
    if (Status s = tx.UpdateRequest(r, old_version); !s.ok()) return s;
  }
  if (r.due_at != due_before || r.paused_at != paused_before || IsFinalState(r.state) != final_before)
    return ScheduleReminders(tx, r, clock_.Now());
  return Status::Ok();
}

Status RequestService::ScheduleReminders(store::Tx& tx, const store::RequestRow& r, Millis now) {
  if (Status s = tx.CancelTimers(r.id, {"staff_reminder", "overdue"}, now); !s.ok()) return s;
  if (!deadlines_->DaysLeft(r, now).has_value() || r.paused_at) return Status::Ok();
  const Millis due = *r.due_at;
  for (int days : config_.reminder_days_before) {
    const Millis at = deadlines_->StartOfLocalDay(due, -days);
    if (at > now)
      if (Status s = tx.InsertTimer({0, r.id, r.state, "staff_reminder", at, "staff_reminder"}); !s.ok()) return s;
  }
  // Overdue: the first instant after the due day, then (when fired) the start of each next day.
  return tx.InsertTimer({0, r.id, r.state, "staff_overdue", std::max(due + 1, now), "overdue"});
}

Status RequestService::ApplyEffects(store::Tx& tx, store::RequestRow& r, const Decision& d, std::int64_t seq,
                                    const Event& event, std::vector<Event>& follow_ups) {
  const Millis now = clock_.Now();
  const bool verifies = std::any_of(d.effects.begin(), d.effects.end(),
                                    [](const EffectDef& e) { return e.kind == "start_verification"; });
  for (const EffectDef& e : d.effects) {
    if (e.kind == "mail") {
      std::map<std::string, std::string> vars;
      if (!event.reason.empty()) vars["reason"] = event.reason;
      if (auto code = event.data.find("reason_code"); code != event.data.end() && code->value().is_string()) {
        // A denial (core/denial.h): the reason in the requester's language, and how to appeal
        // where the law gives an appeal (US state laws).
        vars["reason_code"] = std::string(code->value().as_string());
        if (auto appeal = deadlines_->AppealPeriod(r)) {
          vars["appeal"] = "yes";
          vars["appeal_days"] = std::to_string(appeal->amount);
          vars["appeal_citation"] = appeal->citation;
        }
      }
      if (verifies) vars["verification"] = "yes";
      // A fulfillment step's own sentence for the requester (e.g. that nothing was found), and
      // for an erasure how long backups keep copies (the systems map's `backups`).
      if (auto sum = event.data.find("summary"); sum != event.data.end() && sum->value().is_object()) {
        if (auto* msg = sum->value().as_object().if_contains("message"); msg && msg->is_string())
          vars["summary"] = std::string(msg->as_string());
        if (auto* b = sum->value().as_object().if_contains("backups_retention_days"); b && b->is_int64())
          vars["backups_days"] = std::to_string(b->as_int64());
      }
      // The completion of an export step with a package: the requester downloads it through an
      // expiring link, created here in the transition's transaction (issue 5 §5). When the
      // export found nothing there is no package and no link.
      bool secret = false;
      // After a redaction review (issue 5 §5), the approval releases the package the same way.
      bool releases = event.name == "approve" && e.arg == "completed" && r.type == "access";
      if (event.name == "fulfilled" && e.arg == "completed")
        if (auto step = event.data.find("step");
            step != event.data.end() && step->value().is_string() && IsExportStep(step->value().as_string()))
          releases = true;
      if (releases) {
          ExportFile package;
          std::string message;
          Status found = FindPackage(tx, r, package, &message);
          if (found.ok() && !vars.count("summary") && !message.empty()) vars["summary"] = message;
          if (!found.ok() && !found.IsNotFound()) return found;
          if (found.ok()) {
            auto link = CreateDownloadLinkInTx(tx, r, package.path, "system", vars);
            if (!link.ok()) return link.status();
            secret = true;  // the mail carries the token: its body is dropped once delivered
          }
        }
      if (Status s = QueueMail(tx, r, e.arg, vars, seq, secret); !s.ok()) return s;
    } else if (e.kind == "start_verification") {
      // The request's verification policy (workflows/verification/verification.yaml).
      const workflow::VerificationPolicy policy = policies_.For(r.type, r.jurisdiction);
      const std::string code = Secrets::NewVerificationCode();
      store::VerificationRow v;
      v.request_id = r.id;
      v.code_hash = secrets_.KeyedHash(r.id + ":" + code);  // only the keyed hash is stored
      v.issued_at = now;
      v.expires_at = now + policy.code_ttl;
      v.max_attempts = policy.max_attempts;
      if (Status s = tx.InsertVerification(v); !s.ok()) return s;
      std::map<std::string, std::string> vars{{"code", code},
                                              {"expires", FormatRfc3339(v.expires_at)},
                                              {"max_attempts", std::to_string(v.max_attempts)}};
      // Verification is always about the data subject (contract — who is who): the code goes to
      // the data subject alone, never to an authorized agent.
      const std::string subject_email = StringField(ParseOr(r.subject_json, json::object()), "email");
      if (Status s = QueueMail(tx, r, "verification_code", vars, seq, true, {subject_email}); !s.ok()) return s;
      // One reminder per request: a code issued again (code_resent, internal) adds none.
      if (d.state_changed && templates_.Has("verification_reminder"))
        if (Status s = tx.InsertTimer({0, r.id, r.state, "verification_reminder", now + config_.requester_reminder_after,
                                       "requester_reminder"});
            !s.ok())
          return s;
    } else if (e.kind == "check_holds") {
      auto holds = tx.ActiveHoldCount(r.subject_email, r.subject_account);
      if (!holds.ok()) return holds.status();
      Event follow;
      follow.name = *holds > 0 ? "hold_active" : "holds_clear";
      follow.actor = "system";
      follow.data["active_holds"] = *holds;
      follow_ups.push_back(std::move(follow));
    } else if (e.kind == "fulfill" || e.kind == "task") {
      store::JobRow j;
      j.request_id = r.id;
      j.kind = e.kind;
      j.step = e.arg;
      j.idempotency_key = r.id + ":" + e.arg + ":" + std::to_string(r.version);
      j.status = e.kind == "fulfill" ? "pending" : "open";
      j.created_at = now;
      if (Status s = tx.InsertJob(j); !s.ok()) return s;
    } else if (e.kind == "extend_deadline") {
      deadlines_->Apply(r);  // r.extensions was folded in; the due day moves by the extension
    } else if (e.kind == "pause_clock") {
      r.paused_at = now;
    } else if (e.kind == "resume_clock") {
      if (r.paused_at) r.paused_days += deadlines_->DaysBetween(*r.paused_at, now);
      r.paused_at.reset();
      deadlines_->Apply(r);
    } else if (e.kind == "promote_duplicate") {
      // Contract — duplicates: this verified duplicate becomes the primary, with a deadline of its
      // own from its receipt; the old primary (unverified) becomes its duplicate, linked to it,
      // through a `superseded` transition.
      auto primary = PrimaryOf(tx, r);
      if (!primary.ok()) return primary.status();
      r.duplicate_of.clear();
      deadlines_->Apply(r);
      if (primary->has_value() && !IsFinalState((*primary)->state)) {
        store::RequestRow old = std::move(**primary);
        old.duplicate_of = r.id;
        deadlines_->Apply(old);  // a duplicate has no deadline of its own
        Event sup;
        sup.name = "superseded";
        sup.actor = "system";
        sup.reason = "a later request of the same type for the same data subject was verified first";
        sup.data["duplicate_of"] = r.id;
        sup.data["promoted"] = r.reference;
        if (Status s = ApplyInTx(tx, old, sup, std::nullopt); !s.ok()) return s;
        if (Status s = ScheduleReminders(tx, old, now); !s.ok()) return s;  // none left: a duplicate
      }
    } else if (e.kind == "mark_verified") {
      // Folded into the snapshot (core/interpreter.cpp Fold).
    } else {
      return Status::IoError("effect '" + e.kind + "' is not implemented");
    }
  }
  return Status::Ok();
}

Status RequestService::QueueMail(store::Tx& tx, const store::RequestRow& r, const std::string& template_name,
                                 std::map<std::string, std::string> vars, std::optional<std::int64_t> seq,
                                 bool carries_secret, const std::vector<std::string>& recipients) {
  const json::value subject = ParseOr(r.subject_json, json::object());
  const json::value requester = ParseOr(r.requester_json, json::value());
  vars["reference"] = r.reference;
  vars["controller"] = config_.controller_name;
  vars["received_date"] = deadlines_->LocalDate(r.received_at);
  if (r.due_at) vars["due_date"] = deadlines_->LocalDate(*r.due_at);
  vars["state"] = r.state;
  const std::string name = StringField(subject, "name");
  if (!name.empty()) vars["name"] = name;
  // In the requester's language when the template is translated (staff mail is not: English).
  auto rendered = templates_.Render(template_name, r.language, r.type, vars);
  if (!rendered.ok()) return rendered.status();

  json::array to;
  if (!recipients.empty()) {
    for (const auto& a : recipients) to.push_back(json::string(a));
  } else {
    to.push_back(json::string(StringField(subject, "email")));
    const std::string agent = StringField(requester, "email");
    if (!agent.empty() && NormalizeEmail(agent) != r.subject_email) to.push_back(json::string(agent));
  }

  store::OutboxRow o;
  o.request_id = r.id;
  o.transition_seq = seq;
  o.template_name = template_name;
  o.to_json = json::serialize(to);
  o.subject = rendered->subject;
  o.body = rendered->body;
  if (!rendered->html.empty()) o.body_html = rendered->html;
  o.language = rendered->language;
  o.carries_secret = carries_secret;
  o.message_id = "dsar." + Secrets::RandomHex(12) + "@" + config_.mail_domain;
  // Threading: a reply to the requester's message when there is one, else to our first mail
  // about the request; References name both, oldest first.
  const std::string theirs = StringField(ParseOr(r.details_json, json::object()), "message_id");
  std::string ours;
  auto earlier = tx.OutboxFor(r.id);
  if (!earlier.ok()) return earlier.status();
  if (!earlier->empty()) ours = earlier->front().message_id;
  if (!theirs.empty()) o.references.push_back(theirs);
  if (!ours.empty()) o.references.push_back(ours);
  o.in_reply_to = !theirs.empty() ? theirs : ours;
  o.created_at = clock_.Now();
  o.next_attempt_at = o.created_at;
  auto id = tx.InsertOutbox(o);
  return id.ok() ? Status::Ok() : id.status();
}

Result<store::RequestRow> RequestService::ApplyStaffEvent(const std::string& id, Event event,
                                                          std::optional<std::int64_t> expected_version) {
  const auto& staff = StaffEvents();
  if (std::find(staff.begin(), staff.end(), event.name) == staff.end())
    return Status::Unprocessable("'" + event.name + "' is not a staff event");
  if (event.name == "redact" || event.name == "unredact")
    return Status::Unprocessable("redactions are made with POST /requests/{id}/package/redactions and withdrawn "
                                 "with DELETE /requests/{id}/package/redactions/{version}");
  // A denial names its reason from the fixed list (core/denial.h): malformed input, not a refusal.
  if (event.name == "deny") {
    const auto* code = event.data.if_contains("reason_code");
    if (code == nullptr || !code->is_string() || FindDenialReason(code->as_string()) == nullptr) {
      std::string list;
      for (const auto& d : DenialReasons()) list += (list.empty() ? "" : ", ") + std::string(d.code);
      return Status::Invalid("a denial needs data.reason_code (one of " + list + ") and a reason");
    }
  }
  // Approving a correction names the exact changes, checked against the systems map.
  if (event.name == "approve") {
    auto r = Get(id);
    if (!r.ok()) return r.status();
    if (r->type == "correction") {
      auto changes = ParseCorrections(event.data);
      if (!changes.ok()) return changes.status();
      if (correction_check_)
        if (Status c = correction_check_(*changes); !c.ok()) return c;
    }
  }
  // Approving a reviewed access package: rebuilt first (outside the transaction) with every
  // redaction recorded; the approval commits only if no redaction came in meanwhile.
  std::optional<std::size_t> reviewed;
  std::string review_dir;
  if (event.name == "approve") {
    auto rebuilt = RebuildReviewed(id, event.data);
    if (!rebuilt.ok()) return rebuilt.status();
    if (*rebuilt) {
      reviewed = **rebuilt;
      auto r = Get(id);
      if (!r.ok()) return r.status();
      review_dir = fulfillment::ReviewDir(config_.exports_dir, r->reference).string();
    }
  }
  store::RequestRow row;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    auto jobs = tx.JobsFor(row.id);
    if (!jobs.ok()) return jobs.status();
    if (reviewed) {
      auto t = tx.Transitions(row.id);
      if (!t.ok()) return t.status();
      if (ReviewEdits(*t) != *reviewed)
        return Status::Conflict("a redaction was recorded on request " + row.reference +
                                " while its package was rebuilt for approval; approve again");
    }
    if (event.name == "cancel" || event.name == "deny") {
      for (const auto& j : *jobs)
        if (j.status == "running")
          return Status::Conflict("fulfillment step '" + j.step + "' is running on request " + row.reference +
                                  "; " + event.name + " it once the step has finished");
    }
    if (event.name == "complete_task") {
      // The task named must be one this request has open.
      const std::string task = event.data.contains("task") && event.data.at("task").is_string()
                                   ? std::string(event.data.at("task").as_string())
                                   : "";
      std::string open;
      bool found = false;
      for (const auto& j : *jobs) {
        if (j.kind != "task" || j.status != "open") continue;
        open += (open.empty() ? "" : ", ") + j.step;
        found = found || j.step == task;
      }
      if (!task.empty() && !found)
        return Status::Refused("no open task '" + task + "' on request " + row.reference +
                               (open.empty() ? "" : " (open: " + open + ")"));
    }
    if (Status st = ApplyInTx(tx, row, event, expected_version); !st.ok()) return st;
    if (event.name == "complete_task") {
      auto jobs = tx.JobsFor(row.id);
      if (!jobs.ok()) return jobs.status();
      const std::string task = event.data.contains("task") && event.data.at("task").is_string()
                                   ? std::string(event.data.at("task").as_string())
                                   : "";
      for (const auto& j : *jobs) {
        if (j.kind != "task" || j.status != "open" || !(task.empty() || j.step == task)) continue;
        if (Status st = tx.FinishJob(j.id, "closed", json::serialize(event.data), "", clock_.Now()); !st.ok())
          return st;
        // The evidence given with it (issue 5 §4): a note and/or a stored file.
        store::EvidenceRow e;
        e.request_id = row.id;
        e.task_job_id = j.id;
        e.actor = event.actor;
        e.at = clock_.Now();
        if (auto* n = event.data.if_contains("note"); n && n->is_string()) e.note = std::string(n->as_string());
        if (auto* f = event.data.if_contains("evidence"); f && f->is_object()) {
          const json::object& fo = f->as_object();
          e.file_path = StringField(fo, "file");
          e.sha256 = StringField(fo, "sha256");
          e.content_type = StringField(fo, "content_type");
          if (auto* sz = fo.if_contains("size"); sz && sz->is_int64()) e.size = sz->as_int64();
        }
        if (!e.note.empty() || !e.file_path.empty())
          if (Status st = tx.InsertEvidence(e); !st.ok()) return st;
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (reviewed && row.state != "awaiting_approval") {
    std::error_code ec;  // released: the staged rows are no longer needed
    std::filesystem::remove_all(review_dir, ec);
  }
  return row;
}

Result<store::RequestRow> RequestService::Amend(const std::string& id, std::optional<std::string> jurisdiction,
                                                std::optional<Millis> received_at, const std::string& actor,
                                                std::optional<std::int64_t> expected_version) {
  if (jurisdiction && !jurisdiction->empty() && !IsKnownJurisdiction(*jurisdiction))
    return Status::Unprocessable("unknown jurisdiction '" + *jurisdiction + "'");
  if (!jurisdiction && !received_at) return Status::Invalid("nothing to amend: give jurisdiction and/or received_at");
  store::RequestRow row;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    if (received_at && *received_at > row.created_at)
      return Status::Invalid("received_at " + FormatRfc3339(*received_at) +
                             " is after the request was entered (" + FormatRfc3339(row.created_at) + ")");
    Event ev;
    ev.name = "amend";
    ev.actor = actor;
    if (jurisdiction) {
      ev.data["jurisdiction_before"] = row.jurisdiction.empty() ? json::value(nullptr) : json::value(row.jurisdiction);
      ev.data["jurisdiction"] = jurisdiction->empty() ? json::value(nullptr) : json::value(*jurisdiction);
      row.jurisdiction = *jurisdiction;
    }
    if (received_at) {
      ev.data["received_at_before"] = FormatRfc3339(row.received_at);
      ev.data["received_at"] = FormatRfc3339(*received_at);
      row.received_at = *received_at;
    }
    if (row.paused_at && jurisdiction) {
      if (!deadlines_->ClockMayPause(row))
        return Status::Conflict("request " + row.reference + " is paused, which the new jurisdiction does not allow; "
                                "resume it first");
    }
    deadlines_->Apply(row);  // the same receipt time, the new rule (or the true receipt time)
    if (Status st = ApplyInTx(tx, row, ev, expected_version); !st.ok()) return st;
    return ScheduleReminders(tx, row, clock_.Now());  // the reminders follow the new deadline
  });
  if (!s.ok()) return s;
  return row;
}

Result<store::RequestRow> RequestService::ApplySystemEvent(const std::string& id, Event event) {
  store::RequestRow row;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    return ApplyInTx(tx, row, event, std::nullopt);
  });
  if (!s.ok()) return s;
  return row;
}

Result<store::RequestRow> RequestService::RecordAgentAuthorization(const std::string& id, const std::string& kind,
                                                                   const std::string& note,
                                                                   const std::string& evidence_ref,
                                                                   const std::string& actor,
                                                                   std::optional<std::int64_t> expected_version) {
  const auto& kinds = AgentAuthorizationKinds();
  auto k = std::find_if(kinds.begin(), kinds.end(), [&](const auto& x) { return x.name == kind; });
  if (k == kinds.end())
    return Status::Invalid("kind must be 'signed_permission', 'power_of_attorney' or 'parental_responsibility'");
  if (Trim(note).empty()) return Status::Invalid("a note on the evidence seen is required");
  store::RequestRow row;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    if (IsFinalState(row.state)) return Status::Refused("request " + row.reference + " is closed");
    if (!HasAgent(row))
      return Status::Unprocessable("request " + row.reference +
                                   " was made by the data subject: there is no authorized agent to authorize");
    const Millis now = clock_.Now();
    store::AgentAuthorizationRow a{0, row.id, kind, Trim(note), Trim(evidence_ref), actor, now};
    if (Status st = tx.InsertAgentAuthorization(a); !st.ok()) return st;
    Event ev;
    ev.name = "agent_authorization_recorded";
    ev.actor = actor;
    ev.reason = a.note;
    ev.data["kind"] = kind;
    ev.data["note"] = a.note;
    if (!a.evidence_ref.empty()) ev.data["evidence_ref"] = a.evidence_ref;
    ev.data["citation"] = k->citation;
    return ApplyInTx(tx, row, ev, expected_version);
  });
  if (!s.ok()) return s;
  return row;
}

// ---- verification ----

namespace {
// Checks `code` against the latest verification of `r` inside `tx`. Returns Ok with `refusal`
// set when the attempt fails (the attempt is recorded, so the transaction must commit).
Status VerifyInTx(RequestService& svc, store::Tx& tx, store::RequestRow& r, const std::string& code,
                  const std::string& actor, Status& refusal) {
  auto wf = svc.PinnedWorkflow(tx, r.workflow_hash);
  if (!wf.ok()) return wf.status();
  if ((*wf)->Candidates(r.state, "identity_verified") == nullptr) {
    refusal = Status::Refused("request " + r.reference + " is not awaiting identity verification");
    return Status::Ok();
  }
  if (r.identity_verified) {
    refusal = Status::Refused("the data subject's identity is already verified on request " + r.reference);
    return Status::Ok();
  }
  auto latest = tx.LatestVerification(r.id);
  if (!latest.ok()) return latest.status();
  const Millis now = svc.clock().Now();
  if (!latest->has_value()) {
    refusal = Status::Refused("no verification code was issued for this request");
    return Status::Ok();
  }
  store::VerificationRow v = **latest;
  if (v.locked_at || v.attempts >= v.max_attempts) {
    refusal = Status::Refused("too many wrong codes; the code is locked");
    return Status::Ok();
  }
  if (v.consumed_at) {
    refusal = Status::Refused("the code was already used");
    return Status::Ok();
  }
  // The expiry is checked against the stored issue time and the policy's TTL (and the stored
  // expiry, whichever comes first, so a policy change never lengthens a code already sent).
  const Millis expires = std::min(v.expires_at, v.issued_at + svc.PolicyFor(r).code_ttl);
  if (now > expires) {
    refusal = Status::Refused("the code has expired");
    return Status::Ok();
  }
  // Constant time: the keyed hashes are compared with sodium_memcmp (Secrets::HashesEqual).
  const bool match = Secrets::HashesEqual(svc.secrets().KeyedHash(r.id + ":" + Trim(code)), v.code_hash);
  v.attempts += 1;
  if (match) {
    v.consumed_at = now;
    if (Status s = tx.UpdateVerification(v); !s.ok()) return s;
    Event ev;
    ev.name = "identity_verified";
    ev.actor = actor;
    ev.data["method"] = "email_code";
    return svc.ApplyInTx(tx, r, ev, std::nullopt);
  }
  const int left = v.max_attempts - v.attempts;
  if (left <= 0) v.locked_at = now;
  if (Status s = tx.UpdateVerification(v); !s.ok()) return s;
  if (left <= 0) {
    // The code is locked, not the request: whoever guesses at a reference must not be able to get
    // someone else's request denied. Staff can verify by other means; otherwise the verification
    // window expires and the request is denied for insufficient verification.
    refusal = Status::Refused("wrong code; no attempts left, the code is locked");
  } else {
    refusal = Status::Refused("wrong code; " + std::to_string(left) + " attempt(s) left");
  }
  return Status::Ok();
}
}  // namespace

Result<store::RequestRow> RequestService::Verify(const std::string& id, const std::string& code,
                                                 const std::string& actor) {
  store::RequestRow row;
  Status refusal;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    return VerifyInTx(*this, tx, row, code, actor, refusal);
  });
  if (!s.ok()) return s;
  if (!refusal.ok()) return refusal;
  return row;
}

Result<store::RequestRow> RequestService::ResendCode(const std::string& id, const std::string& actor,
                                                     Millis& retry_after_ms) {
  retry_after_ms = 0;
  store::RequestRow row;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    auto wf = PinnedWorkflow(tx, row.workflow_hash);
    if (!wf.ok()) return wf.status();
    if ((*wf)->Candidates(row.state, "identity_verified") == nullptr ||
        (*wf)->Candidates(row.state, "code_resent") == nullptr)
      return Status::Refused("request " + row.reference + " is not awaiting identity verification");
    if (row.identity_verified)
      return Status::Refused("the data subject's identity is already verified on request " + row.reference);
    const workflow::VerificationPolicy policy = policies_.For(row.type, row.jurisdiction);
    auto latest = tx.LatestVerification(row.id);
    if (!latest.ok()) return latest.status();
    auto issued = tx.VerificationCount(row.id);
    if (!issued.ok()) return issued.status();
    const Millis now = clock_.Now();
    if (latest->has_value()) {
      const Millis next = (*latest)->issued_at + policy.resend_cooldown;
      if (now < next) {
        retry_after_ms = next - now;
        return Status::Refused("a new code was sent less than " + std::to_string(policy.resend_cooldown / 1000) +
                               " seconds ago; try again later");
      }
    }
    const int resends = std::max(0, *issued - 1);
    if (resends >= policy.max_resends)
      return Status::Conflict("no more new codes for request " + row.reference + " (" +
                              std::to_string(policy.max_resends) + " already sent); staff can verify by other means");
    Event ev;
    ev.name = "code_resent";
    ev.actor = actor;
    ev.data["resend"] = resends + 1;
    ev.data["max_resends"] = policy.max_resends;
    return ApplyInTx(tx, row, ev, std::nullopt);  // the workflow's start_verification issues and mails it
  });
  if (!s.ok()) return s;
  return row;
}

// ---- verification by data points (Cal. Code Regs. tit. 11 § 7062) ----

std::string NormalizeDataPoint(std::string_view name, std::string_view value) {
  const bool digits_only = name.find("phone") != std::string_view::npos ||
                           name.find("card") != std::string_view::npos || name.ends_with("last4");
  std::string out;
  bool blank = false;
  for (char ch : value) {
    const auto u = static_cast<unsigned char>(ch);
    if (digits_only) {
      if (u >= '0' && u <= '9') out += ch;
      continue;
    }
    if (std::isspace(u)) {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += static_cast<char>(u < 0x80 ? std::tolower(u) : u);
  }
  return out;
}

namespace {

// The point names a correction request names in details.corrections (an object keyed by field or
// point name, or a list of names), mapped to points through the systems map's columns.
std::set<std::string> CorrectedPoints(const store::RequestRow& r, const DataPointSource& src) {
  std::set<std::string> out;
  if (r.type != "correction") return out;
  const json::value details = ParseOr(r.details_json, json::object());
  const json::value* c = details.is_object() ? details.as_object().if_contains("corrections") : nullptr;
  if (c == nullptr) return out;
  std::vector<std::string> names;
  if (c->is_object())
    for (const auto& kv : c->as_object()) names.emplace_back(kv.key());
  else if (c->is_array())
    for (const auto& v : c->as_array())
      if (v.is_string()) names.emplace_back(v.as_string());
  for (const auto& n : names) {
    if (std::find(src.names.begin(), src.names.end(), n) != src.names.end()) out.insert(n);
    if (auto it = src.columns.find(n); it != src.columns.end()) out.insert(it->second);
  }
  return out;
}

}  // namespace

Result<DataPointOutcome> RequestService::VerifyDataPoints(const std::string& id,
                                                          const std::map<std::string, std::string>& points,
                                                          bool signed_declaration, const std::string& actor) {
  if (!data_points_.values) return Status::Unprocessable("no systems map is configured: data points cannot be checked");
  if (points.empty()) return Status::Invalid("field 'points' must name at least one data point");
  for (const auto& [name, value] : points) {
    if (std::find(data_points_.names.begin(), data_points_.names.end(), name) == data_points_.names.end()) {
      std::string known;
      for (const auto& n : data_points_.names) known += (known.empty() ? "" : ", ") + n;
      return Status::Invalid("unknown data point '" + name + "' (expected: " + known + ")");
    }
    if (value.size() > 500) return Status::Invalid("data point '" + name + "' is too long");
  }
  auto before = Get(id);
  if (!before.ok()) return before.status();
  // What the company holds, read before the transaction (the company database is another file).
  const json::value subject_json = ParseOr(before->subject_json, json::object());
  DataSubject subject;
  subject.email = StringField(subject_json, "email");
  subject.account_id = before->subject_account;
  auto held = data_points_.values(subject);
  if (!held.ok()) return held.status();

  DataPointOutcome out;
  Status refusal;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    store::RequestRow row = std::move(r.value());
    auto wf = PinnedWorkflow(tx, row.workflow_hash);
    if (!wf.ok()) return wf.status();
    if ((*wf)->Candidates(row.state, "identity_verified") == nullptr || row.identity_verified)
      return Status::Refused("request " + row.reference + " is not awaiting identity verification");
    const workflow::VerificationPolicy policy = policies_.For(row.type, row.jurisdiction);
    if (!policy.data_points)
      return Status::Refused("verification by data points is not offered for " + row.type + " requests" +
                             (row.jurisdiction.empty() ? "" : " under " + row.jurisdiction));
    const workflow::DataPointRule rule = *policy.data_points;
    auto earlier = tx.DataPointAttemptsFor(row.id);
    if (!earlier.ok()) return earlier.status();
    int failed = 0;
    for (const auto& a : *earlier) failed += a.success ? 0 : 1;
    if (failed >= rule.max_attempts)
      return Status::Refused("no data-point attempts left for request " + row.reference);

    // Compare every offered point with every held value of its name, as keyed hashes (equal
    // lengths, sodium_memcmp): no early exit on the first match.
    const std::set<std::string> excluded = CorrectedPoints(row, data_points_);
    store::DataPointAttemptRow attempt;
    attempt.request_id = row.id;
    attempt.at = clock_.Now();
    for (const auto& [name, value] : points) {
      attempt.offered.push_back(name);
      const std::string offered = NormalizeDataPoint(name, value);
      const std::string offered_hash = secrets_.KeyedHash("dp:" + name + ":" + offered);
      bool match = false;
      if (auto it = held->find(name); it != held->end())
        for (const auto& h : it->second) {
          std::string norm = NormalizeDataPoint(name, h);
          // A phone number given without its country code matches the held number's last digits.
          if (name.find("phone") != std::string::npos && offered.size() >= 7 && norm.size() > offered.size())
            norm = norm.substr(norm.size() - offered.size());
          const bool eq = Secrets::HashesEqual(secrets_.KeyedHash("dp:" + name + ":" + norm), offered_hash);
          match = match || (eq && !offered.empty());
        }
      if (excluded.count(name)) {
        out.excluded.push_back(name);
        continue;
      }
      if (match) attempt.matched.push_back(name);
    }
    out.matched = attempt.matched;
    out.required = rule.required_points();
    attempt.required = out.required;
    attempt.signed_declaration = signed_declaration;
    attempt.success = static_cast<int>(attempt.matched.size()) >= out.required &&
                      (!rule.needs_declaration() || signed_declaration);
    if (Status st = tx.InsertDataPointAttempt(attempt); !st.ok()) return st;
    const std::string citation =
        rule.needs_declaration()
            ? "Cal. Code Regs. tit. 11 § 7062(c) (a reasonably high degree of certainty: three matching data points "
              "and a signed declaration under penalty of perjury)"
            : "Cal. Code Regs. tit. 11 § 7062(b), (d) (a reasonable degree of certainty: two matching data points)";
    if (attempt.success) {
      out.verified = true;
      Event ev;
      ev.name = "identity_verified";
      ev.actor = actor;
      json::array names;
      for (const auto& n : attempt.matched) names.emplace_back(n);
      ev.data["method"] = "data_points";
      ev.data["degree"] = rule.degree;
      ev.data["points"] = std::move(names);
      ev.data["matched"] = static_cast<std::int64_t>(attempt.matched.size());
      ev.data["required"] = out.required;
      ev.data["signed_declaration"] = signed_declaration;
      ev.data["citation"] = citation;
      if (Status st = ApplyInTx(tx, row, ev, std::nullopt); !st.ok()) return st;
      out.request = row;
      return Status::Ok();
    }
    ++failed;
    out.attempts_left = std::max(0, rule.max_attempts - failed);
    const std::string why = rule.needs_declaration() && !signed_declaration
                                ? "the signed declaration under penalty of perjury is required"
                                : "not enough of the details given match the information we hold";
    // At the limit, data points are locked for this request, as wrong codes lock a code: the
    // request is not denied at once, so that someone who knows a reference cannot get another
    // person's request denied. The mailed code still confirms it; unconfirmed, the verification
    // window denies it for insufficient verification and says why (VerificationFailure).
    if (out.attempts_left == 0)
      refusal = Status::Refused(why + "; no attempts left: details can no longer be offered for this request (the "
                                      "code we mailed still confirms it)");
    else
      refusal = Status::Refused(why + "; " + std::to_string(out.attempts_left) + " attempt(s) left");
    out.request = row;
    return Status::Ok();  // the failed attempt is recorded
  });
  if (!s.ok()) return s;
  if (!refusal.ok()) return refusal;
  return out;
}

Result<std::string> RequestService::VerificationFailure(store::Tx& tx, const store::RequestRow& r) {
  // Data points offered until they were locked (Cal. Code Regs. tit. 11 § 7062).
  if (const auto rule = policies_.For(r.type, r.jurisdiction).data_points) {
    auto attempts = tx.DataPointAttemptsFor(r.id);
    if (!attempts.ok()) return attempts.status();
    int failed = 0;
    for (const auto& a : *attempts) failed += a.success ? 0 : 1;
    if (failed >= rule->max_attempts)
      return "the details given to confirm your identity did not match the information we hold, after " +
             std::to_string(failed) + " attempt(s), and the request was not confirmed with the code we sent in the "
             "time allowed";
  }
  auto latest = tx.LatestVerification(r.id);
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return std::string("the request was not confirmed in the time allowed");
  const store::VerificationRow& v = **latest;
  if (v.locked_at || v.attempts >= v.max_attempts)
    return std::string("too many wrong codes were entered, and the request was not confirmed with a new code in the "
                       "time allowed");
  if (v.attempts > 0 &&
      clock_.Now() > std::min(v.expires_at, v.issued_at + policies_.For(r.type, r.jurisdiction).code_ttl))
    return std::string("the code we sent expired before the right code was entered, and no new code was used");
  return std::string("the request was not confirmed with the code we sent in the time allowed");
}

// ---- legal holds ----

const std::vector<HoldGround>& HoldGrounds() {
  static const std::vector<HoldGround> kGrounds = {
      {"legal_claims", "GDPR Art. 17(3)(e): the establishment, exercise or defence of legal claims"},
      {"legal_obligation", "GDPR Art. 17(3)(b): compliance with a legal obligation"},
      {"litigation_hold", "GDPR Art. 17(3)(e): a litigation hold (legal claims)"},
      {"regulatory_investigation",
       "GDPR Art. 17(3)(b): an authority's investigation or order (a legal obligation)"},
  };
  return kGrounds;
}

std::string HoldCitation(const std::string& ground) {
  for (const auto& g : HoldGrounds())
    if (g.name == ground) return g.citation;
  return "";
}

namespace {

json::object HoldScopeJson(const store::HoldRow& h) {
  json::object o;
  auto opt = [](const std::string& v) { return v.empty() ? json::value(nullptr) : json::value(v); };
  o["subject_email"] = opt(h.subject_email);
  o["account_id"] = opt(h.account_id);
  o["table"] = opt(h.scope_table);
  o["category"] = opt(h.scope_category);
  return o;
}

// The transition data of hold_placed / hold_released: what the hold is (who and why are the
// transition's actor and reason).
void HoldEventData(const store::HoldRow& h, Event& ev) {
  ev.data["hold_id"] = h.id;
  ev.data["matter"] = h.matter;
  ev.data["scope"] = HoldScopeJson(h);
  ev.data["ground"] = h.ground;
  ev.data["citation"] = HoldCitation(h.ground);
  ev.data["placed_by"] = h.placed_by;
  ev.data["hold_reason"] = h.reason;
}

// Sends `event` to every open request the hold covers: the hold's data subject's requests, or,
// for a table/category hold naming nobody, every open deletion. A workflow that does not offer
// the event in the request's state leaves that request alone. `on_hold_before` collects the
// references of requests that were on_hold, `left_hold` those that left on_hold.
Status NotifyHold(RequestService& svc, store::Tx& tx, const store::HoldRow& h, const Event& event,
                  std::vector<std::string>* left_hold = nullptr) {
  std::vector<store::RequestRow> affected;
  if (h.names_subject()) {
    auto rows = tx.RequestsInState("", h.subject_email, h.account_id);
    if (!rows.ok()) return rows.status();
    affected = std::move(rows.value());
  } else {
    store::RequestFilter f;
    f.type = "deletion";
    f.limit = 500;
    while (true) {
      auto rows = tx.ListRequests(f);
      if (!rows.ok()) return rows.status();
      for (auto& r : *rows)
        if (!IsFinalState(r.state)) affected.push_back(std::move(r));
      if (rows->size() < static_cast<std::size_t>(f.limit)) break;
      f.after_seq = rows->back().seq;
    }
  }
  for (store::RequestRow& r : affected) {
    if (IsFinalState(r.state)) continue;
    const bool was_on_hold = r.state == "on_hold";
    Status s = svc.ApplyInTx(tx, r, event, std::nullopt);
    if (!s.ok() && !s.IsRefused()) return s;
    if (left_hold && was_on_hold && s.ok() && r.state != "on_hold") left_hold->push_back(r.reference);
  }
  return Status::Ok();
}

std::string JoinNames(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

Result<store::HoldRow> RequestService::PlaceHold(const HoldInput& in) {
  store::HoldRow h;
  h.subject_email = NormalizeEmail(in.subject_email);
  h.account_id = Trim(in.account_id);
  h.scope_table = Trim(in.table);
  h.scope_category = Trim(in.category);
  h.ground = Trim(in.ground).empty() ? "legal_claims" : Trim(in.ground);
  if (h.subject_email.empty() && h.account_id.empty() && h.scope_table.empty() && h.scope_category.empty())
    return Status::Invalid("a legal hold names 'subject_email', 'account_id', 'table' or 'category'");
  if (!h.subject_email.empty() && !IsValidEmail(h.subject_email))
    return Status::Invalid("subject_email must be one email address (local@domain)");
  if (!h.scope_table.empty() && !h.scope_category.empty())
    return Status::Invalid("a legal hold names 'table' or 'category', not both");
  if (Trim(in.matter).empty()) return Status::Invalid("a legal hold names its matter ('matter')");
  if (Trim(in.reason).empty()) return Status::Invalid("a legal hold needs a reason ('reason')");
  if (HoldCitation(h.ground).empty()) {
    std::vector<std::string> names;
    for (const auto& g : HoldGrounds()) names.push_back(g.name);
    return Status::Invalid("'ground' must be one of " + JoinNames(names) + ", not '" + h.ground + "'");
  }
  if (!h.scope_table.empty() || !h.scope_category.empty()) {
    if (hold_scopes_.empty())
      return Status::Unprocessable("no systems map is configured: a hold cannot name a 'table' or 'category'");
    std::vector<std::string> tables, categories;
    for (const auto& [t, c] : hold_scopes_) {
      tables.push_back(t);
      if (std::find(categories.begin(), categories.end(), c) == categories.end()) categories.push_back(c);
    }
    if (!h.scope_table.empty() && std::find(tables.begin(), tables.end(), h.scope_table) == tables.end())
      return Status::Unprocessable("'table': '" + h.scope_table + "' is not a table of the systems map (" +
                                   JoinNames(tables) + ")");
    if (!h.scope_category.empty() &&
        std::find(categories.begin(), categories.end(), h.scope_category) == categories.end())
      return Status::Unprocessable("'category': '" + h.scope_category + "' is not a table category of the systems map (" +
                                   JoinNames(categories) + ")");
  }
  h.id = Secrets::NewUuid();
  h.matter = Trim(in.matter);
  h.reason = in.reason;
  h.placed_by = in.actor;
  h.placed_at = clock_.Now();
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    if (Status st = tx.InsertHold(h); !st.ok()) return st;
    Event ev;
    ev.name = "hold_placed";
    ev.actor = in.actor;
    ev.reason = in.reason;
    HoldEventData(h, ev);
    return NotifyHold(*this, tx, h, ev);
  });
  if (!s.ok()) return s;
  return h;
}

Result<std::vector<store::HoldRow>> RequestService::ListHolds(bool active_only, const std::string& matter) {
  std::vector<store::HoldRow> rows;
  Status s = store_.Read([&](store::Tx& tx) {
    auto r = matter.empty() ? tx.ListHolds(active_only) : tx.HoldsOfMatter(matter);
    if (!r.ok()) return r.status();
    for (auto& h : *r)
      if (!active_only || !h.released_at) rows.push_back(std::move(h));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return rows;
}

Result<HoldRelease> RequestService::ReleaseHold(const std::string& id, const std::string& actor,
                                                const std::string& reason) {
  HoldRelease out;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    out = HoldRelease{};
    if (auto existing = tx.GetHold(id); !existing.ok()) return existing.status();
    if (Status st = tx.ReleaseHold(id, actor, reason, clock_.Now()); !st.ok()) return st;
    auto got = tx.GetHold(id);
    if (!got.ok()) return got.status();
    out.hold = std::move(got.value());
    const store::HoldRow& h = out.hold;
    Event ev;
    ev.name = "hold_released";
    ev.actor = actor;
    ev.reason = reason;
    HoldEventData(h, ev);
    ev.data["released_by"] = actor;
    if (Status n = NotifyHold(*this, tx, h, ev, &out.resumed); !n.ok()) return n;
    // Completed deletions that kept rows for this hold: listed, never re-run (README: Legal holds).
    auto jobs = tx.DoneJobsMentioning("erase", "\"" + h.id + "\"");
    if (!jobs.ok()) return jobs.status();
    for (const store::JobRow& j : *jobs) {
      auto req = tx.GetRequest(j.request_id);
      if (!req.ok()) continue;  // purged
      const json::value result = ParseOr(j.result_json, json::object());
      const json::value* sv = result.is_object() ? result.as_object().if_contains("summary") : nullptr;
      const json::object* summary = sv ? sv->if_object() : nullptr;
      const json::value* retained = summary ? summary->if_contains("retained") : nullptr;
      if (!retained || !retained->is_array()) continue;
      const json::array& entries = retained->as_array();
      for (const json::value& e : entries) {
        if (!e.is_object()) continue;
        const json::object& o = e.as_object();
        bool mine = false;
        if (const auto* ids = o.if_contains("holds"); ids && ids->is_array())
          for (const auto& x : ids->as_array()) mine = mine || (x.is_string() && x.as_string() == h.id);
        if (!mine) continue;
        const std::string table = StringField(e, "table"), category = StringField(e, "category");
        auto still = tx.HoldsCovering(req->subject_email, req->subject_account, table, category);
        if (!still.ok()) return still.status();
        json::array still_ids;
        for (const auto& other : *still) still_ids.emplace_back(other.id);
        json::object f;
        f["request_id"] = req->id;
        f["reference"] = req->reference;
        f["table"] = table;
        f["rows"] = o.contains("rows") ? o.at("rows") : json::value(0);
        f["category"] = category;
        f["still_held_by"] = std::move(still_ids);
        out.retained_now_free.push_back(std::move(f));
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

// ---- intake ----

namespace {

// The outcome a stored inbound message was reported with (for a Maildir file seen again).
Status EarlierOutcome(store::Tx& tx, const store::InboundRow& row, IntakeOutcome& out) {
  out.kind = row.outcome;
  out.message_row = row.id;
  out.replayed = true;
  if (row.outcome == "triage") {
    out.line = "triage " + std::to_string(row.id);
    return Status::Ok();
  }
  if (row.outcome == "ignored" || row.outcome == "refused") {
    out.line = row.outcome + ": " + row.detail;
    return Status::Ok();
  }
  if (row.request_id.empty()) {  // a redelivery of a message that went to triage
    auto first = tx.FindInboundByMessageId(row.message_id, row.content_sha256);
    if (!first.ok()) return first.status();
    out.line = "triage " + std::to_string(first->has_value() ? (*first)->id : row.id) + " (redelivery)";
    return Status::Ok();
  }
  auto r = tx.GetRequest(row.request_id);
  if (!r.ok()) return r.status();
  out.reference = r->reference;
  out.line = row.outcome == "request" ? r->reference : r->reference + " (" + row.outcome + ")";
  // A message that asked for several rights: every reference, as first reported.
  if (row.outcome == "request" && row.detail.rfind("requests ", 0) == 0) out.line = row.detail.substr(9);
  return Status::Ok();
}

}  // namespace

Result<MailBytes> ReadMail(int fd, std::int64_t limit) {
  MailBytes out;
  Sha256 hash;
  const std::size_t keep_at_most = static_cast<std::size_t>(limit);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (st.st_size > limit) out.over_limit = true;  // refused from the start: only its beginning is read into memory
    else if (st.st_size > 0) out.raw.reserve(static_cast<std::size_t>(st.st_size));
  }
  // Keeps `n` more bytes, up to `cap` in all.
  auto keep = [&](const char* p, std::size_t n, std::size_t cap) {
    if (out.raw.size() < cap) out.raw.append(p, std::min(n, cap - out.raw.size()));
  };
  std::vector<char> buf(1 << 16);
  for (;;) {
    const ssize_t got = ::read(fd, buf.data(), buf.size());
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::strerror(errno));
    }
    const std::size_t n = static_cast<std::size_t>(got);
    hash.Update(buf.data(), n);
    if (!out.over_limit && static_cast<std::int64_t>(out.raw.size() + n) > limit) {
      out.over_limit = true;  // crossed the limit: keep only the beginning, hash the rest
      out.raw.resize(std::min(out.raw.size(), kRefusedKeptBytes));
      out.raw.shrink_to_fit();
    }
    if (out.over_limit) {
      keep(buf.data(), n, kRefusedKeptBytes);
    } else {
      // Grow by doubling, never past the limit (a pipe has no size to reserve up front). A new
      // string reserved from empty gets exactly that capacity (std::string::reserve on a
      // non-empty one may round up to twice the old capacity).
      if (out.raw.capacity() < out.raw.size() + n) {
        std::string bigger;
        bigger.reserve(std::min(keep_at_most, std::max(out.raw.capacity() * 2, out.raw.size() + n)));
        bigger.append(out.raw);
        out.raw.swap(bigger);
      }
      out.raw.append(buf.data(), n);
    }
    out.size += static_cast<std::int64_t>(n);
  }
  out.sha256 = hash.HexDigest();
  return out;
}

Result<IntakeOutcome> RequestService::IntakeMail(std::string_view raw, const std::string& maildir_name) {
  const PreparedMail pm = PrepareMail(raw, maildir_name);
  auto outs = IntakeMailBatch({&pm, 1});
  if (!outs.ok()) return outs.status();
  return std::move(outs->front());
}

Result<IntakeOutcome> RequestService::IntakeMail(const MailBytes& bytes, const std::string& maildir_name) {
  const PreparedMail pm = PrepareMail(bytes, maildir_name);
  auto outs = IntakeMailBatch({&pm, 1});
  if (!outs.ok()) return outs.status();
  return std::move(outs->front());
}

Result<std::vector<IntakeOutcome>> RequestService::IntakeMailBatch(std::span<const PreparedMail> mails) {
  std::vector<IntakeOutcome> outs;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    outs.clear();
    const Millis now = clock_.Now();
    for (const PreparedMail& pm : mails) {
      auto one = IntakeMailInTx(tx, pm, now);
      if (!one.ok()) return one.status();
      outs.push_back(std::move(one.value()));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return outs;
}

PreparedMail RequestService::PrepareMail(std::string_view raw, std::string maildir_name) const {
  PreparedMail pm;
  pm.size = static_cast<std::int64_t>(raw.size());
  pm.sha256 = Sha256Hex(raw);
  pm.over_limit = pm.size > config_.max_message_bytes;
  pm.raw = pm.over_limit ? raw.substr(0, kRefusedKeptBytes) : raw;
  pm.maildir_name = std::move(maildir_name);
  if (!pm.over_limit) {
    auto parsed = mail::ParseMessage(raw);
    if (parsed.ok()) pm.parsed = std::move(parsed.value());
    else pm.unreadable = parsed.status().message();
  }
  return pm;
}

PreparedMail RequestService::PrepareMail(const MailBytes& bytes, std::string maildir_name) const {
  const std::string_view raw(bytes.raw);
  const bool whole = !bytes.over_limit && static_cast<std::int64_t>(raw.size()) == bytes.size;
  if (whole && bytes.sha256.empty()) return PrepareMail(raw, std::move(maildir_name));  // not from ReadMail
  PreparedMail pm;
  pm.size = bytes.size;
  pm.sha256 = bytes.sha256;  // ReadMail hashed every byte
  pm.over_limit = !whole || bytes.size > config_.max_message_bytes;
  pm.raw = pm.over_limit ? raw.substr(0, kRefusedKeptBytes) : raw;
  pm.maildir_name = std::move(maildir_name);
  if (!pm.over_limit) {
    auto parsed = mail::ParseMessage(raw);
    if (parsed.ok()) pm.parsed = std::move(parsed.value());
    else pm.unreadable = parsed.status().message();
  }
  return pm;
}

Result<IntakeOutcome> RequestService::IntakeMailInTx(store::Tx& tx, const PreparedMail& pm, Millis now) {
  const std::string_view raw = pm.raw;
  const std::string& maildir_name = pm.maildir_name;
  store::InboundRow m;
  m.maildir_name = maildir_name;
  m.sha256 = pm.sha256;
  m.size = pm.size;
  m.intake_at = now;
  m.received_at = now;
  IntakeOutcome out;
  Status s = [&]() -> Status {
    // The same Maildir file again (moved to cur/ only after this commits): nothing stored twice,
    // even without a Message-ID.
    if (!maildir_name.empty()) {
      auto seen = tx.FindInboundByMaildirName(maildir_name);
      if (!seen.ok()) return seen.status();
      if (seen->has_value() && (*seen)->sha256 == m.sha256) return EarlierOutcome(tx, **seen, out);
      if (seen->has_value()) {
        // Other bytes under a name already ingested (a delivery agent reusing a unique name):
        // another message, recorded under the name qualified by its hash, so that a crash
        // before its move is still replayed and not doubled.
        m.maildir_name = maildir_name + "#" + m.sha256.substr(0, 16);
        auto again = tx.FindInboundByMaildirName(m.maildir_name);
        if (!again.ok()) return again.status();
        if (again->has_value()) return EarlierOutcome(tx, **again, out);
      }
    }
    auto keep = [&](const std::string& outcome, const std::string& request_id, const std::string& detail) -> Status {
      m.outcome = outcome;
      m.request_id = request_id;
      m.detail = detail;
      auto id = tx.InsertInbound(m, raw);
      if (!id.ok()) return id.status();
      out.message_row = *id;
      return Status::Ok();
    };
    // Over the size limit: recorded (true size, SHA-256 of every byte, the first bytes only),
    // never parsed, never a request.
    if (pm.over_limit) {
      // Its Message-ID, for staff, when the header ends within the bytes kept.
      const std::size_t header_end = raw.find("\n\r\n") != std::string_view::npos ? raw.find("\n\r\n")
                                                                                  : raw.find("\n\n");
      if (header_end != std::string_view::npos)
        if (auto head = mail::ParseMessage(std::string(raw.substr(0, header_end + 1)) + "\r\n"); head.ok())
          m.message_id = head->message_id;
      const std::string reason = "the message is " + std::to_string(pm.size) + " bytes; the limit is " +
                                 std::to_string(config_.max_message_bytes) + " bytes (only its first " +
                                 std::to_string(std::min<std::int64_t>(pm.size, kRefusedKeptBytes)) +
                                 " bytes are kept)";
      if (Status st = keep("refused", "", reason); !st.ok()) return st;
      out.kind = "refused";
      out.line = "refused: " + reason;
      return Status::Ok();
    }
    if (!pm.parsed) {
      if (Status st = keep("triage", "", "unreadable: " + pm.unreadable); !st.ok()) return st;
      out.kind = "triage";
      out.line = "triage " + std::to_string(out.message_row);
      return Status::Ok();
    }
    const mail::ParsedMessage& p = *pm.parsed;
    m.message_id = p.message_id;
    m.content_sha256 = Sha256Hex((p.from ? NormalizeEmail(p.from->email) : std::string()) + "\n" + p.subject + "\n" +
                                 (p.date ? FormatRfc3339(*p.date) : std::string()) + "\n" + p.text);
    if (p.received_at && *p.received_at <= now) m.received_at = *p.received_at;

    // The same message delivered again (contract — duplicates): one message, no new request.
    // Without a Message-ID, only the very same bytes are the same message.
    {
      auto seen = p.message_id.empty() ? tx.FindInboundBySha256(m.sha256)
                                       : tx.FindInboundByMessageId(p.message_id, m.content_sha256);
      if (!seen.ok()) return seen.status();
      if (seen->has_value()) {
        const store::InboundRow& first = **seen;
        if (Status st = keep("redelivery", first.request_id, "same Message-ID as message " + std::to_string(first.id));
            !st.ok())
          return st;
        out.kind = "redelivery";
        if (!first.request_id.empty()) {
          auto r = tx.GetRequest(first.request_id);
          if (!r.ok()) return r.status();
          out.reference = r->reference;
          out.line = r->reference + " (redelivery)";
        } else {
          out.line = first.outcome == "ignored" ? "ignored: " + first.detail + " (redelivery)"
                                                : "triage " + std::to_string(first.id) + " (redelivery)";
        }
        return Status::Ok();
      }
    }

    // Machine-generated mail (bounces, auto-replies, read receipts, reports, list mail) is kept
    // and marked, never a request and never answered — not even when it quotes our mail.
    if (auto machine = mail::MachineGenerated(p)) {
      std::string linked;
      std::vector<std::string> refs = p.references;
      if (!p.in_reply_to.empty()) refs.insert(refs.begin(), p.in_reply_to);
      for (const std::string& mid : refs) {
        auto rid = tx.RequestForMessageId(mid);
        if (!rid.ok()) return rid.status();
        if (rid->has_value()) {
          linked = **rid;
          break;
        }
      }
      if (Status st = keep("ignored", linked, *machine); !st.ok()) return st;
      out.kind = "ignored";
      out.line = "ignored: " + *machine;
      return Status::Ok();
    }

    // A reply to our mail joins its request.
    std::optional<store::RequestRow> joined;
    std::vector<std::string> ids = p.references;
    if (!p.in_reply_to.empty()) ids.insert(ids.begin(), p.in_reply_to);
    for (const std::string& mid : ids) {
      auto rid = tx.RequestForMessageId(mid);
      if (!rid.ok()) return rid.status();
      if (rid->has_value()) {
        auto r = tx.GetRequest(**rid);
        if (!r.ok()) return r.status();
        joined = std::move(r.value());
        break;
      }
    }
    if (!joined) {
      const std::string ref = mail::FindReference(p.subject);
      if (!ref.empty()) {
        auto r = tx.GetRequest(ref);
        if (r.ok()) joined = std::move(r.value());
        else if (!r.status().IsNotFound()) return r.status();
      }
    }
    if (joined) {
      // A reply to a closed request cannot change it: it waits in the triage queue, linked to the
      // request, for staff to answer (a new request, a question about the answer, an appeal).
      if (IsFinalState(joined->state)) {
        if (Status st = keep("triage", joined->id,
                             "a reply to " + joined->reference + ", which is closed (" + joined->state + ")");
            !st.ok())
          return st;
        out.kind = "triage";
        out.reference = joined->reference;
        out.line = "triage " + std::to_string(out.message_row);
        return Status::Ok();
      }
      std::string detail = "reply";
      const std::string code = mail::FindVerificationCode(p.fresh_text);
      bool accepted = false;
      if (!code.empty()) {
        Status refusal;
        if (Status st = VerifyInTx(*this, tx, *joined, code, "requester", refusal); !st.ok()) return st;
        accepted = refusal.ok();
        detail = accepted ? "verification code accepted" : "verification code refused: " + refusal.message();
      }
      if (Status st = keep("reply", joined->id, detail); !st.ok()) return st;
      // Whatever the requester wrote beyond an accepted code ("any update?", a second wish, a
      // refused code) is a note for staff in the request's history.
      // The code itself never goes into the history (used or not, it is a secret), in whatever
      // spacing it was written ("461 944", "461-944"): "[code]".
      std::string text = p.fresh_text;
      if (!code.empty()) {
        std::string pattern;
        for (char d : code) pattern += (pattern.empty() ? "" : "[\\s.\\-]*") + std::string(1, d);
        text = std::regex_replace(text, std::regex(pattern), "[code]");
      }
      // Any other group of exactly six digits (a code in a shape not read as one, "14-67-51", or a
      // mistyped one) is masked too: it may be a live code. Longer groups (phone numbers) stay.
      {
        static const std::regex kDigitGroup("[0-9](?:[ .\\-]?[0-9])*");
        std::string masked;
        std::size_t from = 0;
        for (std::sregex_iterator it(text.begin(), text.end(), kDigitGroup), end; it != end; ++it) {
          const std::string group = it->str();
          if (std::count_if(group.begin(), group.end(), [](unsigned char ch) { return std::isdigit(ch); }) != 6)
            continue;
          masked.append(text, from, static_cast<std::size_t>(it->position()) - from);
          masked += "[code]";
          from = static_cast<std::size_t>(it->position() + it->length());
        }
        text = masked + text.substr(from);
      }
      // More than a code ("My code is …", "Here is my code: …") is kept for staff: a question, or
      // more than five words beside the code (a second wish, "any update?").
      std::string rest = text;
      for (std::size_t at = rest.find("[code]"); at != std::string::npos; at = rest.find("[code]")) rest.erase(at, 6);
      std::istringstream words(rest);
      int word_count = 0;
      for (std::string w; words >> w;)
        if (std::any_of(w.begin(), w.end(), [](unsigned char ch) { return std::isalpha(ch) || ch >= 0x80; })) ++word_count;
      const bool more = word_count > 5 || rest.find('?') != std::string::npos || rest.find("\uFF1F") != std::string::npos;
      if (!accepted || more) {
        bool cut = false;
        Event note;
        note.name = "message_received";
        note.actor = "requester";
        note.data["inbound_message"] = out.message_row;
        note.data["mail_subject"] = Utf8Prefix(p.subject, 500, cut);
        note.data["note"] = Utf8Prefix(text, 2000, cut);
        if (cut) note.data["note_truncated"] = true;
        if (!code.empty()) note.data["code"] = detail;  // the outcome, never the code itself
        auto fresh = tx.GetRequest(joined->id);  // a verified code moved the request on
        if (!fresh.ok()) return fresh.status();
        store::RequestRow row = std::move(fresh.value());
        if (Status a = ApplyInTx(tx, row, note, std::nullopt); !a.ok() && !a.IsRefused()) return a;
      }
      out.kind = "reply";
      out.reference = joined->reference;
      out.line = joined->reference + " (reply)";
      return Status::Ok();
    }

    mail::Classification c = mail::Classify(p);
    if (c.outcome == mail::Classification::Outcome::kRequest && !IsValidEmail(c.subject.email)) {
      c.outcome = mail::Classification::Outcome::kTriage;
      c.reason = "the data subject's address is not a usable email address";
    }
    if (c.outcome == mail::Classification::Outcome::kRequest && IsOwnAddress(c.subject.email)) {
      c.outcome = mail::Classification::Outcome::kTriage;  // never answer ourselves (a loop, or a spoof)
      c.reason = "the data subject's address is the controller's own";
    }
    if (c.outcome != mail::Classification::Outcome::kRequest || !c.type || c.subject.email.empty()) {
      if (Status st = keep("triage", "", c.reason.empty() ? "not a recognisable request" : c.reason); !st.ok())
        return st;
      out.kind = "triage";
      out.line = "triage " + std::to_string(out.message_row);
      return Status::Ok();
    }
    // One request per right asked for, in the order written, all from this message row (kept
    // first, so each request's details carry its id); the row links the first.
    if (Status st = keep("request", "", ""); !st.ok()) return st;
    std::vector<RequestType> types = c.types;
    if (types.empty()) types.push_back(*c.type);
    CreateRequestInput in;
    in.jurisdiction = c.jurisdiction_hint;
    in.subject = c.subject;
    in.requester = c.requester;
    in.channel = "email";
    in.received_at = m.received_at;
    in.language = c.language;
    in.actor = "intake";
    in.details["message_id"] = p.message_id;
    in.details["mail_subject"] = p.subject.size() > 500 ? p.subject.substr(0, 500) + "…" : p.subject;
    if (p.date) in.details["mail_date"] = FormatRfc3339(*p.date);
    if (!c.jurisdiction_hint.empty()) in.details["jurisdiction_hint"] = c.jurisdiction_hint;
    in.details["inbound_message"] = out.message_row;
    std::string first_id;
    std::vector<std::string> refs;
    for (RequestType t : types) {
      in.type = std::string(RequestTypeName(t));
      if (types.size() > 1) in.details["rights_in_message"] = static_cast<std::int64_t>(types.size());
      auto created = CreateInTx(tx, in, now);
      if (!created.ok()) return created.status();
      if (first_id.empty()) {
        first_id = created->id;
        out.reference = created->reference;
      }
      refs.push_back(created->reference);
    }
    std::string line;
    for (const std::string& ref : refs) line += (line.empty() ? "" : " ") + ref;
    if (Status st = tx.SetInboundOutcome(out.message_row, "request", first_id,
                                         refs.size() > 1 ? "requests " + line : std::string());
        !st.ok())
      return st;
    out.kind = "request";
    out.line = line;
    return Status::Ok();
  }();
  if (!s.ok()) return s;
  return out;
}

// ---- the staff queues of inbound mail ----

const std::vector<std::string>& InboundOutcomes() {
  static const std::vector<std::string> outcomes = {"triage", "ignored", "request", "reply", "redelivery", "refused"};
  return outcomes;
}

namespace {

// Decodes one stored message for staff (reads its raw bytes and linked reference inside `tx`).
Result<InboundMessage> DecodeInbound(store::Tx& tx, store::InboundRow row) {
  InboundMessage m;
  if (!row.request_id.empty()) {
    auto r = tx.GetRequest(row.request_id);
    if (!r.ok()) return r.status();
    m.reference = r->reference;
  }
  if (row.raw_purged_at) {  // records retention: the metadata and outcome stay, the text is gone
    m.unreadable = "the raw message was purged on " + FormatRfc3339(*row.raw_purged_at) + " (records retention)";
    m.row = std::move(row);
    return m;
  }
  auto raw = tx.InboundRaw(row.id);
  if (!raw.ok()) return raw.status();
  m.row = std::move(row);
  auto parsed = mail::ParseMessage(*raw);
  if (!parsed.ok()) {
    m.unreadable = parsed.status().message();
    return m;
  }
  m.readable = true;
  m.subject = std::move(parsed->subject);
  if (parsed->from) {
    m.from_name = parsed->from->name;
    m.from_email = parsed->from->email;
  }
  m.text = Utf8Prefix(parsed->text, kInboundTextLimit, m.text_truncated);
  return m;
}

}  // namespace

Result<std::vector<InboundMessage>> RequestService::ListInbound(const std::string& outcome, std::int64_t after_id,
                                                                int limit) {
  std::vector<InboundMessage> out;
  Status s = store_.Read([&](store::Tx& tx) -> Status {
    auto rows = tx.ListInbound(outcome, after_id, limit);
    if (!rows.ok()) return rows.status();
    for (auto& row : *rows) {
      auto m = DecodeInbound(tx, std::move(row));
      if (!m.ok()) return m.status();
      out.push_back(std::move(m.value()));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<InboundMessage> RequestService::GetInbound(std::int64_t id) {
  InboundMessage out;
  Status s = store_.Read([&](store::Tx& tx) -> Status {
    auto row = tx.GetInbound(id);
    if (!row.ok()) return row.status();
    if (!row->has_value()) return Status::NotFound("no inbound message " + std::to_string(id));
    auto m = DecodeInbound(tx, std::move(**row));
    if (!m.ok()) return m.status();
    out = std::move(m.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

json::object RequestService::InboundJson(const InboundMessage& m) {
  auto or_null = [](const std::string& v) { return v.empty() ? json::value(nullptr) : json::value(v); };
  json::object o;
  o["id"] = m.row.id;
  o["outcome"] = m.row.outcome;
  o["detail"] = or_null(m.row.detail);
  o["received_at"] = FormatRfc3339(m.row.received_at);
  o["intake_at"] = FormatRfc3339(m.row.intake_at);
  o["message_id"] = or_null(m.row.message_id);
  o["size"] = m.row.size;
  o["sha256"] = m.row.sha256;
  o["reference"] = or_null(m.reference);
  o["readable"] = m.readable;
  o["unreadable"] = m.readable ? json::value(nullptr) : json::value("unreadable: " + m.unreadable);
  o["subject"] = m.readable ? json::value(m.subject) : json::value(nullptr);
  if (m.from_email) {
    json::object from;
    from["name"] = m.from_name.value_or("");
    from["email"] = *m.from_email;
    o["from"] = std::move(from);
  } else {
    o["from"] = nullptr;
  }
  o["text"] = m.readable ? json::value(m.text) : json::value(nullptr);
  o["text_truncated"] = m.text_truncated;
  return o;
}

// ---- exports, tokens ----

Result<RequestService::ExportFile> RequestService::Export(const std::string& id) {
  ExportFile file;
  Status s = store_.Read([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    if (Status f = FindPackage(tx, *r, file); !f.ok()) return f;
    auto links = tx.DownloadLinksFor(r->id);
    if (!links.ok()) return links.status();
    for (const auto& l : *links)
      if (l.file_path == file.path && l.file_deleted_at) file.deleted_at = l.file_deleted_at;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return file;
}

Result<RequestService::DownloadOutcome> RequestService::Download(const std::string& token) {
  DownloadOutcome out;
  const std::string hash = secrets_.KeyedHash(DownloadHashInput(token));
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    const Millis now = clock_.Now();
    // Looked up by the keyed hash (the index compares HMACs an attacker cannot compute), then
    // compared in constant time.
    auto link = tx.DownloadLinkByHash(hash);
    if (!link.ok()) return link.status();
    if (!link->has_value() || !Secrets::HashesEqual((*link)->token_hash, hash)) {
      out.outcome = "unknown";
      return tx.InsertDownloadAttempt(std::nullopt, now, out.outcome);
    }
    const store::DownloadLinkRow& l = **link;
    auto r = tx.GetRequest(l.request_id);
    if (!r.ok()) return r.status();
    out.reference = r->reference;
    std::error_code ec;
    if (l.revoked_at) out.outcome = "revoked";
    else if (now >= l.expires_at) out.outcome = "expired";
    else if (l.downloads >= l.max_downloads) out.outcome = "exhausted";
    else if (l.file_deleted_at || !std::filesystem::is_regular_file(l.file_path, ec)) out.outcome = "missing";
    else out.outcome = "ok";
    if (out.outcome == "ok") {
      if (Status f = FindPackage(tx, *r, out.file); !f.ok()) return f;
      out.file.path = l.file_path;  // the file this link was made for
      if (Status c = tx.CountDownload(l.id); !c.ok()) return c;
    }
    return tx.InsertDownloadAttempt(l.id, now, out.outcome);
  });
  if (!s.ok()) return s;
  return out;
}

Result<RequestService::IssuedLink> RequestService::IssueDownloadLink(const std::string& id, const std::string& actor) {
  IssuedLink issued;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    if (r->state != "completed")
      return Status::Refused("request " + r->reference + " is '" + r->state +
                             "': a download link is given once it is completed");
    ExportFile package;
    if (Status f = FindPackage(tx, *r, package); !f.ok()) return f;
    auto links = tx.DownloadLinksFor(r->id);
    if (!links.ok()) return links.status();
    std::error_code ec;
    bool deleted = !std::filesystem::is_regular_file(package.path, ec);
    for (const auto& l : *links) deleted = deleted || (l.file_path == package.path && l.file_deleted_at);
    if (deleted)
      return Status::Refused("the package of request " + r->reference +
                             " was deleted after its download link expired; there is nothing to link to");
    std::map<std::string, std::string> vars;
    auto link = CreateDownloadLinkInTx(tx, *r, package.path, actor, vars);
    if (!link.ok()) return link.status();
    issued = *link;
    // To the data subject only (the contract — who is who: mail goes to the data subject).
    const std::string subject_email = StringField(ParseOr(r->subject_json, json::object()), "email");
    return QueueMail(tx, *r, "completed", vars, std::nullopt, true, {subject_email});
  });
  if (!s.ok()) return s;
  return issued;
}

Result<std::string> RequestService::CreateToken(const std::string& name) {
  const std::string token = Secrets::NewToken();
  Status s = store_.Transact([&](store::Tx& tx) { return tx.InsertToken(name, secrets_.KeyedHash(token), clock_.Now()); });
  if (!s.ok()) return s;
  return token;
}

Result<std::optional<std::string>> RequestService::TokenName(const std::string& token) {
  std::optional<std::string> name;
  const std::string hash = secrets_.KeyedHash(token);
  Status s = store_.Read([&](store::Tx& tx) {
    auto r = tx.TokenName(hash);
    if (!r.ok()) return r.status();
    name = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return name;
}

// ---- JSON views ----

json::object RequestService::RequestJson(const store::RequestRow& r) {
  json::object o;
  o["id"] = r.id;
  o["reference"] = r.reference;
  o["type"] = r.type;
  o["state"] = r.state;
  o["jurisdiction"] = r.jurisdiction.empty() ? json::value(nullptr) : json::value(r.jurisdiction);
  o["jurisdiction_unknown"] = r.jurisdiction.empty();
  o["subject"] = ParseOr(r.subject_json, json::object());
  o["requester"] = ParseOr(r.requester_json, json::value(nullptr));
  o["channel"] = r.channel;
  o["received_at"] = FormatRfc3339(r.received_at);
  o["due_at"] = r.due_at ? json::value(FormatRfc3339(*r.due_at)) : json::value(nullptr);
  o["ack_due_at"] = r.ack_due_at ? json::value(FormatRfc3339(*r.ack_due_at)) : json::value(nullptr);
  const auto days_left = deadlines_->DaysLeft(r, clock_.Now());
  o["days_left"] = days_left ? json::value(*days_left) : json::value(nullptr);
  o["overdue"] = days_left.has_value() && *days_left < 0;
  o["extended"] = r.extensions > 0;
  o["extensions"] = r.extensions;
  o["paused"] = r.paused_at.has_value();
  o["paused_since"] = r.paused_at ? json::value(FormatRfc3339(*r.paused_at)) : json::value(nullptr);
  o["paused_days"] = r.paused_days;
  o["identity_verified"] = r.identity_verified;
  o["duplicate_of"] = r.duplicate_of.empty() ? json::value(nullptr) : json::value(r.duplicate_of);
  // An authorized agent's authority (Cal. Code Regs. tit. 11 § 7063): null when no agent asked,
  // else "missing", "signed_permission" or "power_of_attorney" (the strongest recorded).
  o["agent_authorization"] = nullptr;
  if (HasAgent(r)) {
    AgentAuthority a = AgentAuthority::kMissing;
    store_.Read([&](store::Tx& tx) {
      auto got = AgentAuthorityFor(tx, r);
      if (got.ok()) a = *got;
      return Status::Ok();
    });
    o["agent_authorization"] = a == AgentAuthority::kPowerOfAttorney          ? "power_of_attorney"
                               : a == AgentAuthority::kParentalResponsibility ? "parental_responsibility"
                               : a == AgentAuthority::kSignedPermission       ? "signed_permission"
                                                                              : "missing";
  }
  o["language"] = r.language.empty() ? json::value(nullptr) : json::value(r.language);
  o["details"] = ParseOr(r.details_json, json::object());
  o["version"] = r.version;
  json::object wf;
  wf["id"] = r.workflow_id;
  wf["hash"] = r.workflow_hash;
  o["workflow"] = std::move(wf);
  json::array allowed;
  std::shared_ptr<const Workflow> w;
  {
    std::lock_guard lock(pinned_mu_);
    if (auto it = pinned_.find(r.workflow_hash); it != pinned_.end()) w = it->second;
  }
  if (!w) {
    store_.Read([&](store::Tx& tx) {
      auto got = PinnedWorkflow(tx, r.workflow_hash);
      if (got.ok()) w = *got;
      return Status::Ok();
    });
  }
  if (w) {
    const auto& staff = StaffEvents();
    const Millis now = clock_.Now();
    for (const std::string& e : w->EventsOffered(r.state)) {
      if (std::find(staff.begin(), staff.end(), e) == staff.end()) continue;
      if (e == "extend" && !deadlines_->ExtensionAllowed(r, now)) continue;  // the buttons that would work
      if (e == "pause" && !deadlines_->PauseAllowed(r, now)) continue;
      allowed.push_back(json::string(e));
    }
  }
  o["allowed_events"] = std::move(allowed);
  o["created_at"] = FormatRfc3339(r.created_at);
  o["updated_at"] = FormatRfc3339(r.updated_at);
  return o;
}

json::object RequestService::TransitionJson(const store::TransitionRow& t) {
  json::object o;
  o["version"] = t.version;
  o["from"] = t.from_state ? json::value(*t.from_state) : json::value(nullptr);
  o["to"] = t.to_state;
  o["event"] = t.event;
  o["actor"] = t.actor;
  o["reason"] = t.reason.empty() ? json::value(nullptr) : json::value(t.reason);
  o["data"] = ParseOr(t.data_json, json::object());
  o["effects"] = ParseOr(t.effects_json, json::array());
  o["at"] = FormatRfc3339(t.at);
  o["workflow_hash"] = t.workflow_hash;
  return o;
}

json::object RequestService::HoldJson(const store::HoldRow& h) {
  json::object o;
  o["id"] = h.id;
  o["subject_email"] = h.subject_email.empty() ? json::value(nullptr) : json::value(h.subject_email);
  o["account_id"] = h.account_id.empty() ? json::value(nullptr) : json::value(h.account_id);
  o["table"] = h.scope_table.empty() ? json::value(nullptr) : json::value(h.scope_table);
  o["category"] = h.scope_category.empty() ? json::value(nullptr) : json::value(h.scope_category);
  o["matter"] = h.matter;
  o["ground"] = h.ground;
  o["citation"] = HoldCitation(h.ground);
  o["reason"] = h.reason;
  o["placed_by"] = h.placed_by;
  o["placed_at"] = FormatRfc3339(h.placed_at);
  o["active"] = !h.released_at.has_value();
  o["released_at"] = h.released_at ? json::value(FormatRfc3339(*h.released_at)) : json::value(nullptr);
  o["released_by"] = h.released_by.empty() ? json::value(nullptr) : json::value(h.released_by);
  o["release_reason"] = h.release_reason.empty() ? json::value(nullptr) : json::value(h.release_reason);
  return o;
}

// ---- redaction review before release (issue 5 §5; GDPR Art. 15(4)) ----

namespace {

// SHA-256 of a file, streamed; "" when it cannot be read.
std::string FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  Sha256 h;
  std::string buf(1 << 16, '\0');
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    h.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  return h.HexDigest();
}

}  // namespace

Result<std::optional<std::size_t>> RequestService::RebuildReviewed(const std::string& id, json::object& data) {
  store::RequestRow r;
  std::vector<fulfillment::Redaction> redactions;
  std::size_t edits = 0;
  ExportFile package;
  bool under_review = false;
  Status s = store_.Read([&](store::Tx& tx) -> Status {
    auto got = tx.GetRequest(id);
    if (!got.ok()) return got.status();
    r = std::move(got.value());
    if (r.type != "access" || r.state != "awaiting_approval") return Status::Ok();
    under_review = true;
    auto t = tx.Transitions(r.id);
    if (!t.ok()) return t.status();
    redactions = RedactionsIn(*t);
    edits = ReviewEdits(*t);
    return FindPackage(tx, r, package);
  });
  if (!s.ok()) return s;
  if (!under_review) return std::optional<std::size_t>();
  std::lock_guard lock(review_mu_);
  const auto dir = fulfillment::ReviewDir(config_.exports_dir, r.reference);
  // Without staged rows (a Fulfiller that keeps no review data) the package stands as built; with
  // redactions it must be rebuilt, and a failure stops the approval.
  const bool staged = fulfillment::ReadStagedTables(dir).ok();
  if (staged || !redactions.empty())
    if (Status b = fulfillment::BuildAccessPackage(dir, redactions, package.path); !b.ok()) return b;
  data["redactions"] = static_cast<std::int64_t>(redactions.size());
  data["package_sha256"] = FileSha256(package.path);
  return std::optional<std::size_t>(edits);
}

Result<json::object> RequestService::PackageReview(const std::string& id) {
  auto r = Get(id);
  if (!r.ok()) return r.status();
  auto tables = fulfillment::ReadStagedTables(fulfillment::ReviewDir(config_.exports_dir, r->reference));
  if (!tables.ok()) return tables.status();
  auto history = Transitions(r->id);
  if (!history.ok()) return history.status();
  json::object o;
  o["reference"] = r->reference;
  o["state"] = r->state;
  o["under_review"] = r->state == "awaiting_approval";
  json::array ts;
  std::int64_t total = 0;
  for (const auto& t : *tables) {
    json::array cols;
    for (const auto& c : t.columns) cols.emplace_back(c);
    ts.push_back(json::object{{"table", t.name}, {"columns", std::move(cols)}, {"rows", t.rows}});
    total += t.rows;
  }
  o["tables"] = std::move(ts);
  o["total_rows"] = total;
  json::array reds;
  const auto active = ActiveRedactions(*history);
  for (const auto& t : *history) {
    if (t.event != "redact") continue;
    if (std::none_of(active.begin(), active.end(), [&](const auto& p) { return p.first == t.version; })) continue;
    json::value d = ParseOr(t.data_json, json::object());
    json::object e = d.is_object() ? d.as_object() : json::object();
    e["version"] = t.version;
    e["reason"] = t.reason;
    e["actor"] = t.actor;
    e["at"] = FormatRfc3339(t.at);
    reds.push_back(std::move(e));
  }
  o["redactions"] = std::move(reds);
  json::array reasons;
  for (const auto& rr : fulfillment::RedactionReasons())
    reasons.push_back(json::object{{"code", rr.code}, {"label", rr.label}, {"citation", rr.citation}});
  o["reasons"] = std::move(reasons);
  return o;
}

namespace {

// The staged table `name` of a package under review; nullopt when the package has none.
Result<std::optional<fulfillment::StagedTable>> StagedTableNamed(const std::filesystem::path& dir,
                                                                 const std::string& name) {
  auto tables = fulfillment::ReadStagedTables(dir);
  if (!tables.ok()) return tables.status();
  for (auto& t : *tables)
    if (t.name == name) return std::optional<fulfillment::StagedTable>(std::move(t));
  return std::optional<fulfillment::StagedTable>();
}

}  // namespace

Result<json::object> RequestService::PackageRows(const std::string& id, const std::string& table, std::int64_t offset,
                                                 std::int64_t limit) {
  auto r = Get(id);
  if (!r.ok()) return r.status();
  const auto dir = fulfillment::ReviewDir(config_.exports_dir, r->reference);
  auto staged = StagedTableNamed(dir, table);
  if (!staged.ok()) return staged.status();
  if (!*staged) return Status::NotFound("the package has no table '" + table + "'");
  const fulfillment::StagedTable* spec = &**staged;
  auto rows = fulfillment::ReadStagedRows(dir, table, offset, limit);
  if (!rows.ok()) return rows.status();
  auto history = Transitions(r->id);
  if (!history.ok()) return history.status();
  const auto redactions = RedactionsIn(*history);
  json::array items;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::int64_t n = offset + static_cast<std::int64_t>(i);
    json::object values, redacted;
    for (std::size_t k = 0; k < spec->columns.size() && k < (*rows)[i].size(); ++k)
      values[spec->columns[k]] = (*rows)[i][k];
    for (const auto& red : redactions)
      if (red.table == table && red.row == n) redacted[red.column.empty() ? "*" : red.column] = red.label;
    items.push_back(json::object{{"row", n}, {"values", std::move(values)}, {"redacted", std::move(redacted)}});
  }
  json::array cols;
  for (const auto& c : spec->columns) cols.emplace_back(c);
  return json::object{{"table", table}, {"columns", std::move(cols)}, {"offset", offset}, {"limit", limit},
                      {"total", spec->rows}, {"rows", std::move(items)}};
}

Result<store::RequestRow> RequestService::Redact(const std::string& id, const RedactionInput& in,
                                                 std::optional<std::int64_t> expected_version) {
  const fulfillment::RedactionReason* why = fulfillment::FindRedactionReason(in.reason_code);
  if (why == nullptr) {
    std::string list;
    for (const auto& r : fulfillment::RedactionReasons()) list += (list.empty() ? "" : ", ") + r.code;
    return Status::Invalid("field 'reason_code' must be one of: " + list);
  }
  if (Trim(in.reason).empty()) return Status::Invalid("field 'reason' is required: why this is redacted");
  auto got = Get(id);
  if (!got.ok()) return got.status();
  const auto dir = fulfillment::ReviewDir(config_.exports_dir, got->reference);
  auto staged = StagedTableNamed(dir, in.table);
  if (!staged.ok()) return staged.status();
  if (!*staged) return Status::Unprocessable("the package has no table '" + in.table + "'");
  const fulfillment::StagedTable* spec = &**staged;
  if (in.row < 0 || in.row >= spec->rows)
    return Status::Unprocessable("table '" + in.table + "' has rows 0 to " + std::to_string(spec->rows - 1) +
                                 " in the package, not " + std::to_string(in.row));
  if (!in.column.empty() && std::find(spec->columns.begin(), spec->columns.end(), in.column) == spec->columns.end())
    return Status::Unprocessable("table '" + in.table + "' has no column '" + in.column + "' in the package");

  store::RequestRow row;
  ExportFile package;
  std::vector<fulfillment::Redaction> redactions;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    auto history = tx.Transitions(row.id);
    if (!history.ok()) return history.status();
    redactions = RedactionsIn(*history);
    for (const auto& red : redactions)
      if (red.table == in.table && red.row == in.row && (red.column.empty() || red.column == in.column))
        return Status::Conflict("row " + std::to_string(in.row) + " of " + in.table +
                                (red.column.empty() ? " is already redacted as a whole"
                                                    : ", column " + in.column + ", is already redacted"));
    if (Status f = FindPackage(tx, row, package); !f.ok()) return f;
    Event ev;
    ev.name = "redact";
    ev.actor = in.actor;
    ev.reason = in.reason;
    ev.data["table"] = in.table;
    ev.data["row"] = in.row;
    ev.data["column"] = in.column.empty() ? json::value(nullptr) : json::value(in.column);
    ev.data["reason_code"] = why->code;
    ev.data["label"] = why->label;
    if (Status a = ApplyInTx(tx, row, ev, expected_version); !a.ok()) return a;
    redactions.push_back({in.table, in.row, in.column, why->label});
    return Status::Ok();
  });
  if (!s.ok()) return s;
  // Rebuilt after the commit, one rebuild at a time, with every redaction recorded by then (a
  // concurrent redaction's rebuild never leaves an older package behind); approve rebuilds again,
  // so a failure here is never released.
  std::lock_guard lock(review_mu_);
  // Approved meanwhile: approve committed after this change and rebuilt the package from every
  // redaction recorded by then, this one among them; the review data is gone with the release.
  if (auto now = Get(row.id); now.ok() && now->state != "awaiting_approval") return now;
  auto history = Transitions(row.id);
  if (!history.ok()) return history.status();
  if (Status b = fulfillment::BuildAccessPackage(dir, RedactionsIn(*history), package.path); !b.ok()) {
    // Approved while this rebuild ran (the release removes the review data): approve's own
    // rebuild started after this change committed, so the released package holds it.
    if (auto now = Get(row.id); now.ok() && now->state != "awaiting_approval") return now;
    return b;
  }
  return row;
}

Result<store::RequestRow> RequestService::Unredact(const std::string& id, std::int64_t redaction,
                                                   const std::string& reason, const std::string& actor,
                                                   std::optional<std::int64_t> expected_version) {
  if (Trim(reason).empty()) return Status::Invalid("field 'reason' is required: why the redaction is withdrawn");
  store::RequestRow row;
  ExportFile package;
  Status s = store_.Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    row = std::move(r.value());
    auto history = tx.Transitions(row.id);
    if (!history.ok()) return history.status();
    const fulfillment::Redaction* found = nullptr;
    const auto active = ActiveRedactions(*history);
    for (const auto& [version, red] : active)
      if (version == redaction) found = &red;
    if (found == nullptr)
      return Status::NotFound("request " + row.reference + " has no redaction in force at version " +
                              std::to_string(redaction));
    if (Status f = FindPackage(tx, row, package); !f.ok()) return f;
    Event ev;
    ev.name = "unredact";
    ev.actor = actor;
    ev.reason = reason;
    ev.data["redaction"] = redaction;
    ev.data["table"] = found->table;
    ev.data["row"] = found->row;
    ev.data["column"] = found->column.empty() ? json::value(nullptr) : json::value(found->column);
    return ApplyInTx(tx, row, ev, expected_version);
  });
  if (!s.ok()) return s;
  std::lock_guard lock(review_mu_);
  if (auto now = Get(row.id); now.ok() && now->state != "awaiting_approval") return now;  // approved meanwhile
  auto history = Transitions(row.id);
  if (!history.ok()) return history.status();
  if (Status b = fulfillment::BuildAccessPackage(fulfillment::ReviewDir(config_.exports_dir, row.reference),
                                                 RedactionsIn(*history), package.path);
      !b.ok()) {
    if (auto now = Get(row.id); now.ok() && now->state != "awaiting_approval") return now;  // approved meanwhile
    return b;
  }
  return row;
}

// ---- corrections (issue 5 §6) ----

Result<std::vector<fulfillment::CorrectionChange>> RequestService::ParseCorrections(const json::object& data) {
  const json::value* changes = data.if_contains("changes");
  if (changes == nullptr || !changes->is_array() || changes->as_array().empty())
    return Status::Invalid("approving a correction needs data.changes: a list of {table, column, value} from the "
                           "systems map");
  std::vector<fulfillment::CorrectionChange> out;
  for (const auto& c : changes->as_array()) {
    const std::string at = "data.changes[" + std::to_string(out.size()) + "]";
    if (!c.is_object()) return Status::Invalid(at + " must be an object {table, column, value}");
    const json::object& o = c.as_object();
    for (const auto& kv : o)
      if (kv.key() != "table" && kv.key() != "column" && kv.key() != "value")
        return Status::Invalid("unknown field '" + at + "." + std::string(kv.key()) + "' (expected: table, column, value)");
    fulfillment::CorrectionChange ch;
    ch.table = StringField(c, "table");
    ch.column = StringField(c, "column");
    if (ch.table.empty() || ch.column.empty()) return Status::Invalid(at + " needs a table and a column");
    const json::value* v = o.if_contains("value");
    if (v == nullptr) return Status::Invalid(at + " needs a value (null to clear the field)");
    if (!(v->is_string() || v->is_number() || v->is_null()))
      return Status::Invalid(at + ".value must be a string, a number or null");
    ch.value = *v;
    out.push_back(std::move(ch));
  }
  return out;
}

// ---- suppression list (issue 5 §6) ----

Status RequestService::SuppressErasedInTx(store::Tx& tx, const store::RequestRow& r,
                                          const std::vector<std::string>& account_ids,
                                          const std::vector<std::string>& phones) {
  const json::value subject = ParseOr(r.subject_json, json::object());
  std::vector<Identifier> ids;
  ids.push_back({"email", StringField(subject, "email")});
  if (!StringField(subject, "phone").empty()) ids.push_back({"phone", StringField(subject, "phone")});
  if (!StringField(subject, "account_id").empty()) ids.push_back({"account_id", StringField(subject, "account_id")});
  for (const auto& a : account_ids) ids.push_back({"account_id", a});
  for (const auto& p : phones) ids.push_back({"phone", p});
  auto added = AddSuppressionsInTx(tx, secrets_, ids, r.reference, clock_.Now());
  return added.ok() ? Status::Ok() : added.status();
}

Result<bool> RequestService::IsSuppressed(const std::string& kind, const std::string& value) {
  return service::IsSuppressed(store_, secrets_, Identifier{kind, value});
}

}  // namespace dsar::service
