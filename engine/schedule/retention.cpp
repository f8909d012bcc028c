// Workers::PurgeExpired: records retention (schedule/workers.h documents the loop).
#include "schedule/workers.h"

#include "holds/holds.h"
#include "identity/codes.h"
#include "identity/suppression.h"
#include "requests/corrections.h"
#include "requests/tasks.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>


namespace dsar::service {

namespace json = boost::json;
namespace fs = std::filesystem;

Result<int> Workers::PurgeExpired() {
  const auto& cfg = svc_.config();
  const Millis now = svc_.clock().Now();
  const auto before = [&](int days) { return now - static_cast<Millis>(days) * kMillisPerDay; };
  int purged = 0;
  // Whole requests, oldest first, a transaction each.
  while (true) {
    std::vector<store::RequestRow> closed;
    Status s = svc_.store().Read([&](store::Tx& tx) {
      auto r = tx.ClosedRequests(FinalStates(), before(cfg.retention_request_days), 100);
      if (!r.ok()) return r.status();
      closed = std::move(r.value());
      return Status::Ok();
    });
    if (!s.ok()) return s;
    for (const store::RequestRow& r : closed) {
      // An erasure that never finished (cancelled or denied after a failed step) left the person's
      // resolution in the company journal to resume it: it goes with the request.
      if (fulfiller_ && r.type == "deletion")
        if (Status fs = fulfiller_->ForgetSubject(r.reference); !fs.ok()) return fs;
      if (Status p = svc_.store().Transact([&](store::Tx& tx) { return tx.PurgeRequest(r, now); }); !p.ok()) return p;
      std::error_code ec;
      fs::remove_all(fs::path(cfg.exports_dir) / r.reference, ec);
      fs::remove_all(fs::path(cfg.evidence_dir) / r.reference, ec);  // task evidence goes with its request
      ++purged;
    }
    if (closed.size() < 100) break;
  }
  // Raw mail and verification material.
  Status s = svc_.store().Transact([&](store::Tx& tx) -> Status {
    auto raw = tx.PurgeRawMail(FinalStates(), before(cfg.retention_raw_mail_days), before(cfg.retention_raw_mail_days),
                               now, 1000);
    if (!raw.ok()) return raw.status();
    auto codes = tx.PurgeVerifications(FinalStates(), before(cfg.retention_verification_days));
    if (!codes.ok()) return codes.status();
    purged += *raw + *codes;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  // Packages whose download link expired (issue 5 §5; no newer link points to them): the file,
  // and its request's folder under exports_dir, are deleted and the links record when.
  std::vector<std::string> expired_files;
  s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.ExpiredPackageFiles(now, 1000);
    if (!r.ok()) return r.status();
    expired_files = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  for (const std::string& file : expired_files) {
    const fs::path path(file);
    std::error_code rm, same;
    fs::remove(path, rm);
    // The folder too when it is a request's folder directly under exports_dir.
    if (fs::equivalent(path.parent_path().parent_path(), cfg.exports_dir, same) && !same)
      fs::remove_all(path.parent_path(), rm);
    if (rm && fs::exists(path)) continue;  // kept: tried again at the next purge
    if (Status m = svc_.store().Transact([&](store::Tx& tx) { return tx.MarkPackageDeleted(file, now); }); !m.ok())
      return m;
    ++purged;
  }
  // Packages: a folder per request reference under exports_dir.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cfg.exports_dir, ec)) {
    if (!entry.is_directory()) continue;
    const std::string reference = entry.path().filename().string();
    bool expired = false;
    Status r = svc_.store().Read([&](store::Tx& tx) -> Status {
      auto row = tx.GetRequest(reference);
      if (row.status().IsNotFound()) {
        expired = true;  // its request was purged
        return Status::Ok();
      }
      if (!row.ok()) return row.status();
      expired = IsFinalState(row->state) && row->updated_at < before(cfg.retention_export_days);
      return Status::Ok();
    });
    if (!r.ok()) return r;
    if (!expired) continue;
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm) ++purged;
  }
  return purged;
}

}  // namespace dsar::service
