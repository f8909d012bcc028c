// Mail intake (contract — CLI `dsar intake-mail`, POST /intake/mail, the Maildir watcher): a raw
// RFC 5322 message is stored, then classified into a new request, a redelivery, a reply to one of
// ours, triage or ignored, in one transaction.
//
// Thread safety: free functions; the store serialises writers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <span>
#include "core/status.h"
#include "core/time.h"
#include "intake/read_mail.h"
#include "mail/message.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// A message that asks for several rights (a copy, then deletion) becomes one request per right,
// in the order written: `reference` is the first one's, and `line` lists every reference separated
// by one space ("DSR-AAAA-BBBB DSR-CCCC-DDDD"); the inbound row links the first, and every
// request's details carry the inbound row id ("inbound_message").
struct IntakeOutcome {
  std::string kind;       // request, redelivery, reply, triage, ignored, refused
  std::string reference;  // of the request created (the first) or joined, when any
  std::int64_t message_row = 0;
  std::string line;       // the `dsar intake-mail` output line (contract — CLI)
  bool replayed = false;  // a Maildir file ingested before: its earlier outcome, nothing written
};

// One inbound message ready for Engine::IntakeMailInTx: its bytes (borrowed: they must
// outlive it) and their parse, done before any transaction is opened.
struct PreparedMail {
  std::string_view raw;        // the whole message, or its first kRefusedKeptBytes when over_limit
  std::int64_t size = 0;       // the true size
  std::string sha256;          // of all its bytes
  bool over_limit = false;     // refused: never parsed, never a request
  std::string maildir_name;    // the Maildir unique name it was read from (without `:info`); "" otherwise
  std::optional<mail::ParsedMessage> parsed;  // nullopt when over_limit or unreadable
  std::string unreadable;      // why the parser could not read it
};

// One raw RFC 5322 message through intake, in its own transaction (contract — CLI `dsar
// intake-mail`, POST /intake/mail). The message is stored raw (SHA-256, size, receipt time,
// outcome) before it is classified; one the parser cannot read goes to triage. `maildir_name`
// is the Maildir unique name (without `:info`) the message was read from, recorded with it: when
// a message of that name was already ingested (a crash between the commit and the move to cur/),
// the earlier outcome is returned (`replayed`) and nothing is stored again.
// Size: a message over config().max_message_bytes is refused and recorded (kind `refused`, line
// `refused: <reason>`): its SHA-256 and true size, received_at = the intake time, and only its
// first kRefusedKeptBytes (the detail says so); it is never parsed and never becomes a request.
Result<IntakeOutcome> IntakeMail(Engine& e, std::string_view raw, const std::string& maildir_name = "");
// The same for a message read with ReadMail (over the limit: only its beginning is at hand).
Result<IntakeOutcome> IntakeMail(Engine& e, const MailBytes& bytes, const std::string& maildir_name = "");

// The pieces IntakeMail is made of, for callers that put several messages in one transaction
// (the Maildir watcher, maildir_intake.h). PrepareMail hashes and parses outside any
// transaction (`raw` is borrowed by the result; over max_message_bytes it is refused, and only
// its first kRefusedKeptBytes are kept). IntakeMailInTx stores the message and acts on it
// inside `tx`; messages run in order, so one sees what earlier ones in the same transaction
// wrote (a redelivery of, or a reply to, an earlier message of the batch). On failure the
// caller must roll back (Store::Transact does). `now` is the intake time.
PreparedMail PrepareMail(Engine& e, std::string_view raw, std::string maildir_name = "");
PreparedMail PrepareMail(Engine& e, const MailBytes& bytes, std::string maildir_name = "");
Result<IntakeOutcome> IntakeMailInTx(Engine& e, store::Tx& tx, const PreparedMail& pm, Millis now);
// Every message of `mails`, in order, in ONE transaction (one commit, one fsync): all their
// outcomes, or the failure of the first message that failed, and then nothing is stored.
Result<std::vector<IntakeOutcome>> IntakeMailBatch(Engine& e, std::span<const PreparedMail> mails);

}  // namespace dsar::service
