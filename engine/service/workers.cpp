#include "service/workers.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>

namespace dsar::service {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80 && c != '\r' && c != '\n'; });
}

std::string EncodeHeader(std::string_view value) {
  if (IsAscii(value)) return std::string(value);
  std::string out(sodium_base64_encoded_len(value.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(value.data()), value.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return "=?UTF-8?B?" + out + "?=";
}

std::string RfcDate(Millis t) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t days = t / kMillisPerDay;
  int y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  const Millis rem = t % kMillisPerDay;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[days % 7], d, kMonths[m - 1], y,
                static_cast<int>(rem / kMillisPerHour), static_cast<int>(rem % kMillisPerHour / kMillisPerMinute),
                static_cast<int>(rem % kMillisPerMinute / kMillisPerSecond));
  return buf;
}

std::string MaildirName(const std::string& message_id) {
  std::string name;
  for (char c : message_id) name.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_');
  return name;
}

bool AlreadyDelivered(const fs::path& maildir, const std::string& name) {
  std::error_code ec;
  if (fs::exists(maildir / "new" / name, ec)) return true;
  if (fs::is_directory(maildir / "cur", ec))
    for (const auto& e : fs::directory_iterator(maildir / "cur", ec))
      if (e.path().filename().string().rfind(name + ":", 0) == 0 || e.path().filename() == name) return true;
  return false;
}

Status WriteDurably(const fs::path& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  if (fd < 0) return Status::IoError("cannot create " + path.string());
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n <= 0) {
      ::close(fd);
      return Status::IoError("cannot write " + path.string());
    }
    off += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced ? Status::Ok() : Status::IoError("cannot sync " + path.string());
}

void SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

std::string RenderMessage(const store::OutboxRow& o, const std::string& from, Millis date) {
  std::string to;
  const json::value recipients = json::parse(o.to_json);
  for (const auto& r : recipients.as_array()) {
    if (!to.empty()) to += ", ";
    to += std::string(r.as_string());
  }
  std::string msg;
  msg += "From: " + from + "\r\n";
  msg += "To: " + to + "\r\n";
  msg += "Subject: " + EncodeHeader(o.subject) + "\r\n";
  msg += "Date: " + RfcDate(date) + "\r\n";
  msg += "Message-ID: <" + o.message_id + ">\r\n";
  if (!o.in_reply_to.empty()) {
    msg += "In-Reply-To: <" + o.in_reply_to + ">\r\n";
    msg += "References: <" + o.in_reply_to + ">\r\n";
  }
  msg += "Auto-Submitted: auto-generated\r\n";
  msg += "MIME-Version: 1.0\r\n";
  msg += "Content-Type: text/plain; charset=utf-8\r\n";
  msg += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  const std::string body = o.body.value_or("");
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) msg += '\r';
    msg += body[i];
  }
  return msg;
}

Result<int> Workers::DeliverOutbox() {
  const auto& cfg = svc_.config();
  const fs::path maildir(cfg.outbox_maildir);
  std::error_code ec;
  for (const char* sub : {"tmp", "new", "cur"}) fs::create_directories(maildir / sub, ec);
  if (ec) return Status::IoError("cannot create Maildir " + maildir.string() + ": " + ec.message());
  std::vector<store::OutboxRow> rows;
  const Millis now = svc_.clock().Now();
  Status s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.PendingOutbox(now, 100);
    if (!r.ok()) return r.status();
    rows = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  int delivered = 0;
  for (const store::OutboxRow& o : rows) {
    const std::string name = MaildirName(o.message_id);
    if (!AlreadyDelivered(maildir, name)) {
      const fs::path tmp = maildir / "tmp" / name;
      if (Status w = WriteDurably(tmp, RenderMessage(o, cfg.mail_from, o.created_at)); !w.ok()) {
        svc_.store().Transact([&](store::Tx& tx) { return tx.MarkOutboxFailed(o.id, w.message(), now + 60 * kMillisPerSecond); });
        continue;
      }
      fs::rename(tmp, maildir / "new" / name, ec);
      if (ec) return Status::IoError("cannot move mail into " + (maildir / "new").string() + ": " + ec.message());
      SyncDir(maildir / "new");
      if (crash_after_maildir_write_) std::_Exit(42);
    }
    if (Status m = svc_.store().Transact([&](store::Tx& tx) { return tx.MarkOutboxDelivered(o.id, now); }); !m.ok())
      return m;
    ++delivered;
  }
  return delivered;
}

