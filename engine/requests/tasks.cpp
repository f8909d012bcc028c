// Staff tasks with evidence, the step ledger and webhook callbacks (issue 5 §4): the
// Engine side of the connectors that Workers::RunJobs drives (workers.h).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/sha256.h"
#include "core/json_fields.h"
#include "requests/engine.h"
#include "requests/tasks.h"

namespace dsar::service {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Writes `bytes` to `path` (0600) durably, through a temporary file of its own (concurrent
// uploads of the same file each write their own) renamed into place.
Status WriteOwnerOnly(const fs::path& path, std::string_view bytes) {
  std::string tmp = path.string() + ".XXXXXX.tmp";
  const int fd = ::mkstemps(tmp.data(), 4);
  if (fd < 0) return Status::IoError("cannot write evidence file: " + std::string(std::strerror(errno)));
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IoError("cannot write evidence file: " + std::string(std::strerror(e)));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot sync evidence file");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot store evidence file: " + std::string(std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace

Result<RequestView> CompleteTask(Engine& e, const std::string& id, const std::string& task,
                                                       const std::string& note, std::optional<EvidenceUpload> file,
                                                       const std::string& actor,
                                                       std::optional<std::int64_t> expected_version) {
  if (task.empty()) return Status::Invalid("the task is required");
  if (note.empty() && (!file || file->bytes.empty()))
    return Status::Invalid("give a note (JSON {\"note\": ...}) or a file as evidence that the task was done");
  auto row = e.Get(id);
  if (!row.ok()) return row.status();
  Event ev;
  ev.name = "complete_task";
  ev.actor = actor;
  ev.data["task"] = task;
  if (!note.empty()) ev.data["note"] = note;
  if (file && !file->bytes.empty()) {
    // Content-addressed: the same file twice is one file; written before the transition commits,
    // so a committed transition never names a missing file.
    const std::string sha = Sha256Hex(file->bytes);
    const fs::path dir = fs::path(e.config().evidence_dir) / row->reference;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError("cannot create the evidence folder: " + ec.message());
    ::chmod(e.config().evidence_dir.c_str(), 0700);
    ::chmod(dir.c_str(), 0700);
    const fs::path path = dir / sha;
    if (Status w = WriteOwnerOnly(path, file->bytes); !w.ok()) return w;
    json::object evidence;
    evidence["sha256"] = sha;
    evidence["size"] = static_cast<std::int64_t>(file->bytes.size());
    evidence["content_type"] = file->content_type.empty() ? "application/octet-stream" : file->content_type;
    evidence["file"] = fs::absolute(path, ec).string();
    ev.data["evidence"] = std::move(evidence);
    auto done = e.ApplyStaffEvent(row->id, std::move(ev), expected_version);
    if (!done.ok()) {
      // Refused (no such task, done already, a concurrent completion): the file goes unless a
      // completion of this request recorded the same bytes.
      bool referenced = true;
      (void)e.store().Read([&](store::Tx& tx) -> Status {
        auto kept = tx.EvidenceFor(row->id);
        if (!kept.ok()) return kept.status();
        referenced = false;
        for (const auto& k : *kept) referenced = referenced || k.sha256 == sha;
        return Status::Ok();
      });
      if (!referenced) {
        fs::remove(path, ec);
        fs::remove(dir, ec);  // only when empty: the request's folder of evidence
      }
    }
    return done;
  }
  return e.ApplyStaffEvent(row->id, std::move(ev), expected_version);
}

Result<std::vector<TaskView>> Tasks(Engine& e, const std::string& request_id) {
  std::vector<TaskView> out;
  Status s = e.store().Read([&](store::Tx& tx) -> Status {
    std::vector<store::JobRow> jobs;
    if (request_id.empty()) {
      auto r = tx.OpenTasks(500);
      if (!r.ok()) return r.status();
      jobs = std::move(r.value());
    } else {
      auto req = tx.GetRequest(request_id);
      if (!req.ok()) return req.status();
      auto r = tx.JobsFor(req->id);
      if (!r.ok()) return r.status();
      for (auto& j : *r)
        if (j.kind == "task") jobs.push_back(std::move(j));
    }
    for (auto& j : jobs) {
      auto req = tx.GetRequest(j.request_id);
      if (!req.ok()) return req.status();
      // The open-task queue leaves out tasks of closed requests (cancelled or denied meanwhile).
      if (request_id.empty() && IsFinalState(req->state)) continue;
      out.push_back({std::move(j), req->reference, req->type, req->state});
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}


Result<std::vector<store::LedgerRow>> Ledger(Engine& e, const std::string& id) {
  std::vector<store::LedgerRow> out;
  Status s = e.store().Read([&](store::Tx& tx) -> Status {
    auto req = tx.GetRequest(id);
    if (!req.ok()) return req.status();
    auto r = tx.LedgerFor(req->id);
    if (!r.ok()) return r.status();
    out = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}


Result<CallbackOutcome> Callback(Engine& e, const std::string& token, const json::object& body) {
  std::string status;
  if (auto* st = body.if_contains("status"); st && st->is_string()) status = std::string(st->as_string());
  if (status != "completed" && status != "failed")
    return Status::Invalid("field 'status' must be \"completed\" or \"failed\"");
  CallbackOutcome out;
  out.status = status;
  const Millis now = e.clock().Now();
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    auto cb = tx.CallbackByHash(e.secrets().KeyedHash(CallbackHashInput(token)));
    if (!cb.ok()) return cb.status();
    if (!*cb) return Status::NotFound("no such callback");
    if ((*cb)->used_at || (*cb)->expires_at <= now) {
      return Status::Gone((*cb)->used_at ? "this callback was already used (" + (*cb)->outcome + ")"
                                             : "this callback expired at " + FormatRfc3339((*cb)->expires_at));
    }
    auto l = tx.LedgerById((*cb)->ledger_id);
    if (!l.ok()) return l.status();
    if (l->status != "waiting") return Status::Gone("the step no longer waits for this callback");
    if (Status u = tx.UseCallback((*cb)->id, now, status); !u.ok()) return u;
    auto r = tx.GetRequest(l->request_id);
    if (!r.ok()) return r.status();
    store::RequestRow row = std::move(r.value());
    out.reference = row.reference;
    out.system = l->system;
    out.action = l->action;
    Event ev;
    ev.actor = "system:" + l->system;
    ev.data["step"] = l->action;
    ev.data["system"] = l->system;
    ev.data["table"] = l->table_name;
    ev.data["action"] = l->action;
    ev.data["kind"] = l->kind;
    ev.data["ledger_step"] = l->idempotency_key;
    if (status == "completed") {
      if (Status f = tx.LedgerFinish(l->id, "done", json::serialize(body), "", now); !f.ok()) return f;
      ev.name = "callback_received";  // the workflow resumes the job: the next step runs
      ev.data["status"] = status;
    } else {
      std::string why = "the system reported a failure";
      if (auto* e = body.if_contains("error"); e && e->is_string())
        why += ": " + std::string(e->as_string()).substr(0, 500);
      if (Status f = tx.LedgerFinish(l->id, "failed", "", why, now); !f.ok()) return f;
      ev.name = "step_failed";
      ev.data["cause"] = why;
      ev.reason = l->action + " failed at " + l->system + ": " + why;
    }
    Status a = e.ApplyInTx(tx, row, ev, std::nullopt);
    if (a.IsRefused() && ev.name == "callback_received") {
      // A request pinned to a definition without callback_received (started before connectors):
      // the job is resumed directly; a request that moved on (cancelled) never runs it.
      store::JobRow j;
      j.request_id = row.id;
      j.kind = "fulfill";
      j.step = l->action;
      j.idempotency_key = row.id + ":" + l->action + ":callback:" + std::to_string(l->id) + ":" + std::to_string(l->runs);
      j.status = "pending";
      j.created_at = now;
      return tx.InsertJob(j);
    }
    return a.IsRefused() ? Status::Ok() : a;  // a request that moved on keeps the ledger's record
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace dsar::service
