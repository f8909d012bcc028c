#include "requests/engine.h"

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
#include "release/review.h"
#include "requests/corrections.h"

namespace dsar::service {

namespace json = boost::json;

Result<RequestView> Engine::ApplyStaffEvent(const std::string& id, Event event,
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
    auto rebuilt = RebuildReviewed(*this, id, event.data);
    if (!rebuilt.ok()) return rebuilt.status();
    if (*rebuilt) {
      reviewed = **rebuilt;
      auto r = Get(id);
      if (!r.ok()) return r.status();
      review_dir = fulfillment::ReviewDir(config_.exports_dir, r->reference).string();
    }
  }
  RequestView row;
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
    return CompleteViewInTx(tx, row);
  });
  if (!s.ok()) return s;
  if (reviewed && row.state != "awaiting_approval") {
    std::error_code ec;  // released: the staged rows are no longer needed
    std::filesystem::remove_all(review_dir, ec);
  }
  return row;
}

Result<RequestView> Engine::Amend(const std::string& id, std::optional<std::string> jurisdiction,
                                  std::optional<Millis> received_at, const std::string& actor,
                                  std::optional<std::int64_t> expected_version) {
  if (jurisdiction && !jurisdiction->empty() && !IsKnownJurisdiction(*jurisdiction))
    return Status::Unprocessable("unknown jurisdiction '" + *jurisdiction + "'");
  if (!jurisdiction && !received_at) return Status::Invalid("nothing to amend: give jurisdiction and/or received_at");
  RequestView row;
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
    // The reminders follow the new deadline.
    if (Status st = ScheduleReminders(tx, row, clock_.Now()); !st.ok()) return st;
    return CompleteViewInTx(tx, row);
  });
  if (!s.ok()) return s;
  return row;
}

Result<store::RequestRow> Engine::ApplySystemEvent(const std::string& id, Event event) {
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

}  // namespace dsar::service