Result<int> Workers::RunJobs() {
  std::vector<store::JobRow> jobs;
  Status s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.PendingJobs(20);
    if (!r.ok()) return r.status();
    jobs = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  int handled = 0;
  for (const store::JobRow& job : jobs) {
    auto request = svc_.Get(job.request_id);
    if (!request.ok()) return request.status();
    const Millis now = svc_.clock().Now();
    // An erasure never starts while a legal hold covers the data subject.
    if (job.step == "erase") {
      int holds = 0;
      Status hs = svc_.store().Read([&](store::Tx& tx) {
        auto n = tx.ActiveHoldCount(request->subject_email, request->subject_account);
        if (!n.ok()) return n.status();
        holds = *n;
        return Status::Ok();
      });
      if (!hs.ok()) return hs;
      if (holds > 0) {
        Status t = svc_.store().Transact([&](store::Tx& tx) -> Status {
          if (Status f = tx.FinishJob(job.id, "superseded", "", "a legal hold was placed before erasure", now); !f.ok())
            return f;
          store::RequestRow r = *request;
          Event ev;
          ev.name = "hold_active";
          ev.actor = "system";
          ev.data["job"] = job.id;
          Status a = svc_.ApplyInTx(tx, r, ev, std::nullopt);
          return a.IsRefused() ? Status::Ok() : a;
        });
        if (!t.ok()) return t;
        ++handled;
        continue;
      }
    }
    // Claim the job while the request still waits for it; a request that moved on (cancelled,
    // denied) never has its step run. While a job runs, staff cannot cancel or deny the request.
    bool claimed = false;
    Status cs = svc_.store().Transact([&](store::Tx& tx) -> Status {
      auto fresh = tx.GetRequest(job.request_id);
      if (!fresh.ok()) return fresh.status();
      auto wf = svc_.PinnedWorkflow(tx, fresh->workflow_hash);
      if (!wf.ok()) return wf.status();
      if ((*wf)->Candidates(fresh->state, "fulfilled") == nullptr)
        return tx.FinishJob(job.id, "cancelled", "", "the request is '" + fresh->state + "': the step was not run", now);
      if (Status c = tx.ClaimJob(job.id); !c.ok()) return c.IsConflict() ? Status::Ok() : c;
      claimed = true;
      return Status::Ok();
    });
    if (!cs.ok()) return cs;
    if (!claimed) {
      ++handled;
      continue;
    }
    DataSubject subject;
    const json::value sj = json::parse(request->subject_json);
    if (auto* e = sj.as_object().if_contains("email")) subject.email = std::string(e->as_string());
    if (auto* n = sj.as_object().if_contains("name")) subject.name = std::string(n->as_string());
    if (auto* a = sj.as_object().if_contains("account_id")) subject.account_id = std::string(a->as_string());
    Result<fulfillment::StepResult> result =
        fulfiller_ ? fulfiller_->Run(job.step, request->reference, subject)
                   : Result<fulfillment::StepResult>(Status::IoError("no company systems are configured"));
    Status t = svc_.store().Transact([&](store::Tx& tx) -> Status {
      auto fresh = tx.GetRequest(job.request_id);
      if (!fresh.ok()) return fresh.status();
      store::RequestRow r = std::move(fresh.value());
      Event ev;
      ev.actor = "system";
      ev.data["step"] = job.step;
      ev.data["job"] = job.id;
      std::string result_json;
      if (result.ok()) {
        json::object res;
        res["summary"] = result->summary;
        json::array files;
        for (const auto& f : result->files) files.push_back(json::string(f));
        res["files"] = files;
        result_json = json::serialize(res);
        ev.name = "fulfilled";
        ev.data["summary"] = result->summary;
      } else {
        ev.name = "step_failed";
        ev.reason = job.step + " failed: " + result.status().message();
      }
      if (Status f = tx.FinishJob(job.id, result.ok() ? "done" : "failed", result_json,
                                  result.ok() ? "" : result.status().message(), now);
          !f.ok())
        return f;
      Status a = svc_.ApplyInTx(tx, r, ev, std::nullopt);
      return a.IsRefused() ? Status::Ok() : a;  // the request moved on (e.g. cancelled): keep the result
    });
    if (!t.ok()) return t;
    ++handled;
  }
  return handled;
}

