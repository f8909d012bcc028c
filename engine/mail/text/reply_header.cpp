#include "mail/text/reply_header.h"

#include <algorithm>
#include <cstring>

#include "mail/text/fold.h"
#include "mail/text/utf8.h"

namespace dsar::mail::text {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = nl + 1;
  }
  return lines;
}

std::string FoldedLine(std::string_view line) { return FoldForMatching(Trim(line)); }

std::string_view StripChars(std::string_view s, std::string_view chars) {
  while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  while (!s.empty() && chars.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return s;
}

// "-----Original Message-----" and its translations (folded input).
bool IsOriginalSeparator(std::string_view f) {
  if (!(StartsWith(f, "--") || StartsWith(f, "__") || StartsWith(f, "=="))) return false;
  const std::string_view core = StripChars(f, "-_= ");
  static const char* const kNames[] = {"original message", "ursprungliche nachricht", "originalnachricht",
                                       "message d'origine", "message original", "mensaje original",
                                       "messaggio originale", "messaggio originale", "oorspronkelijk bericht",
                                       "origineel bericht", "oorspronkelijk bericht", "mensagem original",
                                       "reply message", "original-nachricht", "元のメッセージ", "元メッセージ",
                                       "オリジナルメッセージ", "オリジナル メッセージ", "返信元メッセージ"};
  for (const char* n : kNames) {
    if (core == n) return true;
  }
  return false;
}

bool HasHeaderKey(std::string_view f, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const std::size_t n = std::strlen(k);
    if (f.size() > n && f.compare(0, n, k) == 0) {
      std::size_t j = n;
      while (j < f.size() && f[j] == ' ') ++j;
      if (j < f.size() && f[j] == ':') return true;
    }
  }
  return false;
}

bool IsFromKey(std::string_view f) {
  return HasHeaderKey(f, {"from", "von", "de", "da", "van", "fra", "od", "remitente", "expediteur", "mittente",
                          "差出人"});
}

namespace {

bool IsSentKey(std::string_view f) {
  return HasHeaderKey(f, {"sent", "date", "gesendet", "datum", "envoye", "date d'envoi", "enviado", "fecha",
                          "inviato", "data", "verzonden", "verstuurd", "enviada", "sendt", "送信日時", "送信日",
                          "日付", "日時"});
}

}  // namespace

// An Outlook-style quoted header block: a From: line with a Sent:/Date: line within the
// next four lines (the To:/Subject: lines come in any order).
bool IsOutlookBlockStart(const std::vector<std::string_view>& lines, std::size_t i) {
  std::string f = FoldedLine(lines[i]);
  // Outlook writes "*From:*" in the text version of HTML mail.
  while (!f.empty() && f.front() == '*') f.erase(0, 1);
  if (!IsFromKey(f)) return false;
  for (std::size_t k = i + 1; k < lines.size() && k <= i + 4; ++k) {
    std::string g = FoldedLine(lines[k]);
    while (!g.empty() && g.front() == '*') g.erase(0, 1);
    if (IsSentKey(g)) return true;
  }
  return false;
}

// "On <date>, <name> wrote:" and its translations, possibly wrapped over up to 3 lines.
bool IsWroteLine(const std::vector<std::string_view>& lines, std::size_t i) {
  static const char* const kVerbs[] = {"wrote",    "schrieb", "a ecrit", "escribio", "ha scritto",
                                       "scrisse",  "schreef", "escreveu", "skrev",   "napisal",
                                       "kirjoitti", "wrote on", "ecrivait", "のメール"};
  std::string joined;
  for (std::size_t k = i; k < lines.size() && k < i + 3; ++k) {
    const std::string f = FoldedLine(lines[k]);
    if (k > i && f.empty()) break;
    // An attribution line does not end a sentence before its "wrote:".
    if (k > i && !joined.empty() && std::strchr(".!?", joined.back()) != nullptr) return false;
    if (!joined.empty()) joined += ' ';
    joined += f;
    if (joined.size() > 400) return false;
    if (!joined.empty() && joined.back() == ':') {
      // Thunderbird in Japanese: "山田太郎 さんは書きました:", without a date.
      if (joined.size() > 16 && joined.compare(joined.size() - 16, 16, "書きました:") == 0) return true;
      bool verb = false;
      for (const char* v : kVerbs) {
        if (Contains(joined, v)) verb = true;
      }
      // Gmail writes "<date> <name> <addr>:" with no verb in some languages (Japanese:
      // "2026年11月20日(金) 10:00 山田太郎 <yamada@example.com>:"): a year and an address in angle
      // brackets right before the colon.
      if (!verb && joined.size() >= 2 && joined.compare(joined.size() - 2, 2, ">:") == 0 && Contains(joined, "@")) {
        int run = 0;
        for (char c : joined) {
          run = (c >= '0' && c <= '9') ? run + 1 : 0;
          if (run == 4) return true;
        }
      }
      if (!verb) return false;
      const bool has_digit = std::any_of(joined.begin(), joined.end(), [](char c) { return c >= '0' && c <= '9'; });
      return has_digit || Contains(joined, "@") || StartsWith(joined, "on ") || StartsWith(joined, "am ") ||
             StartsWith(joined, "le ") || StartsWith(joined, "el ") || StartsWith(joined, "il ") ||
             StartsWith(joined, "op ") || StartsWith(joined, "em ");
    }
  }
  return false;
}

}  // namespace dsar::mail::text
