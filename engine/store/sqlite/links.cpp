// Download links for packages and their attempts (migration 011).
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

// ---- download links ----

namespace {
constexpr const char* kLinkColumns =
    "id, request_id, token_hash, file_path, created_at, created_by, expires_at, max_downloads, downloads, "
    "revoked_at, file_deleted_at";

DownloadLinkRow ReadLink(Statement& s) {
  DownloadLinkRow l;
  ReadColumns(s, l.id, l.request_id, l.token_hash, l.file_path, l.created_at, l.created_by, l.expires_at,
              l.max_downloads, l.downloads, l.revoked_at, l.file_deleted_at);
  return l;
}
}  // namespace

Result<std::int64_t> SqliteTx::InsertDownloadLink(const DownloadLinkRow& l) {
  Statement s(c_,
              "INSERT INTO download_links (request_id, token_hash, file_path, created_at, created_by, expires_at, "
              "max_downloads, downloads) VALUES (?,?,?,?,?,?,?,0)");
  s.Bind(1, l.request_id).Bind(2, l.token_hash).Bind(3, l.file_path).Bind(4, l.created_at).Bind(5, l.created_by);
  s.Bind(6, l.expires_at).Bind(7, l.max_downloads);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.LastInsertRowid();
}

Status SqliteTx::RevokeDownloadLinks(const std::string& request_id, Millis now) {
  Statement s(c_, "UPDATE download_links SET revoked_at = ? WHERE request_id = ? AND revoked_at IS NULL");
  s.Bind(1, now).Bind(2, request_id);
  return s.Run();
}

Result<std::optional<DownloadLinkRow>> SqliteTx::DownloadLinkByHash(const std::string& token_hash) {
  Statement s(c_, std::string("SELECT ") + kLinkColumns + " FROM download_links WHERE token_hash = ?");
  s.Bind(1, token_hash);
  if (s.Step()) return std::optional<DownloadLinkRow>(ReadLink(s));
  if (!s.status().ok()) return s.status();
  return std::optional<DownloadLinkRow>();
}

Result<std::vector<DownloadLinkRow>> SqliteTx::DownloadLinksFor(const std::string& request_id) {
  Statement s(c_, std::string("SELECT ") + kLinkColumns + " FROM download_links WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<DownloadLinkRow>(s, ReadLink);
}

Status SqliteTx::CountDownload(std::int64_t link_id) {
  Statement s(c_, "UPDATE download_links SET downloads = downloads + 1 WHERE id = ?");
  s.Bind(1, link_id);
  return s.Run();
}

Status SqliteTx::InsertDownloadAttempt(std::optional<std::int64_t> link_id, Millis at, const std::string& outcome) {
  Statement s(c_, "INSERT INTO download_attempts (link_id, at, outcome) VALUES (?,?,?)");
  s.Bind(1, link_id).Bind(2, at).Bind(3, outcome);
  return s.Run();
}

Result<std::vector<std::string>> SqliteTx::ExpiredPackageFiles(Millis now, int limit) {
  Statement s(c_,
              "SELECT DISTINCT l.file_path FROM download_links l WHERE l.file_deleted_at IS NULL AND l.expires_at <= ?1 "
              "AND NOT EXISTS (SELECT 1 FROM download_links n WHERE n.file_path = l.file_path "
              "AND n.revoked_at IS NULL AND n.expires_at > ?1) LIMIT ?2");
  s.Bind(1, now).Bind(2, limit);
  return Collect<std::string>(s, [](const Statement& q) { return q.Text(0); });
}

Status SqliteTx::MarkPackageDeleted(const std::string& file_path, Millis now) {
  Statement s(c_, "UPDATE download_links SET file_deleted_at = ? WHERE file_path = ? AND file_deleted_at IS NULL");
  s.Bind(1, now).Bind(2, file_path);
  return s.Run();
}

}  // namespace dsar::store
