// Parsing and classifying inbound mail (first version: issue 2; production grade: issue 4).
//
// ParseMessage turns the raw RFC 5322 bytes into decoded UTF-8 fields with GMime 3. Classify
// decides, from the parsed message alone (no store access), whether it is a data subject
// request, of which type, for which data subject, and who asked. Both are pure functions of
// their input: no I/O, no clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/time.h"

namespace dsar::mail {

struct Address {
  std::string name;   // decoded display name, UTF-8, one line (control characters collapsed to a
                      // space, see CollapseControls in text/address.h), may be empty
  std::string email;  // addr-spec as written (not lower-cased, never rewritten: a quoted local part
                      // such as "\"john doe\"@example.com" is kept with its quotes and blank, and
                      // fails IsValidEmail)
};

// Message-IDs: message_id, in_reply_to and references hold only valid msg-ids (RFC 5322
// §3.6.4): id-left "@" id-right, 1 to 250 characters of visible ASCII, no blanks or control
// characters, no '<' or '>'. Invalid ones ("<hello world@example.com>", one without '@', a
// 1,200-character id) are dropped, never cut down to a part: the engine copies these ids into
// the In-Reply-To and References of its own mail.
struct ParsedMessage {
  std::string message_id;               // the first valid id, without angle brackets; empty when none
  std::string in_reply_to;              // the first valid id, without angle brackets; empty when none
  std::vector<std::string> references;  // the valid ids, without angle brackets, oldest first
  std::optional<Address> from;
  std::optional<Address> reply_to;
  std::vector<Address> to;
  std::string subject;                   // decoded UTF-8, one line (CollapseControls)
  std::optional<Millis> date;            // the sender's Date header: evidence only
  std::optional<Millis> received_at;     // the date of the topmost Received header, when present
  std::string text;                      // the body as UTF-8 text (text/plain preferred, else HTML as text)
  std::string fresh_text;                // `text` without quoted replies, forwarded headers' quotes and signature
  std::vector<std::string> attachments;  // file names of attachments

  // Header data for MachineGenerated (issue 4, "Not a request").
  std::vector<std::pair<std::string, std::string>> headers;  // top-level headers in order: name as
                                                             // written, value unfolded and decoded
                                                             // (DecodeHeaderText), UTF-8
  std::string content_type;              // the root part's "type/subtype", lower case ("text/plain")
  std::string report_type;               // report-type of a multipart/report root, lower case
  std::vector<std::string> part_types;   // "type/subtype" of every leaf part outside attached
                                         // messages, lower case, in order (the root when single-part)
  std::string return_path;               // the topmost Return-Path as written, trimmed ("<>" = null sender)
  std::string auto_submitted;            // the Auto-Submitted keyword, lower case, without parameters
  std::string precedence;                // the Precedence value, lower case
  std::string list_id;                   // the List-Id value, decoded
};

// The value of the first top-level header named `name` (ASCII case-insensitive), decoded as in
// ParsedMessage::headers; nullopt when there is none.
std::optional<std::string> HeaderValue(const ParsedMessage& m, std::string_view name);

// Why `m` is machine-generated mail that must never become a request nor be answered: a short
// reason for the intake record, made of fixed words and header keywords only (never an address,
// a name or a subject); nullopt for mail written by a person. Decided from headers and the MIME
// structure alone, never from body text, so a person who quotes a bounce or writes "automatic
// reply" is still a person. Rules, first match wins (machine.cpp documents each):
//   1. multipart/report root, or a message/delivery-status, message/global-delivery-status,
//      message/disposition-notification or message/feedback-report part: DSN, MDN or ARF;
//   2. X-MS-Exchange-Message-Is-Ndr: Exchange NDR;
//   3. an application/ms-tnef root whose subject starts "Read:" (and translations): TNEF read receipt;
//   4. bounce senders and markers: From local part mailer-daemon or postmaster, a "Mail Delivery
//      Subsystem/System" display name, X-Failed-Recipients, a bounce subject ("Delivery Status
//      Notification", "Undeliverable:", "Undelivered Mail Returned to Sender", ... not after Re:/Fwd:);
//   5. Auto-Submitted with any value but "no" (RFC 3834);
//   6. Outlook automatic replies without Auto-Submitted: a subject starting "Automatic reply:" or a
//      translation, or X-MS-Exchange-Inbox-Rules-Loop together with X-Auto-Response-Suppress;
//      Japanese auto-responders' subject tags (【自動返信】, [自動応答], 不在通知: ...);
//   7. other auto-responders: X-Autoreply, X-Autorespond, X-Autoresponder, Precedence: auto_reply;
//   8. Precedence: bulk, junk or list;
//   9. List-Id, List-Post or List-Unsubscribe;
//  10. an empty Return-Path (<>): null sender.
std::optional<std::string> MachineGenerated(const ParsedMessage& m);

// Invalid when the bytes are not a message GMime can read (the caller keeps the raw bytes
// and marks the message for staff).
Result<ParsedMessage> ParseMessage(std::string_view raw);

struct Classification {
  enum class Outcome { kRequest, kTriage };
  Outcome outcome = Outcome::kTriage;
  std::optional<RequestType> type;    // set when outcome is kRequest: types.front()
  std::vector<RequestType> types;     // kRequest: every right the sender asks for now (not in quoted
                                      // text), in the order written; one or more, no repeats
  DataSubject subject;                // the data subject (may differ from the sender)
  std::optional<Requester> requester; // set when someone else asked (an authorized agent)
  std::string jurisdiction_hint;      // a contract jurisdiction code, or empty
  std::string language;               // ISO 639-1 code of what the sender wrote ("en", "de", ..., "ja")
  std::string reason;                 // why it went to triage, for staff
};

// Classifies a message that is not a reply to one of ours (the caller checks threading first).
// Wording that asks for nothing is not a request: a negated verb ("Please don't delete my
// account", "Bitte löschen Sie mein Konto nicht"), a question ("How long do you keep my data
// after I delete my account?"), a deletion of someone or something else ("remove John from my
// team account") or of a business record (an invoice), an objection to something other than the
// processing of personal data. Names in `subject` and `requester` are one line (CollapseControls);
// the data subject's email is the addr-spec as written, never rewritten (see Address).
Classification Classify(const ParsedMessage& message);

// A request reference ("DSR-" + 4 + "-" + 4 Crockford base32 characters, e.g. "DSR-7K2M-9QXH")
// found in `text`, upper-cased; empty when none.
std::string FindReference(std::string_view text);

// A one-time verification code (6 digits, or "123 456") written in `fresh_text`; empty when
// none. Full-width digits ("４７９２８９") count as ASCII. A 6-digit number is a code only when
// it is introduced by a code word in one of our languages ("code", "Code", "código",
// "codice", "verificatiecode", "コード", "認証番号", ...; not "postcode"), else followed by one,
// else stands on a line of its own, else is essentially all the sender wrote (the only number
// in a reply of a few words); the first such number in that order wins. Any other number ("my
// customer number is 482913") is not a code.
std::string FindVerificationCode(std::string_view fresh_text);

}  // namespace dsar::mail
