#include "intake/maildir_watcher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <tuple>
#include <vector>

namespace dsar::service {

namespace fs = std::filesystem;

namespace {

// True when both files hold the same bytes.
bool SameBytes(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::file_size(a, ec) != fs::file_size(b, ec) || ec) return false;
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  char ba[65536], bb[65536];
  while (fa && fb) {
    fa.read(ba, sizeof ba);
    fb.read(bb, sizeof bb);
    if (fa.gcount() != fb.gcount() || std::memcmp(ba, bb, static_cast<size_t>(fa.gcount())) != 0) return false;
  }
  return fa.eof() && fb.eof();
}


// The message in a regular file, read in bounded memory (ReadMail: over `limit`, only its
// beginning is kept), or why not (with the errno of the failure). Never follows a symbolic link
// and never blocks on a FIFO.
Result<MailBytes> ReadFile(const fs::path& path, std::int64_t limit, int& error) {
  error = 0;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    error = errno;
    return Status::IoError(error == ELOOP ? "a symbolic link, not followed" : std::strerror(error));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = EINVAL;
    ::close(fd);
    return Status::IoError("not a regular file");
  }
  auto bytes = ReadMail(fd, limit);
  if (!bytes.ok()) error = EIO;
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

}  // namespace

std::string MaildirBaseName(const std::string& file_name) { return file_name.substr(0, file_name.find(':')); }

MaildirIntake::MaildirIntake(Engine& svc, std::string maildir, Options options, Log log)
    : svc_(svc), maildir_(std::move(maildir)), options_(options), log_(std::move(log)) {
  options_.batch = std::max(options_.batch, 1);
  options_.batches_per_scan = std::max(options_.batches_per_scan, 1);
  if (!log_) log_ = [](const std::string& line) { std::cerr << line << "\n"; };
}

void MaildirIntake::LogOnce(const std::string& name, const std::string& what) {
  std::lock_guard lock(failing_mu_);
  if (failing_.insert(name).second) log_("maildir intake: new/" + name + ": " + what);
}

void MaildirIntake::Forget(const std::string& name) {
  std::lock_guard lock(failing_mu_);
  failing_.erase(name);
}