Result<int> Workers::FireTimers() {
  std::vector<store::TimerRow> timers;
  const Millis now = svc_.clock().Now();
  Status s = svc_.store().Read([&](store::Tx& tx) {
    auto r = tx.DueTimers(now, 50);
    if (!r.ok()) return r.status();
    timers = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  int fired = 0;
  for (const store::TimerRow& t : timers) {
    Status st = svc_.store().Transact([&](store::Tx& tx) -> Status {
      if (Status m = tx.MarkTimerFired(t.id, now); !m.ok()) return m;
      auto r = tx.GetRequest(t.request_id);
      if (!r.ok()) return r.status();
      store::RequestRow row = std::move(r.value());
      if (t.kind != "state") return FireReminder(tx, row, t, now);
      if (row.state != t.state) return Status::Ok();  // left the state: the timer no longer applies
      Event ev;
      ev.name = t.event;
      ev.actor = "timer";
      ev.reason = t.event == "verification_expired" ? "insufficient_verification" : "";
      ev.data["timer"] = t.id;
      Status a = svc_.ApplyInTx(tx, row, ev, std::nullopt);
      return a.IsRefused() ? Status::Ok() : a;
    });
    if (!st.ok()) return st;
    ++fired;
    if (crash_after_timers_ > 0 && --crash_after_timers_ == 0) std::_Exit(43);
  }
  return fired;
}

Status Workers::FireReminder(store::Tx& tx, const store::RequestRow& r, const store::TimerRow& t, Millis now) {
  const DeadlinePolicy& deadlines = svc_.deadlines();
  const auto days_left = deadlines.DaysLeft(r, now);
  const auto& cfg = svc_.config();
  if (t.kind == "requester_reminder") {
    if (r.state != t.state) return Status::Ok();
    return svc_.QueueMail(tx, r, t.event, {}, std::nullopt, false);
  }
  if (!days_left || r.paused_at) return Status::Ok();  // no countdown any more: no reminder
  if (t.kind == "staff_reminder") {
    if (*days_left < 0) return Status::Ok();  // missed during downtime: the overdue warning says it now
    return svc_.QueueMail(tx, r, "staff_reminder", {{"days_left", std::to_string(*days_left)}}, std::nullopt, false,
                          {cfg.staff_mail});
  }
  // overdue: warn staff and the escalation contact, then again at the start of the next local day.
  // However long the downtime, one warning is sent and the next is scheduled from now.
  if (*days_left >= 0) return Status::Ok();
  if (Status s = svc_.QueueMail(tx, r, "staff_overdue", {{"days_overdue", std::to_string(-*days_left)}},
                                std::nullopt, false, {cfg.staff_mail, cfg.escalation_mail});
      !s.ok())
    return s;
  return tx.InsertTimer({0, r.id, r.state, t.event, deadlines.StartOfLocalDay(now, 1), "overdue"});
}

Result<int> Workers::Recover() {
  int n = 0;
  Status s = svc_.store().Transact([&](store::Tx& tx) {
    auto r = tx.ReleaseRunningJobs();
    if (!r.ok()) return r.status();
    n = *r;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

Result<int> Workers::RunOnce() {
  int total = 0;
  for (auto step : {&Workers::FireTimers, &Workers::RunJobs, &Workers::DeliverOutbox}) {
    auto n = (this->*step)();
    if (!n.ok()) return n.status();
    total += *n;
  }
  return total;
}

}  // namespace dsar::service
