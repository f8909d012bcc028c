#include "mail/outbox/transport.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace dsar::service {

namespace fs = std::filesystem;

namespace {

// ---- Maildir ----

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

// A failure of the Maildir itself: every mail would fail the same way now.
SendOutcome Failed(const std::string& why) { return {SendOutcome::Kind::kRetry, why, true, why}; }

class MaildirTransport : public MailTransport {
 public:
  explicit MaildirTransport(std::string maildir) : maildir_(std::move(maildir)) {}

  SendOutcome Send(const Envelope& envelope, const std::string& message) override {
    std::error_code ec;
    for (const char* sub : {"tmp", "new", "cur"}) fs::create_directories(maildir_ / sub, ec);
    if (ec) return Failed("cannot create the Maildir: " + ec.message());
    const std::string name = MaildirName(envelope.message_id);
    if (AlreadyDelivered(maildir_, name)) return {};
    const fs::path tmp = maildir_ / "tmp" / name;
    if (Status w = WriteDurably(tmp, message); !w.ok()) return Failed(w.message());
    fs::rename(tmp, maildir_ / "new" / name, ec);
    if (ec) return Failed("cannot move the mail into new/: " + ec.message());
    SyncDir(maildir_ / "new");
    return {};
  }

 private:
  fs::path maildir_;
};

// ---- SMTP (libcurl) ----

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  const std::string* bytes;
  size_t offset = 0;
};

// Keeps the relay's last negative reply line (libcurl passes server responses as CURLINFO_HEADER_IN).
int KeepLastReply(CURL*, curl_infotype type, char* data, size_t size, void* userdata) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  // A negative reply (4xx, 5xx); the QUIT exchange after it must not hide it.
  if (line.size() >= 3 && (line[0] == '4' || line[0] == '5') && std::isdigit(static_cast<unsigned char>(line[1])))
    *static_cast<std::string*>(userdata) = line.substr(0, 300);
  return 0;
}

size_t ReadUpload(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* up = static_cast<Upload*>(userdata);
  const size_t n = std::min(size * nitems, up->bytes->size() - up->offset);
  std::memcpy(buffer, up->bytes->data() + up->offset, n);
  up->offset += n;
  return n;
}

class SmtpTransport : public MailTransport {
 public:
  SmtpTransport(const Config& c, std::string password)
      : url_(c.smtp_url), tls_(c.smtp_tls), user_(c.smtp_username), password_(std::move(password)),
        ca_file_(c.smtp_ca_file), timeout_seconds_(c.smtp_timeout_seconds) {
    InitCurlOnce();
  }

  SendOutcome Send(const Envelope& envelope, const std::string& message) override {
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Failed("libcurl could not start");
    CURL* c = curl.get();
    char error[CURL_ERROR_SIZE] = {0};
    curl_slist* rcpt = nullptr;
    for (const std::string& to : envelope.to) rcpt = curl_slist_append(rcpt, ("<" + to + ">").c_str());
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt_guard(rcpt, curl_slist_free_all);
    const std::string from = "<" + envelope.from + ">";
    Upload up{&message};
    curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    std::string last_reply;
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, KeepLastReply);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &last_reply);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds KeepLastReply; nothing is printed
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_seconds_));
    curl_easy_setopt(c, CURLOPT_USE_SSL, tls_ == "none"            ? CURLUSESSL_NONE
                                         : tls_ == "opportunistic" ? CURLUSESSL_TRY
                                                                   : CURLUSESSL_ALL);
    if (!ca_file_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
    if (!user_.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, user_.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
    }
    const CURLcode res = curl_easy_perform(c);
    if (res == CURLE_OK) return {};
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    std::string log_detail = code > 0 ? "SMTP " + std::to_string(code) + ": " : std::string("SMTP: ");
    log_detail += curl_easy_strerror(res);
    const bool replied = code > 0 && last_reply.rfind(std::to_string(code), 0) == 0;
    SendOutcome out{SendOutcome::Kind::kRetry, replied ? "SMTP " + last_reply : log_detail, false, log_detail};
    switch (res) {
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_CONNECT:
      case CURLE_OPERATION_TIMEDOUT:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_USE_SSL_FAILED:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_LOGIN_DENIED:
      case CURLE_GOT_NOTHING:
        out.relay_down = true;  // every message would fail the same way now
        break;
      default:
        break;
    }
    // 5xx: permanent negative completion (RFC 5321 §4.2.1) — for this message, not the relay
    // (an authentication failure is the operator's to fix, and is retried).
    if (code >= 500 && code < 600 && res != CURLE_LOGIN_DENIED) {
      out.kind = SendOutcome::Kind::kPermanent;
      out.relay_down = false;
    }
    return out;
  }

 private:
  std::string url_, tls_, user_, password_, ca_file_;
  int timeout_seconds_;
};

}  // namespace

std::string AddrSpec(const std::string& from) {
  const size_t lt = from.rfind('<');
  const size_t gt = from.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) return from.substr(lt + 1, gt - lt - 1);
  return from;
}

std::unique_ptr<MailTransport> MakeMaildirTransport(std::string maildir) {
  return std::make_unique<MaildirTransport>(std::move(maildir));
}

Result<std::unique_ptr<MailTransport>> MakeMailTransport(const Config& config) {
  if (config.mail_transport == "maildir") return MakeMaildirTransport(config.outbox_maildir);
  if (config.mail_transport != "smtp")
    return Status::Invalid("mail_transport must be 'maildir' or 'smtp', not '" + config.mail_transport + "'");
  if (config.smtp_url.rfind("smtp://", 0) != 0 && config.smtp_url.rfind("smtps://", 0) != 0)
    return Status::Invalid("smtp_url must start with smtp:// or smtps:// (e.g. smtp://relay.example:587)");
  if (config.smtp_tls != "required" && config.smtp_tls != "opportunistic" && config.smtp_tls != "none")
    return Status::Invalid("smtp_tls must be 'required', 'opportunistic' or 'none'");
  std::string password;
  if (!config.smtp_password_file.empty()) {
    std::ifstream in(config.smtp_password_file, std::ios::binary);
    if (!in) return Status::IoError("cannot read smtp_password_file " + config.smtp_password_file);
    std::getline(in, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  }
  if (!config.smtp_username.empty() && password.empty())
    return Status::Invalid("smtp_username is set but smtp_password_file gives no password");
  return std::unique_ptr<MailTransport>(std::make_unique<SmtpTransport>(config, std::move(password)));
}

}  // namespace dsar::service
