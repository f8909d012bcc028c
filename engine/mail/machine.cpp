// MachineGenerated: mail that no person wrote (issue 4, item 3 "Not a request").
//
// The danger is a loop or a false request: a bounce of our own acknowledgment quotes our text
// ("your request to delete your data ..."), an auto-reply answers it, a newsletter ends with
// "unsubscribe". Such mail is recorded as ignored with the reason, never classified and never
// answered. The decision rests on headers and the MIME structure only; body text is never read,
// so a person who quotes a bounce, or writes that they got an "automatic reply", is a person.
//
// Rules, first match wins (the order only chooses the reason; any match ignores the message):
//
//  1. Reports (RFC 6522): a multipart/report root, by report-type: delivery-status (DSN, RFC 3464),
//     disposition-notification (MDN, RFC 8098), feedback-report (ARF, RFC 5965), any other type.
//     A message/delivery-status, message/disposition-notification or message/feedback-report part
//     (or their message/global-* forms) outside an attached message counts as well: some MTAs wrap
//     it in multipart/mixed. Parts inside an attached message/rfc822 are not looked at, so a person
//     who forwards a bounce as an attachment is still a person.
//  2. X-MS-Exchange-Message-Is-Ndr (any value, even empty): Exchange stamps it on its NDRs only.
//  3. TNEF read receipts: an application/ms-tnef root whose subject starts "Read:", "Not read:" or
//     a translation. Outlook sends receipts this way to Exchange peers; the TNEF root alone is not
//     enough (Outlook can send a person's rich-text mail as TNEF).
//  4. Bounces that are not reports (Gmail, Exim, qmail): a From local part "mailer-daemon" or
//     "postmaster" (the RFC 5321 sender of DSNs; people write DSARs from their own mailbox), a From
//     display name "Mail Delivery Subsystem" / "Mail Delivery System", X-Failed-Recipients (Exim,
//     Gmail), or a bounce subject ("Delivery Status Notification", "Undeliverable:", "Undelivered
//     Mail Returned to Sender", "Mail delivery failed", "failure notice", "Returned mail:" and the
//     Exchange translations). Subjects match at the start only, after [tags] but not after
//     Re:/Fwd:, so a person's "Re: Undeliverable: ..." or "Fwd: Delivery Status Notification" is
//     a person.
//  5. Auto-Submitted (RFC 3834) with a keyword other than "no": auto-replied, auto-generated,
//     auto-notified or any extension. An empty value is malformed and not taken as a signal.
//  6. Outlook/Exchange automatic replies, which carry no Auto-Submitted: a subject starting
//     "Automatic reply:" or a translation (Automatische Antwort, Réponse automatique, Respuesta
//     automática, Risposta automatica, Automatisch antwoord, Resposta automática, Automatyczna
//     odpowiedź, 自動応答, Autosvar, ...) or "Out of Office:"; or X-MS-Exchange-Inbox-Rules-Loop
//     together with X-Auto-Response-Suppress. Neither header is enough alone: Exchange sets
//     Inbox-Rules-Loop on mail redirected or forwarded by an inbox rule too (a company's info@
//     forwarding a person's request to the privacy mailbox), and X-Auto-Response-Suppress is a
//     sender's wish that ticketing tools and some clients put on mail people wrote.
//     Japanese auto-responders (ticketing systems, Notes, mail servers) that set no header mark the
//     subject instead: a leading tag 【自動返信】, [自動応答], ［自動送信］, 【不在のお知らせ】 (after
//     other [tags], never after Re:/Fwd:), or a subject that is or starts "不在通知" followed by a
//     blank, a colon or a bracket ("不在通知について質問です" is a person).
//  7. Other auto-responders: X-Autoreply, X-Autorespond, X-Autoresponder (any value but "no"),
//     Precedence: auto_reply.
//  8. Precedence: bulk, junk or list (RFC 3834 §3.1.8 / RFC 2076: never answered).
//  9. List-Id, List-Post or List-Unsubscribe (RFC 2369, RFC 2919, RFC 8058): list and marketing
//     mail. People's own mail never carries them; note for operators: a web form relayed through a
//     sending service must not add List-Unsubscribe, or its requests are ignored.
// 10. An empty Return-Path (<>): the null reverse-path of RFC 5321 §4.5.5, used only by DSNs,
//     MDNs and auto-replies. An absent Return-Path is not a signal (a pipe transport may not add it).
//
// Not signals, on purpose: "noreply" senders (our own web form relays from one), X-Mailer, body
// text, Sender, Reply-To, the Japanese and ISO-2022 subjects of ordinary mail.
#include <algorithm>
#include <initializer_list>

#include "mail/message.h"
#include "mail/text/fold.h"
#include "mail/text/utf8.h"

namespace dsar::mail {
namespace {

using text::AsciiLower;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

using text::TrimBlanks;

bool HasHeader(const ParsedMessage& m, std::string_view name) { return HeaderValue(m, name).has_value(); }

// The first word of a header value, lower case ("Yes (vacation)" -> "yes").
std::string FirstWord(std::string_view v) {
  v = TrimBlanks(v);
  std::string out;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == ';' || c == '(' || c == ',') break;
    out += AsciiLower(c);
  }
  return out;
}

