// MaildirIntake: the Maildir watcher inside `dsar serve` (config `intake_maildir`; issue 4 §1),
// the third intake channel beside `dsar intake-mail` and `POST /api/v1/intake/mail`.
//
// ScanOnce takes up to `batch` messages from `<maildir>/new/` (creating tmp/, new/ and cur/ when
// missing), oldest first (mtime, then name). Each goes through RequestService::IntakeMail, whose
// one transaction stores the raw message, its outcome and its Maildir unique name (the file name
// without any `:info`). Only after that commit is the file moved to `cur/` with the standard info
// `:2,` (a name that already carries an info suffix keeps it); cur/ is fsynced once per scan.
//
// Crash safety: a crash before the commit leaves the file in new/ and nothing stored, so it is
// ingested on the next scan. A crash after the commit and before the move (or before the move is
// durable) leaves the file in new/ although it was ingested; the next scan finds its name recorded
// and IntakeMail returns the earlier outcome without storing anything, so the message is not
// doubled — even without a Message-ID. The move is then done.
//
// Failures: a file that cannot be read (permissions, I/O error) and a message IntakeMail fails on
// (the store is busy or full, …) stay in new/ untouched and are retried on every scan; each is
// logged once, when it first fails (its Maildir name and the reason: no addresses, no subjects),
// not on every retry. A failed IntakeMail ends the scan (the store is the likely cause; the next
// scan retries); files that failed before are tried after the others, so neither an unreadable
// file nor a message that always fails blocks the queue, and unreadable files do not count
// against the batch. A file that cannot be moved is logged the same way and its move retried (its
// message is not stored again). A file that disappears between the listing and the read (another
// reader took it) is skipped silently. A symbolic link in new/ is never followed (it
// could make the server ingest any file it can read): it is reported as unreadable and left.
// Names starting with '.' and other non-regular files (directories, FIFOs) are ignored.
//
// Thread safety: call from one thread (the worker thread).
#pragma once

#include <functional>
#include <set>
#include <string>

#include "core/status.h"
#include "service/request_service.h"

namespace dsar::service {

class MaildirIntake {
 public:
  using Log = std::function<void(const std::string& line)>;  // one line, no trailing newline

  // `log` defaults to standard error.
  MaildirIntake(RequestService& svc, std::string maildir, int batch = 100, Log log = nullptr);

  // One scan of new/; returns how many messages went through intake and were moved to cur/.
  // IoError only when the Maildir itself cannot be created or listed.
  Result<int> ScanOnce();

  // Test hook (environment DSAR_TEST_CRASH=maildir_after_commit:N): the process exits at once
  // (status 44) after the Nth message's transaction committed, before its file is moved.
  void TEST_CrashAfterCommit(int n) { crash_after_commit_ = n; }

 private:
  void LogOnce(const std::string& name, const std::string& what);

  RequestService& svc_;
  std::string maildir_;
  int batch_;
  Log log_;
  std::set<std::string> failing_;  // names logged as failing, until they go through or disappear
  int committed_ = 0;
  int crash_after_commit_ = 0;
};

// The Maildir unique name of a file name: the part before the `:` of its info suffix.
std::string MaildirBaseName(const std::string& file_name);

}  // namespace dsar::service
