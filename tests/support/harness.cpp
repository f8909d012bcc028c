#include "support/harness.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dsar::test {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

boost::json::value HttpResponse::json() const { return boost::json::parse(body); }

HttpResponse Http(unsigned short port, const std::string& method, const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& headers) {
  boost::asio::io_context ioc;
  boost::beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(60));
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.body() = body;
    if (req.find(http::field::content_type) == req.end()) req.set(http::field::content_type, "application/json");
    req.prepare_payload();
  }
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  http::read(stream, buffer, parser);
  HttpResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    out.headers[name] = std::string(f.value());
  }
  out.body = parser.get().body();
  boost::beast::error_code ec;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return out;
}

std::string Query(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    throw std::runtime_error("cannot open " + db);
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    const std::string err = sqlite3_errmsg(h);
    sqlite3_close(h);
    throw std::runtime_error("query failed: " + err + ": " + sql);
  }
  std::string out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (!out.empty()) out += "\n";
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      if (i) out += "|";
      const unsigned char* t = sqlite3_column_text(st, i);
      out += t ? reinterpret_cast<const char*>(t) : "NULL";
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

struct ZipArchive {
  zip_t* z = nullptr;
  explicit ZipArchive(const std::string& bytes) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    if (src) z = zip_open_from_source(src, ZIP_RDONLY, &err);
    if (!z) {
      if (src) zip_source_free(src);
      throw std::runtime_error("not a ZIP archive");
    }
  }
  ~ZipArchive() { zip_discard(z); }
};

}  // namespace

std::string ZipMember(const std::string& zip, const std::string& name) {
  ZipArchive a(zip);
  zip_stat_t st;
  if (zip_stat(a.z, name.c_str(), 0, &st) != 0) throw std::runtime_error("no member " + name);
  zip_file_t* f = zip_fopen(a.z, name.c_str(), 0);
  if (!f) throw std::runtime_error("cannot open member " + name);
  std::string out(static_cast<size_t>(st.size), '\0');
  const zip_int64_t n = zip_fread(f, out.data(), st.size);
  zip_fclose(f);
  if (n != static_cast<zip_int64_t>(st.size)) throw std::runtime_error("cannot read member " + name);
  return out;
}

std::vector<std::string> ZipMembers(const std::string& zip) {
  ZipArchive a(zip);
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(a.z, 0); ++i) names.push_back(zip_get_name(a.z, i, 0));
  return names;
}

std::string MailHeader(const std::string& message, const std::string& name) {
  std::istringstream in(message);
  std::string line, value;
  bool in_header = false;
  const std::string prefix = name + ":";
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (in_header && (line[0] == ' ' || line[0] == '\t')) {
      value += line;
      continue;
    }
    if (in_header) break;
    if (line.size() > prefix.size() && strncasecmp(line.c_str(), prefix.c_str(), prefix.size()) == 0) {
      in_header = true;
      value = line.substr(prefix.size());
    }
  }
  const auto b = value.find_first_not_of(" \t");
  return b == std::string::npos ? "" : value.substr(b);
}

bool WaitFor(const std::function<bool()>& done, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

Deployment::Deployment(bool with_company) {
  char tmpl[] = "/tmp/dsar-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  std::ofstream cfg(config());
  cfg << "db_path: " << db() << "\n"
      << "workflows_dir: " << DSAR_SOURCE_DIR << "/workflows\n"
      << "templates_dir: " << DSAR_SOURCE_DIR << "/templates/mail\n"
      << "secret_key_file: " << dir_ << "/secret.key\n"
      << "outbox_maildir: " << maildir() << "\n"
      << "exports_dir: " << exports() << "\n"
      << "company_db: " << company_db() << "\n"
      << "systems_map: " << DSAR_SOURCE_DIR << "/demo/systems.yaml\n"
      << "worker_interval_ms: 50\n";
  cfg.close();
  if (with_company) {
    const std::string cmd = std::string("/usr/bin/python3 ") + DSAR_SOURCE_DIR + "/scripts/make-demo-data " + company_db();
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("make-demo-data failed");
  }
}

SmtpSink::SmtpSink(const std::string& dir, const Options& options) : dir_(dir) {
  // A free port: bind to port 0, read it, release it for the sink.
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port_ = probe.local_endpoint().port();
  }
  std::vector<std::string> args = {"/usr/bin/python3", std::string(DSAR_TESTS_DIR) + "/support/smtp_sink.py",
                                   "--port", std::to_string(port_), "--maildir", dir_ + "/sink"};
  if (options.starttls) {
    cert_ = dir_ + "/sink-cert.pem";
    const std::string key = dir_ + "/sink-key.pem";
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                            "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + key + " -out " + cert_ +
                            " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make a test certificate");
    for (const std::string a : {"--tls-cert", cert_.c_str(), "--tls-key", key.c_str()}) args.push_back(a);
  }
  if (!options.auth.empty()) args.insert(args.end(), {"--auth", options.auth});
  for (const auto& r : options.reject) args.insert(args.end(), {"--reject", r});
  for (const auto& r : options.defer) args.insert(args.end(), {"--defer", r});
  const std::string out = dir_ + "/sink.out";
  std::ofstream(out, std::ios::trunc).close();
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_APPEND);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  if (!WaitFor([&] { return ReadFile(out).find("ready") != std::string::npos; }, 30))
    throw std::runtime_error("the SMTP sink did not start: " + ReadFile(out));
}

