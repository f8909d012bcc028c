#include "intake/intake.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/denial.h"
#include "core/json_fields.h"
#include "core/sha256.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/package/review.h"
#include "mail/message.h"
#include "workflow/loader.h"
#include "requests/engine.h"
#include "identity/agents.h"
#include "identity/codes.h"

namespace dsar::service {

namespace json = boost::json;

// ---- intake ----

namespace {

// The outcome a stored inbound message was reported with (for a Maildir file seen again).
Status EarlierOutcome(store::Tx& tx, const store::InboundRow& row, IntakeOutcome& out) {
  out.kind = row.outcome;
  out.message_row = row.id;
  out.replayed = true;
  if (row.outcome == "triage") {
    out.line = "triage " + std::to_string(row.id);
    return Status::Ok();
  }
  if (row.outcome == "ignored" || row.outcome == "refused") {
    out.line = row.outcome + ": " + row.detail;
    return Status::Ok();
  }
  if (row.request_id.empty()) {  // a redelivery of a message that went to triage
    auto first = tx.FindInboundByMessageId(row.message_id, row.content_sha256);
    if (!first.ok()) return first.status();
    out.line = "triage " + std::to_string(first->has_value() ? (*first)->id : row.id) + " (redelivery)";
    return Status::Ok();
  }
  auto r = tx.GetRequest(row.request_id);
  if (!r.ok()) return r.status();
  out.reference = r->reference;
  out.line = row.outcome == "request" ? r->reference : r->reference + " (" + row.outcome + ")";
  // A message that asked for several rights: every reference, as first reported.
  if (row.outcome == "request" && row.detail.rfind("requests ", 0) == 0) out.line = row.detail.substr(9);
  return Status::Ok();
}

}  // namespace

Result<IntakeOutcome> IntakeMail(Engine& e, std::string_view raw, const std::string& maildir_name) {
  const PreparedMail pm = PrepareMail(e, raw, maildir_name);
  auto outs = IntakeMailBatch(e, {&pm, 1});
  if (!outs.ok()) return outs.status();
  return std::move(outs->front());
}

Result<IntakeOutcome> IntakeMail(Engine& e, const MailBytes& bytes, const std::string& maildir_name) {
  const PreparedMail pm = PrepareMail(e, bytes, maildir_name);
  auto outs = IntakeMailBatch(e, {&pm, 1});
  if (!outs.ok()) return outs.status();
  return std::move(outs->front());
}

Result<std::vector<IntakeOutcome>> IntakeMailBatch(Engine& e, std::span<const PreparedMail> mails) {
  std::vector<IntakeOutcome> outs;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    outs.clear();
    const Millis now = e.clock().Now();
    for (const PreparedMail& pm : mails) {
      auto one = IntakeMailInTx(e, tx, pm, now);
      if (!one.ok()) return one.status();
      outs.push_back(std::move(one.value()));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return outs;
}

PreparedMail PrepareMail(Engine& e, std::string_view raw, std::string maildir_name) {
  PreparedMail pm;
  pm.size = static_cast<std::int64_t>(raw.size());
  pm.sha256 = Sha256Hex(raw);
  pm.over_limit = pm.size > e.config().max_message_bytes;
  pm.raw = pm.over_limit ? raw.substr(0, kRefusedKeptBytes) : raw;
  pm.maildir_name = std::move(maildir_name);
  if (!pm.over_limit) {
    auto parsed = mail::ParseMessage(raw);
    if (parsed.ok()) pm.parsed = std::move(parsed.value());
    else pm.unreadable = parsed.status().message();
  }
  return pm;
}

PreparedMail PrepareMail(Engine& e, const MailBytes& bytes, std::string maildir_name) {
  const std::string_view raw(bytes.raw);
  const bool whole = !bytes.over_limit && static_cast<std::int64_t>(raw.size()) == bytes.size;
  if (whole && bytes.sha256.empty()) return PrepareMail(e, raw, std::move(maildir_name));  // not from ReadMail
  PreparedMail pm;
  pm.size = bytes.size;
  pm.sha256 = bytes.sha256;  // ReadMail hashed every byte
  pm.over_limit = !whole || bytes.size > e.config().max_message_bytes;
  pm.raw = pm.over_limit ? raw.substr(0, kRefusedKeptBytes) : raw;
  pm.maildir_name = std::move(maildir_name);
  if (!pm.over_limit) {
    auto parsed = mail::ParseMessage(raw);
    if (parsed.ok()) pm.parsed = std::move(parsed.value());
    else pm.unreadable = parsed.status().message();
  }
  return pm;
}

Result<IntakeOutcome> IntakeMailInTx(Engine& e, store::Tx& tx, const PreparedMail& pm, Millis now) {
  const std::string_view raw = pm.raw;
  const std::string& maildir_name = pm.maildir_name;
  store::InboundRow m;
  m.maildir_name = maildir_name;
  m.sha256 = pm.sha256;
  m.size = pm.size;
  m.intake_at = now;
  m.received_at = now;
  IntakeOutcome out;
  Status s = [&]() -> Status {
    // The same Maildir file again (moved to cur/ only after this commits): nothing stored twice,
    // even without a Message-ID.
    if (!maildir_name.empty()) {
      auto seen = tx.FindInboundByMaildirName(maildir_name);
      if (!seen.ok()) return seen.status();
      if (seen->has_value() && (*seen)->sha256 == m.sha256) return EarlierOutcome(tx, **seen, out);
      if (seen->has_value()) {
        // Other bytes under a name already ingested (a delivery agent reusing a unique name):
        // another message, recorded under the name qualified by its hash, so that a crash
        // before its move is still replayed and not doubled.
        m.maildir_name = maildir_name + "#" + m.sha256.substr(0, 16);
        auto again = tx.FindInboundByMaildirName(m.maildir_name);
        if (!again.ok()) return again.status();
        if (again->has_value()) return EarlierOutcome(tx, **again, out);
      }
    }
    auto keep = [&](const std::string& outcome, const std::string& request_id, const std::string& detail) -> Status {
      m.outcome = outcome;
      m.request_id = request_id;
      m.detail = detail;
      auto id = tx.InsertInbound(m, raw);
      if (!id.ok()) return id.status();
      out.message_row = *id;
      return Status::Ok();
    };
    // Over the size limit: recorded (true size, SHA-256 of every byte, the first bytes only),
    // never parsed, never a request.
    if (pm.over_limit) {
      // Its Message-ID, for staff, when the header ends within the bytes kept.
      const std::size_t header_end = raw.find("\n\r\n") != std::string_view::npos ? raw.find("\n\r\n")
                                                                                  : raw.find("\n\n");
      if (header_end != std::string_view::npos)
        if (auto head = mail::ParseMessage(std::string(raw.substr(0, header_end + 1)) + "\r\n"); head.ok())
          m.message_id = head->message_id;
      const std::string reason = "the message is " + std::to_string(pm.size) + " bytes; the limit is " +
                                 std::to_string(e.config().max_message_bytes) + " bytes (only its first " +
                                 std::to_string(std::min<std::int64_t>(pm.size, kRefusedKeptBytes)) +
                                 " bytes are kept)";
      if (Status st = keep("refused", "", reason); !st.ok()) return st;
      out.kind = "refused";
      out.line = "refused: " + reason;
      return Status::Ok();
    }
    if (!pm.parsed) {
      if (Status st = keep("triage", "", "unreadable: " + pm.unreadable); !st.ok()) return st;
      out.kind = "triage";
      out.line = "triage " + std::to_string(out.message_row);
      return Status::Ok();
    }
    const mail::ParsedMessage& p = *pm.parsed;
    m.message_id = p.message_id;
    m.content_sha256 = Sha256Hex((p.from ? NormalizeEmail(p.from->email) : std::string()) + "\n" + p.subject + "\n" +
                                 (p.date ? FormatRfc3339(*p.date) : std::string()) + "\n" + p.text);
    if (p.received_at && *p.received_at <= now) m.received_at = *p.received_at;

    // The same message delivered again (contract — duplicates): one message, no new request.
    // Without a Message-ID, only the very same bytes are the same message.
    {
      auto seen = p.message_id.empty() ? tx.FindInboundBySha256(m.sha256)
                                       : tx.FindInboundByMessageId(p.message_id, m.content_sha256);
      if (!seen.ok()) return seen.status();
      if (seen->has_value()) {
        const store::InboundRow& first = **seen;
        if (Status st = keep("redelivery", first.request_id, "same Message-ID as message " + std::to_string(first.id));
            !st.ok())
          return st;
        out.kind = "redelivery";
        if (!first.request_id.empty()) {
          auto r = tx.GetRequest(first.request_id);
          if (!r.ok()) return r.status();
          out.reference = r->reference;
          out.line = r->reference + " (redelivery)";
        } else {
          out.line = first.outcome == "ignored" ? "ignored: " + first.detail + " (redelivery)"
                                                : "triage " + std::to_string(first.id) + " (redelivery)";
        }
        return Status::Ok();
      }
    }

    // Machine-generated mail (bounces, auto-replies, read receipts, reports, list mail) is kept
    // and marked, never a request and never answered — not even when it quotes our mail.
    if (auto machine = mail::MachineGenerated(p)) {
      std::string linked;
      std::vector<std::string> refs = p.references;
      if (!p.in_reply_to.empty()) refs.insert(refs.begin(), p.in_reply_to);
      for (const std::string& mid : refs) {
        auto rid = tx.RequestForMessageId(mid);
        if (!rid.ok()) return rid.status();
        if (rid->has_value()) {
          linked = **rid;
          break;
        }
      }
      if (Status st = keep("ignored", linked, *machine); !st.ok()) return st;
      out.kind = "ignored";
      out.line = "ignored: " + *machine;
      return Status::Ok();
    }

    // A reply to our mail joins its request.
    std::optional<store::RequestRow> joined;
    std::vector<std::string> ids = p.references;
    if (!p.in_reply_to.empty()) ids.insert(ids.begin(), p.in_reply_to);
    for (const std::string& mid : ids) {
      auto rid = tx.RequestForMessageId(mid);
      if (!rid.ok()) return rid.status();
      if (rid->has_value()) {
        auto r = tx.GetRequest(**rid);
        if (!r.ok()) return r.status();
        joined = std::move(r.value());
        break;
      }
    }
    if (!joined) {
      const std::string ref = mail::FindReference(p.subject);
      if (!ref.empty()) {
        auto r = tx.GetRequest(ref);
        if (r.ok()) joined = std::move(r.value());
        else if (!r.status().IsNotFound()) return r.status();
      }
    }
    if (joined) {
      // A reply to a closed request cannot change it: it waits in the triage queue, linked to the
      // request, for staff to answer (a new request, a question about the answer, an appeal).
      if (IsFinalState(joined->state)) {
        if (Status st = keep("triage", joined->id,
                             "a reply to " + joined->reference + ", which is closed (" + joined->state + ")");
            !st.ok())
          return st;
        out.kind = "triage";
        out.reference = joined->reference;
        out.line = "triage " + std::to_string(out.message_row);
        return Status::Ok();
      }
      std::string detail = "reply";
      const std::string code = mail::FindVerificationCode(p.fresh_text);
      bool accepted = false;
      if (!code.empty()) {
        Status refusal;
        if (Status st = VerifyCodeInTx(e, tx, *joined, code, "requester", refusal); !st.ok()) return st;
        accepted = refusal.ok();
        detail = accepted ? "verification code accepted" : "verification code refused: " + refusal.message();
      }
      if (Status st = keep("reply", joined->id, detail); !st.ok()) return st;
      // Whatever the requester wrote beyond an accepted code ("any update?", a second wish, a
      // refused code) is a note for staff in the request's history.
      // The code itself never goes into the history (used or not, it is a secret), in whatever
      // spacing it was written ("461 944", "461-944"): "[code]".
      std::string text = p.fresh_text;
      if (!code.empty()) {
        std::string pattern;
        for (char d : code) pattern += (pattern.empty() ? "" : "[\\s.\\-]*") + std::string(1, d);
        text = std::regex_replace(text, std::regex(pattern), "[code]");
      }
      // Any other group of exactly six digits (a code in a shape not read as one, "14-67-51", or a
      // mistyped one) is masked too: it may be a live code. Longer groups (phone numbers) stay.
      {
        static const std::regex kDigitGroup("[0-9](?:[ .\\-]?[0-9])*");
        std::string masked;
        std::size_t from = 0;
        for (std::sregex_iterator it(text.begin(), text.end(), kDigitGroup), end; it != end; ++it) {
          const std::string group = it->str();
          if (std::count_if(group.begin(), group.end(), [](unsigned char ch) { return std::isdigit(ch); }) != 6)
            continue;
          masked.append(text, from, static_cast<std::size_t>(it->position()) - from);
          masked += "[code]";
          from = static_cast<std::size_t>(it->position() + it->length());
        }
        text = masked + text.substr(from);
      }
      // More than a code ("My code is …", "Here is my code: …") is kept for staff: a question, or
      // more than five words beside the code (a second wish, "any update?").
      std::string rest = text;
      for (std::size_t at = rest.find("[code]"); at != std::string::npos; at = rest.find("[code]")) rest.erase(at, 6);
      std::istringstream words(rest);
      int word_count = 0;
      for (std::string w; words >> w;)
        if (std::any_of(w.begin(), w.end(), [](unsigned char ch) { return std::isalpha(ch) || ch >= 0x80; })) ++word_count;
      const bool more = word_count > 5 || rest.find('?') != std::string::npos || rest.find("\uFF1F") != std::string::npos;
      if (!accepted || more) {
        bool cut = false;
        Event note;
        note.name = "message_received";
        note.actor = "requester";
        note.data["inbound_message"] = out.message_row;
        note.data["mail_subject"] = Utf8Prefix(p.subject, 500, cut);
        note.data["note"] = Utf8Prefix(text, 2000, cut);
        if (cut) note.data["note_truncated"] = true;
        if (!code.empty()) note.data["code"] = detail;  // the outcome, never the code itself
        auto fresh = tx.GetRequest(joined->id);  // a verified code moved the request on
        if (!fresh.ok()) return fresh.status();
        store::RequestRow row = std::move(fresh.value());
        if (Status a = e.ApplyInTx(tx, row, note, std::nullopt); !a.ok() && !a.IsRefused()) return a;
      }
      out.kind = "reply";
      out.reference = joined->reference;
      out.line = joined->reference + " (reply)";
      return Status::Ok();
    }

    mail::Classification c = mail::Classify(p);
    if (c.outcome == mail::Classification::Outcome::kRequest && !IsValidEmail(c.subject.email)) {
      c.outcome = mail::Classification::Outcome::kTriage;
      c.reason = "the data subject's address is not a usable email address";
    }
    if (c.outcome == mail::Classification::Outcome::kRequest && e.IsOwnAddress(c.subject.email)) {
      c.outcome = mail::Classification::Outcome::kTriage;  // never answer ourselves (a loop, or a spoof)
      c.reason = "the data subject's address is the controller's own";
    }
    if (c.outcome != mail::Classification::Outcome::kRequest || !c.type || c.subject.email.empty()) {
      if (Status st = keep("triage", "", c.reason.empty() ? "not a recognisable request" : c.reason); !st.ok())
        return st;
      out.kind = "triage";
      out.line = "triage " + std::to_string(out.message_row);
      return Status::Ok();
    }
    // One request per right asked for, in the order written, all from this message row (kept
    // first, so each request's details carry its id); the row links the first.
    if (Status st = keep("request", "", ""); !st.ok()) return st;
    std::vector<RequestType> types = c.types;
    if (types.empty()) types.push_back(*c.type);
    CreateRequestInput in;
    in.jurisdiction = c.jurisdiction_hint;
    in.subject = c.subject;
    in.requester = c.requester;
    in.channel = "email";
    in.received_at = m.received_at;
    in.language = c.language;
    in.actor = "intake";
    in.details["message_id"] = p.message_id;
    in.details["mail_subject"] = p.subject.size() > 500 ? p.subject.substr(0, 500) + "…" : p.subject;
    if (p.date) in.details["mail_date"] = FormatRfc3339(*p.date);
    if (!c.jurisdiction_hint.empty()) in.details["jurisdiction_hint"] = c.jurisdiction_hint;
    in.details["inbound_message"] = out.message_row;
    std::string first_id;
    std::vector<std::string> refs;
    for (RequestType t : types) {
      in.type = std::string(RequestTypeName(t));
      if (types.size() > 1) in.details["rights_in_message"] = static_cast<std::int64_t>(types.size());
      auto created = e.CreateInTx(tx, in, now);
      if (!created.ok()) return created.status();
      if (first_id.empty()) {
        first_id = created->id;
        out.reference = created->reference;
      }
      refs.push_back(created->reference);
    }
    std::string line;
    for (const std::string& ref : refs) line += (line.empty() ? "" : " ") + ref;
    if (Status st = tx.SetInboundOutcome(out.message_row, "request", first_id,
                                         refs.size() > 1 ? "requests " + line : std::string());
        !st.ok())
      return st;
    out.kind = "request";
    out.line = line;
    return Status::Ok();
  }();
  if (!s.ok()) return s;
  return out;
}

}  // namespace dsar::service
