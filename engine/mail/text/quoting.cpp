#include "mail/text/quoting.h"

#include <algorithm>
#include <cstdint>

#include "mail/text/forward.h"
#include "mail/text/fold.h"
#include "mail/text/reply_header.h"
#include "mail/text/utf8.h"

namespace dsar::mail {
namespace {

using namespace text;

bool IsSignatureSeparator(std::string_view line) {
  std::string_view l = line;
  while (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l == "-- " || l == "--" || l == "—" || l == "-- \t";
}

bool IsMobileSignature(std::string_view line) {
  const std::string f = FoldedLine(line);
  if (f.empty() || f.size() > 70) return false;
  static const char* const kPrefixes[] = {
      "sent from my ",        "sent from mail for windows", "sent from outlook", "get outlook for ",
      "sent via ",            "von meinem ",                "gesendet von meinem", "gesendet mit ",
      "envoye de mon ",       "envoye depuis mon ",         "envoye a partir de", "enviado desde mi ",
      "enviado de mi ",       "enviado desde ",             "inviato da ",        "inviato dal mio ",
      "verzonden vanaf mijn ", "verstuurd vanaf mijn ",     "verzonden met ",     "enviado do meu ",
      "enviado de meu ",      "enviado do ",                "obtenir outlook pour ", "outlook voor "};
  for (const char* p : kPrefixes) {
    if (StartsWith(f, p)) return true;
  }
  // Japanese: "iPhoneから送信", "Android から送信", "Outlook for iOS から送信".
  static constexpr std::string_view kSentFromJa = "から送信";
  return f.size() > kSentFromJa.size() && f.size() <= 60 &&
         f.compare(f.size() - kSentFromJa.size(), kSentFromJa.size(), kSentFromJa) == 0;
}

bool IsQuoted(std::string_view line) {
  std::string_view l = line;
  while (!l.empty() && (l.front() == ' ')) l.remove_prefix(1);
  return !l.empty() && (l.front() == '>' || StartsWith(l, "\xEF\xBC\x9E"));  // '>' or U+FF1E '＞'
}

// A rule line Japanese mail draws around a signature: at least five characters, all from box
// drawing ("─", "━", "═"), the horizontal bar "―", full-width "＝＊＿－～", "ー", "〜", geometric
// shapes ("■□◆◇") and stars, optionally mixed with ASCII "-=*_~" and blanks. An ASCII-only rule
// (or one of em dashes) is not one: it keeps its old meaning, a separator before an Outlook block.
bool IsJapaneseRuleLine(std::string_view line) {
  const std::string_view t = Trim(line);
  int chars = 0;
  bool wide = false;
  for (std::size_t i = 0; i < t.size();) {
    std::size_t len = 0;
    const std::uint32_t cp = CodePointAt(t, i, len);
    i += len;
    ++chars;
    if (cp == '-' || cp == '=' || cp == '*' || cp == '_' || cp == '~' || cp == ' ' || cp == 0x3000) continue;
    if ((cp >= 0x2500 && cp <= 0x257F) || (cp >= 0x25A0 && cp <= 0x25FF) || cp == 0x2015 ||
        cp == 0x2605 || cp == 0x2606 || cp == 0xFF1D || cp == 0xFF0A || cp == 0xFF3F || cp == 0xFF0D ||
        cp == 0x30FC || cp == 0xFF5E || cp == 0x301C) {
      wide = true;
      continue;
    }
    return false;
  }
  return wide && chars >= 5;
}

// Contact details that mark a block as a signature (folded line).
bool HasContactMarker(std::string_view f) {
  static const char* const kMarkers[] = {"@",    "http", "www.", "tel",      "fax",      "〒",       "電話",
                                         "携帯", "(株)", "㈱",   "株式会社", "有限会社", "合同会社"};
  for (const char* m : kMarkers) {
    if (Contains(f, m)) return true;
  }
  return false;
}

bool IsSeparatorLine(std::string_view line) {
  const std::string_view t = Trim(line);
  if (t.size() < 5) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return c == '_' || c == '-' || c == '=' || c == '*'; });
}

// A Japanese rule line (IsJapaneseRuleLine) at lines[i] that starts the signature: the lines
// after it, up to the end or the first reply header, quote or forward, are at most twelve
// non-blank ones with contact details (an address, a URL, "TEL", "〒", "株式会社", ...), or at
// most three short ones closed by another rule, without a sentence end or a colon. A rule
// between two parts of a request ("━━━ 請求内容 ━━━" followed by more text) is not a signature.
bool IsJapaneseSignatureRule(const std::vector<std::string_view>& lines, std::size_t i) {
  if (!IsJapaneseRuleLine(lines[i])) return false;
  int count = 0;
  bool contact = false;
  bool closed = false;       // the last non-blank line of the block is a rule
  bool sentence = false;     // a line with "。" or a colon
  for (std::size_t k = i + 1; k < lines.size(); ++k) {
    const std::string_view line = lines[k];
    if (Trim(line).empty()) continue;
    if (IsQuoted(line) || IsForwardMarker(line) || IsWroteLine(lines, k) || IsOutlookBlockStart(lines, k) ||
        IsOriginalSeparator(FoldedLine(line)))
      break;
    if (IsJapaneseRuleLine(line)) {
      closed = true;
      continue;
    }
    closed = false;
    const std::string f = FoldedLine(line);
    if (++count > 12) return false;
    contact = contact || HasContactMarker(f);
    sentence = sentence || Contains(line, "。") || Contains(f, ":") || f.size() > 60;
  }
  return count > 0 && (contact || (closed && count <= 3 && !sentence));
}

}  // namespace

