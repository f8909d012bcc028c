#include "mail/text/forward.h"

#include "mail/text/address.h"
#include "mail/text/fold.h"
#include "mail/text/reply_header.h"
#include "mail/text/utf8.h"

namespace dsar::mail {
namespace {

using namespace text;

const char* const kRe[] = {"re", "aw", "sv", "antw", "r", "ref", "res", "返信"};

bool IsSubjectKey(std::string_view f) {
  return HasHeaderKey(f, {"subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "assunto", "emne",
                          "件名"});
}

// "Name [mailto:x@y]" (Outlook) -> "Name <x@y>".
std::string OutlookMailtoToAngle(std::string_view v) {
  std::string s(v);
  const std::string folded = FoldForMatching(s);
  const auto at = folded.find("[mailto:");
  if (at != std::string::npos && folded.size() == s.size()) {
    const auto close = s.find(']', at);
    const std::string addr = s.substr(at + 8, (close == std::string::npos ? s.size() : close) - at - 8);
    s = s.substr(0, at) + "<" + addr + ">";
  }
  return s;
}

}  // namespace

bool IsForwardMarker(std::string_view line) {
  const std::string f = FoldedLine(line);
  if (f.empty()) return false;
  static const char* const kWords[] = {"forward",     "weitergeleitet", "transfere",  "reenviad",
                                       "inoltrat",    "doorgestuurd",   "encaminhad", "reencaminhad",
                                       "reexpedi",    "fwd",            "転送"};
  if (StartsWith(f, "--") || StartsWith(f, "==") || StartsWith(f, "__")) {
    const std::string_view core = StripChars(f, "-_= ");
    if (core.size() > 40) return false;
    for (const char* w : kWords) {
      if (Contains(core, w)) return true;
    }
    return false;
  }
  static const char* const kBegin[] = {"begin forwarded message",       "anfang der weitergeleiteten",
                                       "debut du message reexpedie",    "debut du message transfere",
                                       "inicio del mensaje reenviado",  "comienzo del mensaje reenviado",
                                       "inizio messaggio inoltrato",    "inizio del messaggio inoltrato",
                                       "begin doorgestuurd bericht",    "inicio da mensagem reencaminhada",
                                       "inicio da mensagem encaminhada", "forwarded message:",
                                       "転送されたメッセージ",          "転送メッセージ"};
  for (const char* b : kBegin) {
    if (StartsWith(f, b) && f.size() < 60) return true;
  }
  return false;
}

bool SubjectIsForward(std::string_view subject) {
  std::string f = FoldForMatching(subject);
  std::string_view s = Trim(f);
  static const char* const kFwd[] = {"fwd", "fw", "wg", "tr", "rv", "i", "doorst", "enc", "fwd.", "weiterl", "転送"};
  for (int guard = 0; guard < 8; ++guard) {
    if (!s.empty() && s.front() == '[') {  // [tag]
      const std::size_t close = s.find(']');
      if (close == std::string_view::npos) break;
      s = Trim(s.substr(close + 1));
      continue;
    }
    const std::size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon > 10) break;
    const std::string_view key = Trim(s.substr(0, colon));
    for (const char* k : kFwd) {
      if (key == k) return true;
    }
    bool re = false;
    for (const char* k : kRe) {
      if (key == k) re = true;
    }
    if (!re) break;
    s = Trim(s.substr(colon + 1));
  }
  return false;
}

bool SubjectIsReply(std::string_view subject) {
  std::string f = FoldForMatching(subject);
  std::string_view s = Trim(f);
  for (int guard = 0; guard < 4 && !s.empty() && s.front() == '['; ++guard) {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos) break;
    s = Trim(s.substr(close + 1));
  }
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon > 10) return false;
  const std::string_view key = Trim(s.substr(0, colon));
  for (const char* k : kRe) {
    if (key == k) return true;
  }
  return false;
}

std::optional<ForwardedBlock> FindForwardedBlock(std::string_view fresh_text, bool subject_is_forward) {
  const std::vector<std::string_view> lines = SplitLines(fresh_text);
  for (std::size_t m = 0; m < lines.size(); ++m) {
    std::size_t header_start;
    if (IsForwardMarker(lines[m])) {
      header_start = m + 1;
    } else if (subject_is_forward && IsOriginalSeparator(FoldedLine(lines[m]))) {
      header_start = m + 1;
    } else if (subject_is_forward && IsOutlookBlockStart(lines, m)) {
      header_start = m;
    } else {
      continue;
    }
    // Skip blank lines right after the marker.
    while (header_start < lines.size() && Trim(lines[header_start]).empty()) ++header_start;
    ForwardedBlock block;
    bool have_from = false;
    std::size_t k = header_start;
    for (; k < lines.size() && !Trim(lines[k]).empty(); ++k) {
      std::string f = FoldedLine(lines[k]);
      std::string_view line = Trim(lines[k]);
      while (!line.empty() && line.front() == '*') line.remove_prefix(1);  // "*From:*"
      while (!f.empty() && f.front() == '*') f.erase(0, 1);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = Trim(line.substr(colon + 1));
      while (!value.empty() && value.front() == '*') value.remove_prefix(1);
      if (!have_from && IsFromKey(f)) {
        const auto list = ParseAddressList(OutlookMailtoToAngle(value));
        if (!list.empty()) {
          block.from = list.front();
          have_from = true;
        }
      } else if (block.subject.empty() && IsSubjectKey(f)) {
        block.subject = std::string(value);
      }
    }
    if (!have_from) continue;
    for (std::size_t n = 0; n < m; ++n) {
      block.note.append(lines[n]);
      block.note += '\n';
    }
    for (; k < lines.size(); ++k) {
      block.body.append(lines[k]);
      block.body += '\n';
    }
    block.note = std::string(Trim(block.note));
    block.body = std::string(Trim(block.body));
    return block;
  }
  return std::nullopt;
}

}  // namespace dsar::mail
