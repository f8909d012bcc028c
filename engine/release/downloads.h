// The export package of a completed access / portability request, and the expiring download links
// that give it to the requester (issue 5 §5).
//
// Thread safety: free functions; the store serialises writers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// The export package file of a completed access/portability request: NotFound when there is
// none or its file is no longer on disk; Gone when the file was deleted after its download link
// expired (records retention, issue 5 §5).
struct ExportFile {
  std::string path, content_type, filename;
};
Result<ExportFile> Export(Engine& e, const std::string& id);

// Download links (issue 5 §5). A package is given to the requester through
// `<public_base_url>/d/<token>`: a random token (Secrets::NewToken, 260 bits, URL-safe) stored
// only as KeyedHash("download:" + token), valid for config().download_link_days and
// config().download_max downloads. The completion of an access / portability request whose
// export wrote a file creates the first link, in the transaction of the `fulfilled` transition,
// and the `completed` mail (marked carries_secret) carries it.
struct IssuedLink {
  std::string url;  // holds the token: never logged or stored
  Millis expires_at = 0;
  int max_downloads = 0;
};
// One use of a link, recorded in download_attempts whatever its outcome (committed even when
// the link does not work). outcome: ok (counted; path/content_type/filename set), expired,
// exhausted, revoked, missing (the file is gone) or unknown (no such token).
struct DownloadOutcome {
  std::string outcome;
  std::string reference;  // "" when unknown
  ExportFile file;
};
Result<DownloadOutcome> Download(Engine& e, const std::string& token);
// Staff issue a new link (the request's older links stop working) and mail it to the data
// subject with the `completed` template. NotFound when the request has no package, Refused
// when it is not completed or the package file was already deleted.
Result<IssuedLink> IssueDownloadLink(Engine& e, const std::string& id, const std::string& actor);

// True for the steps that write a package (export_access, export_portability).
bool IsExportStep(std::string_view step);
// The package of request `r`: the first file of its newest export step that is done. NotFound
// (with the step's own sentence, also put in `message` when given) when the newest export found
// nothing, or when there is none.
Status FindPackage(store::Tx& tx, const store::RequestRow& r, ExportFile& file, std::string* message = nullptr);
// A new download link for `file_path` of request `r` (revoking its older links), and the mail
// variables that announce it (download_url, download_expires, download_max).
Result<IssuedLink> CreateDownloadLinkInTx(Engine& e, store::Tx& tx, const store::RequestRow& r,
                                          const std::string& file_path, const std::string& actor,
                                          std::map<std::string, std::string>& vars);

}  // namespace dsar::service
