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
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/time.h"

namespace dsar::mail {

struct Address {
  std::string name;   // decoded display name, UTF-8, may be empty
  std::string email;  // addr-spec as written (not lower-cased)
};

struct ParsedMessage {
  std::string message_id;               // without angle brackets; empty when absent
  std::string in_reply_to;              // without angle brackets; empty when absent
  std::vector<std::string> references;  // without angle brackets, oldest first
  std::optional<Address> from;
  std::optional<Address> reply_to;
  std::vector<Address> to;
  std::string subject;                   // decoded UTF-8
  std::optional<Millis> date;            // the sender's Date header: evidence only
  std::optional<Millis> received_at;     // the date of the topmost Received header, when present
  std::string text;                      // the body as UTF-8 text (text/plain preferred, else HTML as text)
  std::string fresh_text;                // `text` without quoted replies, forwarded headers' quotes and signature
  std::vector<std::string> attachments;  // file names of attachments
};

// Invalid when the bytes are not a message GMime can read (the caller keeps the raw bytes
// and marks the message for staff).
Result<ParsedMessage> ParseMessage(std::string_view raw);

struct Classification {
  enum class Outcome { kRequest, kTriage };
  Outcome outcome = Outcome::kTriage;
  std::optional<RequestType> type;    // set when outcome is kRequest
  DataSubject subject;                // the data subject (may differ from the sender)
  std::optional<Requester> requester; // set when someone else asked (an authorized agent)
  std::string jurisdiction_hint;      // a contract jurisdiction code, or empty
  std::string language;               // ISO 639-1 code of what the sender wrote ("en", "de", ...)
  std::string reason;                 // why it went to triage, for staff
};

// Classifies a message that is not a reply to one of ours (the caller checks threading first).
Classification Classify(const ParsedMessage& message);

// A request reference ("DSR-" + 4 + "-" + 4 Crockford base32 characters, e.g. "DSR-7K2M-9QXH")
// found in `text`, upper-cased; empty when none.
std::string FindReference(std::string_view text);

// A one-time verification code (6 digits) written in `fresh_text`; empty when none.
std::string FindVerificationCode(std::string_view fresh_text);

}  // namespace dsar::mail
