// MailTransport: hands one composed outbound message to the world (issue 4 §7). The outbox
// dispatcher (Workers::DeliverOutbox) decides about retries from the outcome.
//
//   Maildir  the development transport: the message is written durably to `<maildir>/tmp/`
//            and renamed into `new/` under a name made of its Message-ID, so a second send
//            of the same message (a crash before the outbox row was marked) finds the file
//            and writes nothing: exactly once.
//   SMTP     libcurl to the configured relay: `smtp://host:port` with STARTTLS (required by
//            default, RFC 3207) or `smtps://host:port` (implicit TLS, RFC 8314), AUTH with a
//            user name and a password read from a file at start. A 5xx reply (RFC 5321 §4.2.1:
//            permanent negative completion, e.g. 550 mailbox unavailable) is a permanent
//            failure; a 4xx reply, a refused or timed-out connection, a TLS or AUTH failure (the
//            operator's to fix) are retried. Delivery is at least once: a crash after the relay
//            accepted a message and before its row was marked sends it again, with the same
//            Message-ID, which receivers and relays use to drop the copy.
//
// `detail` (kept in the store, shown to staff in the request's history) is the relay's last reply
// ("550 5.1.1 <...>: Recipient address rejected"), or libcurl's error when there was none;
// `log_detail` (for logs) names only the reply code and libcurl's error, never the server's text,
// which may quote an address.
// Thread safety: one transport per worker thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "workflow/config.h"

namespace dsar::service {

struct Envelope {
  std::string from;             // addr-spec for MAIL FROM
  std::vector<std::string> to;  // addr-specs for RCPT TO
  std::string message_id;       // without angle brackets
};

struct SendOutcome {
  enum class Kind { kSent, kRetry, kPermanent };
  Kind kind = Kind::kSent;
  std::string detail;          // why, when not sent: the relay's reply (may name an address)
  bool relay_down = false;     // kRetry because the relay could not be reached: stop this round
  std::string log_detail;      // why, for logs: reply code and libcurl's error only
};

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  virtual SendOutcome Send(const Envelope& envelope, const std::string& message) = 0;
};

// The Maildir transport into `maildir` (created when missing).
std::unique_ptr<MailTransport> MakeMaildirTransport(std::string maildir);

// The transport the configuration names (`mail_transport`: maildir or smtp). Invalid when the
// SMTP settings are incomplete; IoError when the password file cannot be read.
Result<std::unique_ptr<MailTransport>> MakeMailTransport(const Config& config);

// The addr-spec inside a From value ("Name <a@b>" -> "a@b"; "a@b" stays).
std::string AddrSpec(const std::string& from);

}  // namespace dsar::service
