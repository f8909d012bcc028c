#include "release/downloads.h"

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
#include "requests/engine.h"

namespace dsar::service {

namespace json = boost::json;

// ---- packages ----

bool IsExportStep(std::string_view step) { return step == "export_access" || step == "export_portability"; }

// The package of request `r`: the first file of its newest export step that is done. NotFound
// (with the step's own sentence) when the newest export found nothing, or when there is none.
Status FindPackage(store::Tx& tx, const store::RequestRow& r, ExportFile& file, std::string* message) {
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

namespace {

// The keyed hash a download token is stored under (domain-separated from API tokens and codes).
std::string DownloadHashInput(std::string_view token) { return "download:" + std::string(token); }

}  // namespace

Result<IssuedLink> CreateDownloadLinkInTx(Engine& e, store::Tx& tx, const store::RequestRow& r,
                                                                          const std::string& file_path,
                                                                          const std::string& actor,
                                                                          std::map<std::string, std::string>& vars) {
  const Millis now = e.clock().Now();
  if (Status s = tx.RevokeDownloadLinks(r.id, now); !s.ok()) return s;
  const std::string token = Secrets::NewToken();
  store::DownloadLinkRow l;
  l.request_id = r.id;
  l.token_hash = e.secrets().KeyedHash(DownloadHashInput(token));  // only the keyed hash is stored
  l.file_path = file_path;
  l.created_at = now;
  l.created_by = actor;
  l.expires_at = now + static_cast<Millis>(e.config().download_link_days) * kMillisPerDay;
  l.max_downloads = e.config().download_max;
  if (auto id = tx.InsertDownloadLink(l); !id.ok()) return id.status();
  std::string base = e.config().public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  IssuedLink out{base + "/d/" + token, l.expires_at, l.max_downloads};
  vars["download_url"] = out.url;
  vars["download_expires"] = e.deadlines().LocalDate(l.expires_at);
  vars["download_max"] = std::to_string(l.max_downloads);
  return out;
}

// ---- exports, tokens ----

Result<ExportFile> Export(Engine& e, const std::string& id) {
  ExportFile file;
  Status s = e.store().Read([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    if (Status f = FindPackage(tx, *r, file); !f.ok()) return f;
    auto links = tx.DownloadLinksFor(r->id);
    if (!links.ok()) return links.status();
    for (const auto& l : *links)
      if (l.file_path == file.path && l.file_deleted_at)
        return Status::Gone("the package was deleted at " + FormatRfc3339(*l.file_deleted_at) +
                            " after its download link expired (records retention); run a new access request to "
                            "produce one");
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file.path, ec))
    return Status::NotFound("the export package file is no longer available");
  return file;
}

Result<DownloadOutcome> Download(Engine& e, const std::string& token) {
  DownloadOutcome out;
  const std::string hash = e.secrets().KeyedHash(DownloadHashInput(token));
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    const Millis now = e.clock().Now();
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

Result<IssuedLink> IssueDownloadLink(Engine& e, const std::string& id, const std::string& actor) {
  IssuedLink issued;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
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
    auto link = CreateDownloadLinkInTx(e, tx, *r, package.path, actor, vars);
    if (!link.ok()) return link.status();
    issued = *link;
    // To the data subject only (the contract — who is who: mail goes to the data subject).
    const std::string subject_email = StringField(ParseOr(r->subject_json, json::object()), "email");
    return e.QueueMail(tx, *r, "completed", vars, std::nullopt, true, {subject_email});
  });
  if (!s.ok()) return s;
  return issued;
}

}  // namespace dsar::service
