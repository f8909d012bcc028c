// MaildirIntake: the Maildir watcher inside `dsar serve` (config `intake_maildir`; issue 4 §1),
// the third intake channel beside `dsar intake-mail` and `POST /api/v1/intake/mail`.
//
// ScanOnce takes up to `batch` × `batches_per_scan` messages from `<maildir>/new/` (creating
// tmp/, new/ and cur/ when missing), oldest first (mtime, then name), and puts them through
// intake in batches of `batch`: the files are read (in bounded memory, request_service.h ReadMail)
// and parsed, then ONE transaction (Engine::IntakeMailBatch: one commit, one fsync)
// stores every message of the batch raw, with its outcome and its Maildir unique name (the file
// name without any `:info`), and acts on it. Messages run in order inside that transaction, so a
// later one sees what an earlier one wrote (a redelivery of a message of the same batch is a
// redelivery). Only after the commit are the batch's files moved to `cur/` with the standard
// info `:2,` (a name that already carries an info suffix keeps it); cur/ is fsynced once per
// scan. A batch closes early once it holds Config::max_message_bytes of message bytes, so memory
// stays bounded: a batch holds about twice that at most, and `parse_ahead` holds two batches.
//
// Parsing ahead (`parse_ahead`): while a batch's transaction runs on the calling thread, a second
// thread moves the files of the batch committed before it to cur/, then reads and parses
// (Engine::PrepareMail, a pure function) the next batch of the same scan. Reading,
// parsing and moving files are about half of intake, the store's own work the other half, so on
// two cores this overlaps the two. What is stored, in which transaction and in which order, the
// moves only after their commit, and every failure rule below are the same as without it; only
// the thread that reads, parses and moves differs, and a batch's files reach cur/ while the next
// batch is stored (at the latest before ScanOnce returns). Each scan starts and joins its helper
// threads; nothing runs between scans.
//
// Size: a file over Config::max_message_bytes (its size, before it is read) is refused and
// recorded (outcome `refused`: its SHA-256 over every byte, its true size, its first 64 KiB)
// and moved to cur/ like any other; it never becomes a request.
//
// Crash safety: a crash before the commit leaves the batch's files in new/ and nothing stored,
// so they are ingested on the next scan. A crash after the commit and before the moves (or before
// they are durable) leaves files in new/ although they were ingested; the next scan finds their
// names recorded and IntakeMail returns the earlier outcomes without storing anything, so no
// message is doubled — even without a Message-ID. The moves are then done.
//
// Failures: a file that cannot be read (permissions, I/O error) stays in new/ untouched and is
// retried on every scan; it does not count against the batch. When a batch's transaction fails,
// its messages are tried again one transaction each, in order, so that one message that always
// fails (a poisoned message) holds back none of the others; the first that fails alone stays in
// new/ and ends the scan (the store — busy, full — is the likely cause; the next scan retries).
// Each failing file is logged once, when it first fails (its Maildir name and the reason: no
// addresses, no subjects), not on every retry. Files that failed before are tried after the
// others, each in a transaction of its own, so neither an unreadable file nor a message that
// always fails blocks the queue or fails a batch. A file that cannot be moved is logged the same
// way and its move retried (its message is not stored again). A file that disappears between
// the listing and the read (another reader took it) is skipped silently. A symbolic link in new/
// is never followed (it could make the server ingest any file it can read): it is reported as
// unreadable and left. Names starting with '.' are ignored; other non-regular files (directories,
// FIFOs, devices) are logged once and left, never opened.
//
// Listing: new/ is listed (every name stat()ed for its mtime, then sorted) only when the previous
// listing is used up, is kRelistAfter old, or a scan ended on a failure; the scans in between take
// the next files of that listing, so a backlog of N files costs one listing, not one per batch
// (ingesting it was O(N²/batch) in stat calls). The order is therefore "oldest first" per
// listing: a file that arrives while a listing is being worked through is taken once it is used
// up (or after kRelistAfter), even if its mtime is older than files still waiting in it (a
// delivery agent that sets mtimes to the message's date). A file of the listing that is gone by
// the time its turn comes (another reader took it) is skipped silently, as before.
//
// Thread safety: call from one thread (the worker thread).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "intake/intake.h"
#include "intake/read_mail.h"
#include "requests/engine.h"

namespace dsar::service {

class MaildirIntake {
 public:
  using Log = std::function<void(const std::string& line)>;  // one line, no trailing newline

  // A listing older than this (by the service's clock) is replaced by a new one.
  static constexpr Millis kRelistAfter = 60 * 1000;

  struct Options {
    int batch = 100;            // messages per transaction
    int batches_per_scan = 1;   // a scan takes at most batch × batches_per_scan messages
    bool parse_ahead = false;   // parse the next batch on a second thread (see above)
  };

  // `log` defaults to standard error.
  MaildirIntake(Engine& svc, std::string maildir, Options options, Log log = nullptr);

  // One scan of new/; returns how many messages went through intake and were moved to cur/.
  // IoError only when the Maildir itself cannot be created or listed.
  Result<int> ScanOnce();

  // Test hook (environment DSAR_TEST_CRASH=maildir_after_commit:N): the process exits at once
  // (status 44) right after the commit of the transaction that holds the Nth message ingested
  // by this object (counting every message of each committed batch), before any file of that
  // transaction is moved.
  void TEST_CrashAfterCommit(int n) { crash_after_commit_ = n; }

 private:
  struct Candidate {
    bool failed_before;  // known to fail: tried after the others
    std::filesystem::file_time_type mtime;
    std::string name;
  };

  void LogOnce(const std::string& name, const std::string& what);
  void Forget(const std::string& name);  // the file went through: no longer failing
  // Lists new/ into listing_ (sorted: files not known to fail, oldest first; then those that failed).
  Status List(const std::filesystem::path& new_dir);

  Engine& svc_;
  std::string maildir_;
  Options options_;
  Log log_;
  std::mutex failing_mu_;  // guards failing_ and calls of log_ while a scan's helper thread runs
  std::set<std::string> failing_;  // names logged as failing, until they go through or disappear
  std::vector<Candidate> listing_;  // the last listing of new/; listing_[next_..] not taken yet
  std::size_t next_ = 0;
  Millis listed_at_ = 0;
  int committed_ = 0;  // messages in committed transactions
  int crash_after_commit_ = 0;
};

// The Maildir unique name of a file name: the part before the `:` of its info suffix.
std::string MaildirBaseName(const std::string& file_name);

}  // namespace dsar::service
