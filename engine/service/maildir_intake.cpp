#include "service/maildir_intake.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <tuple>
#include <vector>

namespace dsar::service {

namespace fs = std::filesystem;

namespace {

// The whole regular file, or why not (with the errno of the failure). Never follows a symbolic
// link and never blocks on a FIFO.
Result<std::string> ReadWhole(const fs::path& path, int& error) {
  error = 0;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    error = errno;
    return Status::IoError(error == ELOOP ? "a symbolic link, not followed" : std::strerror(error));
  }
  std::string bytes;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = EINVAL;
    ::close(fd);
    return Status::IoError("not a regular file");
  }
  if (st.st_size > 0) bytes.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      ::close(fd);
      return Status::IoError(std::strerror(error));
    }
    bytes.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return bytes;
}

void SyncDir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

struct Candidate {
  bool failed_before;  // known to fail: tried after the others
  fs::file_time_type mtime;
  std::string name;
};

}  // namespace

std::string MaildirBaseName(const std::string& file_name) { return file_name.substr(0, file_name.find(':')); }

MaildirIntake::MaildirIntake(RequestService& svc, std::string maildir, int batch, Log log)
    : svc_(svc), maildir_(std::move(maildir)), batch_(batch), log_(std::move(log)) {
  if (!log_) log_ = [](const std::string& line) { std::cerr << line << "\n"; };
}

void MaildirIntake::LogOnce(const std::string& name, const std::string& what) {
  if (failing_.insert(name).second) log_("maildir intake: new/" + name + ": " + what);
}

Result<int> MaildirIntake::ScanOnce() {
  const fs::path root(maildir_);
  std::error_code ec;
  for (const char* sub : {"tmp", "new", "cur"}) {
    fs::create_directories(root / sub, ec);
    if (ec) return Status::IoError("cannot create Maildir " + (root / sub).string() + ": " + ec.message());
  }
  const fs::path new_dir = root / "new", cur_dir = root / "cur";

  std::vector<Candidate> found;
  for (fs::directory_iterator it(new_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    // Regular files, and symbolic links so that they are reported (never followed: a link in
    // the inbox must not make the server ingest a file it points to).
    std::error_code fec;
    const fs::file_status st = it->symlink_status(fec);
    if (fec || (st.type() != fs::file_type::regular && st.type() != fs::file_type::symlink)) continue;
    const fs::file_time_type mtime = st.type() == fs::file_type::symlink ? fs::file_time_type::min()
                                                                         : it->last_write_time(fec);
    if (fec) continue;  // gone meanwhile
    found.push_back({failing_.count(name) > 0, mtime, name});
  }
  if (ec) return Status::IoError("cannot list " + new_dir.string() + ": " + ec.message());
  std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.failed_before, a.mtime, a.name) < std::tie(b.failed_before, b.mtime, b.name);
  });
  // Forget failures of files no longer waiting.
  std::set<std::string> waiting;
  for (const Candidate& c : found) waiting.insert(c.name);
  for (auto it = failing_.begin(); it != failing_.end();) it = waiting.count(*it) ? std::next(it) : failing_.erase(it);

  int attempted = 0, moved = 0;
  for (const Candidate& c : found) {
    if (attempted >= batch_) break;
    const fs::path file = new_dir / c.name;
    int error = 0;
    auto raw = ReadWhole(file, error);
    if (!raw.ok()) {
      if (error != ENOENT) LogOnce(c.name, "cannot read (left in new/, retried): " + raw.status().message());
      continue;
    }
    ++attempted;
    auto out = svc_.IntakeMail(*raw, MaildirBaseName(c.name));
    if (!out.ok()) {
      // Most likely the store (busy, full): the next scan retries, with this file after the others.
      LogOnce(c.name, "intake failed (left in new/, retried): " + out.status().ToString());
      break;
    }
    ++committed_;
    if (crash_after_commit_ > 0 && committed_ == crash_after_commit_) std::_Exit(44);
    const std::string target = c.name.find(':') == std::string::npos ? c.name + ":2," : c.name;
    fs::rename(file, cur_dir / target, ec);
    if (ec) {
      if (ec != std::errc::no_such_file_or_directory)
        LogOnce(c.name, "ingested, but cannot move it to cur/ (retried): " + ec.message());
      ec.clear();
      continue;
    }
    failing_.erase(c.name);
    ++moved;
  }
  // One directory sync for the scan's moves: a move lost to a crash only leaves an ingested file
  // in new/, which the next scan recognises by its name and moves without storing it again.
  if (moved > 0) SyncDir(cur_dir);
  return moved;
}

}  // namespace dsar::service