// The subject folded for matching, without leading "[tag]" prefixes ("[EXTERNAL] ..."). Reply
// and forward prefixes are kept: "Re: Automatic reply: ..." is a person answering one.
std::string SubjectForMatching(std::string_view subject) {
  const std::string folded = FoldForMatching(subject);
  std::string_view s = TrimBlanks(folded);
  for (int guard = 0; guard < 4 && !s.empty() && s.front() == '['; ++guard) {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos) break;
    s = TrimBlanks(s.substr(close + 1));
  }
  return std::string(s);
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// True when the folded subject starts with one of `keys` (folded too). A key ending in ':' must be
// followed by a colon, blanks allowed before it (French "Réponse automatique :") and a full-width
// colon accepted (Japanese, Chinese); any other key must end at a word boundary.
bool SubjectStartsWith(std::string_view subject, std::initializer_list<const char*> keys) {
  for (const char* key_text : keys) {
    std::string key = FoldForMatching(key_text);
    const bool colon = !key.empty() && key.back() == ':';
    if (colon) key.pop_back();
    while (!key.empty() && key.back() == ' ') key.pop_back();
    if (subject.size() < key.size() || subject.substr(0, key.size()) != key) continue;
    std::string_view rest = subject.substr(key.size());
    if (!colon) {
      if (rest.empty() || !IsAsciiAlnum(rest.front())) return true;
      continue;
    }
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (!rest.empty() && rest.front() == ':') return true;
    if (rest.substr(0, 3) == "\xEF\xBC\x9A") return true;  // U+FF1A FULLWIDTH COLON
  }
  return false;
}

std::string LocalPart(std::string_view email) {
  std::string local(email.substr(0, email.rfind('@')));
  std::transform(local.begin(), local.end(), local.begin(), AsciiLower);
  return local;
}

std::optional<std::string> Report(const ParsedMessage& m) {
  if (m.content_type == "multipart/report") {
    if (m.report_type == "delivery-status" || m.report_type == "global-delivery-status")
      return "delivery status notification";
    if (m.report_type == "disposition-notification" || m.report_type == "global-disposition-notification")
      return "read receipt (MDN)";
    if (m.report_type == "feedback-report") return "abuse report (ARF)";
    return "automatic report (multipart/report)";
  }
  for (const std::string& t : m.part_types) {
    if (t == "message/delivery-status" || t == "message/global-delivery-status")
      return "delivery status notification";
    if (t == "message/disposition-notification" || t == "message/global-disposition-notification")
      return "read receipt (MDN)";
    if (t == "message/feedback-report") return "abuse report (ARF)";
  }
  return std::nullopt;
}

std::optional<std::string> Bounce(const ParsedMessage& m, std::string_view subject) {
  if (m.from) {
    const std::string local = LocalPart(m.from->email);
    if (local == "mailer-daemon" || local == "mailerdaemon" || local == "mail-daemon" || local == "postmaster")
      return "delivery status notification (bounce sender)";
    const std::string name(TrimBlanks(FoldForMatching(m.from->name)));
    if (name == "mail delivery subsystem" || name == "mail delivery system")
      return "delivery status notification (bounce sender)";
  }
  if (HasHeader(m, "X-Failed-Recipients")) return "delivery status notification (X-Failed-Recipients)";
  if (SubjectStartsWith(subject, {"Delivery Status Notification", "Undelivered Mail Returned to Sender",
                                  "Undeliverable:", "Undeliverable mail", "Undelivered mail:",
                                  "Mail delivery failed", "Mail delivery failure", "Delivery failure",
                                  "Delivery failed", "failure notice", "Returned mail:", "Non-delivery report",
                                  "Delayed Mail (still being retried)", "Warning: could not send message",
                                  "Unzustellbar:", "Nicht zustellbar:", "Non remis :", "No se puede entregar:",
                                  "Non recapitabile:", "Onbestelbaar:", "Não é possível entregar:",
                                  "Niedostarczalne:", "配信不能:"}))
    return "delivery status notification (bounce subject)";
  return std::nullopt;
}

std::optional<std::string> AutoSubmitted(const ParsedMessage& m) {
  const std::string& k = m.auto_submitted;
  if (k.empty() || k == "no") return std::nullopt;
  if (k == "auto-replied") return "auto-reply (Auto-Submitted: auto-replied)";
  if (k == "auto-generated") return "automatic message (Auto-Submitted: auto-generated)";
  if (k == "auto-notified") return "automatic message (Auto-Submitted: auto-notified)";
  return "automatic message (Auto-Submitted)";  // an extension keyword: not echoed
}

