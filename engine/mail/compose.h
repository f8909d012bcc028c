// ComposeMessage: the engine's outbound mail as RFC 5322 bytes, built with GMime 3 (issue 4 §7).
//
// The message is multipart/alternative (text/plain, then text/html) when an HTML body is given,
// else text/plain; every text part is UTF-8, quoted-printable, so no line exceeds RFC 5322's
// 998 octets and no relay needs 8BITMIME. Non-ASCII header text (subject, display names) is
// written as RFC 2047 encoded-words by GMime. Threading: `Message-ID`, `In-Reply-To` and
// `References` are set from the fields below so that the requester's reply threads (and joins
// its request: mail/message.h FindReference, and the store's RequestForMessageId); an id that
// is not id-left@id-right without blanks, or is longer than 250 characters, is left out.
//
// Loop prevention: every message carries `Auto-Submitted: auto-generated` (RFC 3834 §5) and
// `X-Auto-Response-Suppress: All` (Exchange/Outlook), so that auto-responders do not answer it.
//
// Pure: no I/O, no clock (the Date is a field). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace dsar::mail {

struct OutgoingMail {
  std::string from;                     // "Display Name <addr@host>" or "addr@host"
  std::vector<std::string> to;          // addr-specs (one or more)
  std::string subject;                  // UTF-8
  std::string text;                     // UTF-8 plain-text body (LF or CRLF line ends)
  std::string html;                     // UTF-8 HTML body; "" = text only
  std::string message_id;               // without angle brackets
  std::string in_reply_to;              // without angle brackets; "" = none
  std::vector<std::string> references;  // without angle brackets, oldest first
  std::string language;                 // BCP 47 tag for Content-Language; "" = none
  Millis date = 0;                      // UTC instant for the Date header
};

// Invalid when `from` or a recipient is not an address, or `message_id` is empty. The result
// uses CRLF line ends.
Result<std::string> ComposeMessage(const OutgoingMail& mail);

}  // namespace dsar::mail