Status MaildirIntake::List(const fs::path& new_dir) {
  listing_.clear();
  next_ = 0;
  std::vector<Candidate> found;
  std::set<std::string> odd;  // not regular files: logged once, never taken
  std::error_code ec;
  for (fs::directory_iterator it(new_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    // Regular files, and symbolic links so that they are reported (never followed: a link in
    // the inbox must not make the server ingest a file it points to).
    std::error_code fec;
    const fs::file_status st = it->symlink_status(fec);
    if (fec) continue;  // gone meanwhile
    if (st.type() != fs::file_type::regular && st.type() != fs::file_type::symlink) {
      LogOnce(name, "not a regular file (a directory, FIFO or device): left in new/, never read");
      odd.insert(name);
      continue;
    }
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
  std::set<std::string> waiting = odd;
  for (const Candidate& c : found) waiting.insert(c.name);
  for (auto it = failing_.begin(); it != failing_.end();) it = waiting.count(*it) ? std::next(it) : failing_.erase(it);
  listing_ = std::move(found);
  listed_at_ = svc_.clock().Now();
  return Status::Ok();
}

Result<int> MaildirIntake::ScanOnce() {
  const fs::path root(maildir_);
  std::error_code ec;
  for (const char* sub : {"tmp", "new", "cur"}) {
    fs::create_directories(root / sub, ec);
    if (ec) return Status::IoError("cannot create Maildir " + (root / sub).string() + ": " + ec.message());
  }
  const fs::path new_dir = root / "new", cur_dir = root / "cur";
  if (next_ >= listing_.size() || svc_.clock().Now() - listed_at_ >= kRelistAfter)
    if (Status s = List(new_dir); !s.ok()) return s;

  // Messages are read into a chunk until the batch is full or the chunk holds max_message_bytes
  // (so memory stays bounded), parsed, then the chunk goes through intake in one transaction and
  // its files are moved. Files that failed before each go alone, after the others, so that a
  // message that always fails never fails a batch. With parse_ahead, while chunk k is stored on
  // this thread, a helper thread moves the files of chunk k - 1 (committed) and reads and parses
  // chunk k + 1; the two share only failing_ (under failing_mu_) and the log.
  struct Chunk {
    std::vector<std::string> names;
    std::vector<MailBytes> bytes;
    std::vector<PreparedMail> prepared;  // borrow from `bytes`
  };
  const int per_scan = options_.batch * options_.batches_per_scan;
  int attempted = 0, moved = 0;
  bool stop = false;
  auto move_to_cur = [&](const std::string& name) {
    // Never over another file in cur/ (a reused unique name): qualify the name until it is free.
    const std::string base = name.substr(0, name.find(':'));
    const std::string info = name.find(':') == std::string::npos ? ":2," : name.substr(name.find(':'));
    std::string target = base + info;
    std::error_code mec;
    for (int n = 1; fs::exists(cur_dir / target, mec) && n < 1000; ++n) {
      if (SameBytes(new_dir / name, cur_dir / target)) {  // the very file, found again: keep one
        fs::remove(new_dir / name, mec);
        if (!mec) {
          Forget(name);
          ++moved;
        }
        return;
      }
      target = base + "." + std::to_string(n) + info;
    }
    fs::rename(new_dir / name, cur_dir / target, mec);
    if (mec) {
      if (mec != std::errc::no_such_file_or_directory)
        LogOnce(name, "ingested, but cannot move it to cur/ (retried): " + mec.message());
      return;
    }
    Forget(name);
    ++moved;
  };
  auto committed = [&](int n) {
    committed_ += n;
    if (crash_after_commit_ > 0 && committed_ >= crash_after_commit_) std::_Exit(44);
  };
  const std::int64_t limit = svc_.config().max_message_bytes;
  // The next chunk of the listing (empty when the scan has taken its share or new/ is used up).
  auto read_chunk = [&] {
    Chunk chunk;
    std::int64_t chunk_bytes = 0;
    // next_ moves past each file taken (read, or found unreadable).
    for (; next_ < listing_.size() && attempted < per_scan; ++next_) {
      if (static_cast<int>(chunk.names.size()) >= options_.batch || chunk_bytes >= limit) break;
      const Candidate& c = listing_[next_];
      if (c.failed_before && !chunk.names.empty()) break;  // it goes alone, in the next chunk
      int error = 0;
      auto bytes = ReadFile(new_dir / c.name, limit, error);
      if (!bytes.ok()) {
        if (error != ENOENT) LogOnce(c.name, "cannot read (left in new/, retried): " + bytes.status().message());
        continue;
      }
      ++attempted;
      chunk_bytes += static_cast<std::int64_t>(bytes->raw.size());
      chunk.names.push_back(c.name);
      chunk.bytes.push_back(std::move(bytes.value()));
      if (c.failed_before) {
        ++next_;
        break;
      }
    }
    return chunk;
  };
  auto prepare = [this](Chunk& chunk) {
    chunk.prepared.resize(chunk.bytes.size());
    for (std::size_t i = 0; i < chunk.bytes.size(); ++i)
      chunk.prepared[i] = PrepareMail(svc_, chunk.bytes[i], MaildirBaseName(chunk.names[i]));
  };
  // Stores the chunk; returns the names of the files it committed (to be moved to cur/).
  auto store = [&](const Chunk& chunk) {
    auto all = IntakeMailBatch(svc_, chunk.prepared);
    if (all.ok()) {
      committed(static_cast<int>(chunk.names.size()));
      return chunk.names;
    }
    // One transaction per message (a batch of one has just failed: no retry), so that one
    // message that fails stops none before it; the first failure ends the scan (most likely
    // the store: busy, full) and the next scan retries it after the others.
    std::vector<std::string> done;
    for (std::size_t i = 0; i < chunk.names.size(); ++i) {
      auto one = chunk.names.size() == 1 ? all.status() : IntakeMailBatch(svc_, {&chunk.prepared[i], 1}).status();
      if (!one.ok()) {
        LogOnce(chunk.names[i], "intake failed (left in new/, retried): " + one.ToString());
        stop = true;
        break;
      }
      committed(1);
      done.push_back(chunk.names[i]);
    }
    return done;
  };

  Chunk current = read_chunk();
  prepare(current);
  std::vector<std::string> to_move;  // committed, not moved yet (parse_ahead: moved by the helper)
  while (!current.names.empty()) {
    Chunk next;
    std::vector<std::string> stored;
    std::exception_ptr helper_failed;
    {
      std::jthread helper;  // joined at the end of this block, whatever happens in store()
      if (options_.parse_ahead)
        helper = std::jthread([&, moving = std::exchange(to_move, {})] {
          try {
            for (const std::string& name : moving) move_to_cur(name);
            next = read_chunk();
            prepare(next);
          } catch (...) {
            helper_failed = std::current_exception();
          }
        });
      stored = store(current);
    }
    if (helper_failed) std::rethrow_exception(helper_failed);
    if (options_.parse_ahead) {
      to_move = std::move(stored);
    } else {
      for (const std::string& name : stored) move_to_cur(name);
    }
    if (stop) break;  // with parse_ahead, `next` was read and parsed but not stored: its files stay in new/
    if (!options_.parse_ahead) {
      next = read_chunk();
      prepare(next);
    }
    current = std::move(next);
  }
  for (const std::string& name : to_move) move_to_cur(name);
  // After a failure, the next scan lists new/ afresh: what failed now goes after the others.
  if (stop) listing_.clear();
  // One directory sync for the scan's moves: a move lost to a crash only leaves an ingested file
  // in new/, which the next scan recognises by its name and moves without storing it again.
  if (moved > 0) SyncDir(cur_dir);
  return moved;
}

}  // namespace dsar::service