std::optional<std::string> OutlookAutoReply(const ParsedMessage& m, std::string_view subject) {
  if (SubjectStartsWith(subject, {"Automatic reply:", "Auto reply:", "Auto-reply:", "Autoreply:",
                                  "Automatic response:", "Auto response:", "Auto-response:",
                                  "Out of Office:", "Out of Office AutoReply:", "Automatische Antwort:",
                                  "Abwesenheitsnotiz:", "Réponse automatique:", "Respuesta automática:",
                                  "Risposta automatica:", "Automatisch antwoord:", "Resposta automática:",
                                  "Automatyczna odpowiedź:", "Autosvar:", "Automatisk svar:",
                                  "Automaattinen vastaus:", "Automatická odpověď:", "Automatikus válasz:",
                                  "Otomatik yanıt:", "Автоматический ответ:", "Автоматична відповідь:",
                                  "自動応答:", "自動返信:", "自动回复:", "自動回覆:", "자동 회신:"}))
    return "Outlook automatic reply";
  if (HasHeader(m, "X-MS-Exchange-Inbox-Rules-Loop") && HasHeader(m, "X-Auto-Response-Suppress"))
    return "Outlook automatic reply (X-MS-Exchange-Inbox-Rules-Loop)";
  return std::nullopt;
}

// Rule 6, Japanese subject tags (see the file comment). `subject` is folded (full-width brackets
// and colons are ASCII) with its [tags] still in place.
std::optional<std::string> JapaneseAutoReply(std::string_view folded_subject) {
  static constexpr std::string_view kWords[] = {"自動返信", "自動応答", "自動送信", "自動配信", "自動通知",
                                                "不在通知", "不在のお知らせ", "不在連絡", "不在のご連絡"};
  std::string_view s = TrimBlanks(folded_subject);
  for (int guard = 0; guard < 4 && !s.empty(); ++guard) {
    std::string_view close;
    std::size_t open = 0;
    if (s.front() == '[') {
      close = "]";
      open = 1;
    } else if (s.substr(0, 3) == "【") {
      close = "】";
      open = 3;
    } else {
      break;
    }
    const std::size_t end = s.find(close, open);
    if (end == std::string_view::npos) break;
    const std::string_view tag = TrimBlanks(s.substr(open, end - open));
    for (std::string_view w : kWords) {
      if (tag.substr(0, w.size()) == w) return "auto-reply (subject)";
    }
    s = TrimBlanks(s.substr(end + close.size()));
  }
  static constexpr std::string_view kAbsence = "不在通知";
  if (s.substr(0, kAbsence.size()) == kAbsence) {
    const std::string_view rest = s.substr(kAbsence.size());
    if (rest.empty() || rest.front() == ' ' || rest.front() == ':' || rest.front() == '(' ||
        rest.substr(0, 3) == "【" || rest.substr(0, 3) == "「")
      return "auto-reply (subject)";
  }
  return std::nullopt;
}

std::optional<std::string> OtherAutoResponder(const ParsedMessage& m) {
  for (const char* h : {"X-Autoreply", "X-Autorespond", "X-Autoresponder"}) {
    if (auto v = HeaderValue(m, h); v && FirstWord(*v) != "no") return std::string("auto-reply (") + h + ")";
  }
  if (m.precedence == "auto_reply" || m.precedence == "auto-reply") return "auto-reply (Precedence: auto_reply)";
  return std::nullopt;
}

std::optional<std::string> BulkOrList(const ParsedMessage& m) {
  if (m.precedence == "bulk") return "bulk mail (Precedence: bulk)";
  if (m.precedence == "junk") return "bulk mail (Precedence: junk)";
  if (m.precedence == "list") return "mailing list (Precedence: list)";
  for (const char* h : {"List-Id", "List-Post", "List-Unsubscribe"}) {
    if (HasHeader(m, h)) return std::string("mailing list (") + h + ")";
  }
  return std::nullopt;
}

bool NullSender(const ParsedMessage& m) {
  std::string rp;
  for (char c : m.return_path) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') rp += c;
  }
  return rp == "<>";
}

}  // namespace

std::optional<std::string> HeaderValue(const ParsedMessage& m, std::string_view name) {
  for (const auto& [n, v] : m.headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

std::optional<std::string> MachineGenerated(const ParsedMessage& m) {
  const std::string subject = SubjectForMatching(m.subject);
  if (auto r = Report(m)) return r;
  if (HasHeader(m, "X-MS-Exchange-Message-Is-Ndr")) return "delivery status notification (Exchange NDR)";
  if ((m.content_type == "application/ms-tnef" || m.content_type == "application/vnd.ms-tnef") &&
      SubjectStartsWith(subject, {"Read:", "Not read:", "Gelesen:", "Nicht gelesen:", "Lu :", "Non lu :",
                                  "Leído:", "No leído:", "Letto:", "Non letto:", "Gelezen:", "Niet gelezen:",
                                  "Lido:", "Não lido:", "Przeczytano:", "Przeczytane:", "Läst:", "開封済み:"}))
    return "read receipt (TNEF)";
  if (auto r = Bounce(m, subject)) return r;
  if (auto r = AutoSubmitted(m)) return r;
  if (auto r = OutlookAutoReply(m, subject)) return r;
  if (auto r = JapaneseAutoReply(FoldForMatching(m.subject))) return r;
  if (auto r = OtherAutoResponder(m)) return r;
  if (auto r = BulkOrList(m)) return r;
  if (NullSender(m)) return "null sender";
  return std::nullopt;
}

}  // namespace dsar::mail