std::string ExtractFreshText(std::string_view text, bool subject_is_forward) {
  const std::vector<std::string_view> lines = SplitLines(text);
  // The index of the next forward marker at or after `from`, or lines.size().
  auto next_forward = [&](std::size_t from) {
    for (std::size_t k = from; k < lines.size(); ++k) {
      if (IsQuoted(lines[k])) continue;
      if (IsForwardMarker(lines[k])) return k;
      if (IsWroteLine(lines, k)) break;
    }
    return lines.size();
  };

  std::vector<std::string_view> out;
  bool in_fwd_header = false;
  bool fwd_header_seen = false;  // a non-blank line of the forwarded header block
  bool forward_allowance = subject_is_forward;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (in_fwd_header) {
      out.push_back(line);
      if (!Trim(line).empty()) fwd_header_seen = true;
      else if (fwd_header_seen) in_fwd_header = false;
      continue;
    }
    if (IsForwardMarker(line)) {
      out.push_back(line);
      in_fwd_header = true;
      fwd_header_seen = false;
      forward_allowance = false;
      continue;
    }
    const std::string f = FoldedLine(line);
    const bool original = IsOriginalSeparator(f);
    const bool outlook = IsOutlookBlockStart(lines, i);
    if (forward_allowance && (original || outlook)) {
      // The subject says this is a forward: the first header block is the forwarded one.
      forward_allowance = false;
      out.push_back(line);
      in_fwd_header = true;
      fwd_header_seen = outlook;
      continue;
    }
    if (original || outlook || IsWroteLine(lines, i)) break;
    if (IsQuoted(line)) continue;
    if (IsSignatureSeparator(line) || IsMobileSignature(line) || IsJapaneseSignatureRule(lines, i)) {
      // A signature ends the fresh text, unless an inline forward follows it.
      const std::size_t fwd = next_forward(i + 1);
      if (fwd == lines.size()) break;
      i = fwd - 1;
      continue;
    }
    out.push_back(line);
  }
  // Trailing blank and separator lines ("____" before an Outlook block) are noise.
  while (!out.empty() && (Trim(out.back()).empty() || IsSeparatorLine(out.back()))) out.pop_back();
  std::string result;
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (k) result += '\n';
    result.append(out[k]);
  }
  return result;
}

}  // namespace dsar::mail