SmtpSink::~SmtpSink() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::vector<std::string> SmtpSink::Messages() const {
  std::vector<std::pair<fs::path, std::string>> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(dir_) / "sink" / "new", ec))
    files.emplace_back(e.path(), ReadFile(e.path().string()));
  // Arrival order: the sink's log lists Message-IDs as they were accepted.
  const std::string log = Log();
  auto at = [&](const std::string& text) {
    return log.find("accepted " + MailHeader(text, "Message-ID"));
  };
  std::sort(files.begin(), files.end(), [&](const auto& a, const auto& b) { return at(a.second) < at(b.second); });
  std::vector<std::string> out;
  for (auto& f : files) out.push_back(std::move(f.second));
  return out;
}

std::string SmtpSink::Log() const { return ReadFile(dir_ + "/sink.log"); }

Deployment::~Deployment() {
  if (server_pid_ > 0) StopServer();
  std::error_code ec;
  if (std::getenv("DSAR_KEEP_TEST_DIRS") == nullptr) fs::remove_all(dir_, ec);
}

std::string Deployment::Cli(const std::vector<std::string>& args, const std::string& stdin_text, int* exit_code,
                            bool with_stderr) const {
  int in_pipe[2], out_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    if (with_stderr) dup2(out_pipe[1], 2);
    close(in_pipe[1]);
    close(out_pipe[0]);
    std::vector<std::string> argv_s = {DSAR_BINARY, "--config", config()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(DSAR_BINARY, argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  size_t off = 0;
  while (off < stdin_text.size()) {
    ssize_t n = write(in_pipe[1], stdin_text.data() + off, stdin_text.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  close(in_pipe[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(out_pipe[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

unsigned short Deployment::StartServer(const std::vector<std::string>& extra_args,
                                       const std::map<std::string, std::string>& env) {
  const std::string log = dir_ + "/serve.log";
  std::ofstream(log, std::ios::trunc).close();
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_APPEND);
    dup2(fd, 1);
    dup2(fd, 2);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<std::string> argv_s = {DSAR_BINARY, "--config", config()};
    argv_s.insert(argv_s.end(), extra_args.begin(), extra_args.end());
    for (const char* a : {"serve", "--listen", "127.0.0.1:0"}) argv_s.push_back(a);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(DSAR_BINARY, argv.data());
    _exit(127);
  }
  server_pid_ = pid;
  port_ = 0;
  const bool up = WaitFor([&] {
    const std::string text = ReadFile(log);
    const auto at = text.find("listening on 127.0.0.1:");
    if (at == std::string::npos) return false;
    port_ = static_cast<unsigned short>(std::stoi(text.substr(at + 23)));
    return true;
  }, 60);
  if (!up) throw std::runtime_error("dsar serve did not start: " + ReadFile(log));
  return port_;
}

int Deployment::StopServer() { return KillServer(SIGTERM); }

int Deployment::KillServer(int sig) {
  if (server_pid_ <= 0) return -1;
  kill(server_pid_, sig);
  return WaitServerExit();
}

int Deployment::WaitServerExit() {
  int status = 0;
  waitpid(server_pid_, &status, 0);
  server_pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> Deployment::MailFiles() const {
  std::vector<std::string> files;
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(maildir() + "/" + sub, ec)) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace dsar::test
