// Test harness for tests that run the real `dsar` binary: a temporary deployment folder, the
// CLI, a `dsar serve` child process on a free loopback port, and a small blocking HTTP client.
// Waits poll with a bounded deadline (no timing assertions).
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dsar::test {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::json::value json() const;
};

// One request on a new connection to 127.0.0.1:port.
HttpResponse Http(unsigned short port, const std::string& method, const std::string& target,
                  const std::string& body = "", const std::map<std::string, std::string>& headers = {});

// A temporary deployment: config file, database, Maildir, exports and a demo company database.
class Deployment {
 public:
  // `with_company` runs scripts/make-demo-data into the folder.
  explicit Deployment(bool with_company = true);
  ~Deployment();
  const std::string& dir() const { return dir_; }
  std::string config() const { return dir_ + "/dsar.yaml"; }
  std::string db() const { return dir_ + "/dsar.db"; }
  std::string company_db() const { return dir_ + "/nimbus.db"; }
  std::string maildir() const { return dir_ + "/outbox"; }
  std::string exports() const { return dir_ + "/exports"; }

  // Runs `dsar --config <config> args...`, feeding `stdin_text`; returns stdout (and stderr when
  // `with_stderr`), trailing newline trimmed, and sets *exit_code.
  std::string Cli(const std::vector<std::string>& args, const std::string& stdin_text = "", int* exit_code = nullptr,
                  bool with_stderr = false) const;

  // Starts `dsar [global_args...] serve` on 127.0.0.1 port 0 (the bound port is read from its
  // log), with extra environment entries. Returns the port.
  unsigned short StartServer(const std::vector<std::string>& global_args = {},
                             const std::map<std::string, std::string>& env = {});
  // SIGTERM and wait; returns the exit status (or the signal number + 128).
  int StopServer();
  // Sends `sig` (e.g. SIGKILL) and waits; returns the exit status (or the signal number + 128).
  int KillServer(int sig);
  // Waits for the server to exit by itself (e.g. a crash hook); returns its exit status.
  int WaitServerExit();
  unsigned short port() const { return port_; }

  // Files in the outbox Maildir (new/ and cur/), sorted.
  std::vector<std::string> MailFiles() const;

 private:
  std::string dir_;
  int server_pid_ = -1;
  unsigned short port_ = 0;
};

// A local SMTP relay (tests/support/smtp_sink.py over Debian's python3-aiosmtpd, run with
// /usr/bin/python3) on a free loopback port; killed by the destructor.
class SmtpSink {
 public:
  struct Options {
    bool starttls = false;              // offer and require STARTTLS (a self-signed certificate)
    std::string auth;                   // "user:password": require AUTH
    std::vector<std::string> reject;    // RCPT TO answered 550
    std::vector<std::string> defer;     // RCPT TO answered 451
  };
  // Starts the sink in `dir` (its Maildir is dir/sink); throws when it does not come up.
  SmtpSink(const std::string& dir, const Options& options);
  ~SmtpSink();
  unsigned short port() const { return port_; }
  // The certificate a client must trust when starttls (PEM); "" otherwise.
  const std::string& certificate() const { return cert_; }
  // The accepted messages (with the sink's X-Sink-Envelope-From/-To lines first), oldest first.
  std::vector<std::string> Messages() const;
  // The sink's log: "accepted <Message-ID> tls=yes|no auth=yes|no" per message.
  std::string Log() const;

 private:
  std::string dir_, cert_;
  unsigned short port_ = 0;
  int pid_ = -1;
};

// Polls `done` every 50 ms for at most `seconds`; returns whether it became true.
bool WaitFor(const std::function<bool()>& done, double seconds = 30);

std::string ReadFile(const std::string& path);
// Every row of a read-only query on an SQLite file: each row's columns joined with '|' (NULL as
// "NULL"), rows joined with '\n'. Throws std::runtime_error when the query fails.
std::string Query(const std::string& db, const std::string& sql);
// The bytes of member `name` of a ZIP archive held in `zip`; throws std::runtime_error when the
// archive or the member cannot be read.
std::string ZipMember(const std::string& zip, const std::string& name);
// The member names of a ZIP archive, in archive order.
std::vector<std::string> ZipMembers(const std::string& zip);
// A header's value from an RFC 5322 message (first occurrence, unfolded), "" when absent.
std::string MailHeader(const std::string& message, const std::string& name);

}  // namespace dsar::test
