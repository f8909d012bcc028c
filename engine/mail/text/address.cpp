#include "mail/text/address.h"

#include "mail/text/charset.h"
#include "mail/text/rfc2047.h"
#include "mail/text/utf8.h"

namespace dsar::mail {

using namespace text;

std::vector<Address> ParseAddressList(std::string_view raw_in) {
  const std::string s = Unfold(raw_in);
  // Split at top-level ',' ';' and group ':' (outside quotes, comments, angle brackets and
  // encoded-words).
  std::vector<std::string> entries;
  std::string cur;
  bool in_quote = false;
  int comment = 0;
  bool in_angle = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!in_quote && comment == 0 && c == '=' && i + 1 < s.size() && s[i + 1] == '?') {
      EncodedWord ew;
      if (ParseEncodedWord(s, i, ew)) {
        cur.append(s, i, ew.end - i);
        i = ew.end - 1;
        continue;
      }
    }
    if (in_quote) {
      cur += c;
      if (c == '\\' && i + 1 < s.size()) cur += s[++i];
      else if (c == '"') in_quote = false;
      continue;
    }
    if (comment > 0) {
      cur += c;
      if (c == '\\' && i + 1 < s.size()) cur += s[++i];
      else if (c == '(') ++comment;
      else if (c == ')') --comment;
      continue;
    }
    if (c == '"') in_quote = true;
    else if (c == '(') comment = 1;
    else if (c == '<') in_angle = true;
    else if (c == '>') in_angle = false;
    if (!in_angle && (c == ',' || c == ';')) {
      entries.push_back(cur);
      cur.clear();
      continue;
    }
    if (!in_angle && c == ':' && cur.find('@') == std::string::npos) {  // "group:" display name
      cur.clear();
      continue;
    }
    cur += c;
  }
  entries.push_back(cur);

  std::vector<Address> out;
  for (const std::string& e : entries) {
    std::string_view entry = Trim(e);
    if (entry.empty()) continue;
    Address a;
    std::string name_raw;
    const std::size_t lt = [&] {  // the first '<' outside quotes
      bool q = false;
      for (std::size_t i = 0; i < entry.size(); ++i) {
        if (entry[i] == '"' && (i == 0 || entry[i - 1] != '\\')) q = !q;
        if (!q && entry[i] == '<') return i;
      }
      return std::string_view::npos;
    }();
    std::string addr;
    if (lt != std::string_view::npos) {
      const std::size_t gt = entry.find('>', lt);
      addr = std::string(entry.substr(lt + 1, (gt == std::string_view::npos ? entry.size() : gt) - lt - 1));
      name_raw = std::string(entry.substr(0, lt));
      if (const auto colon = addr.rfind(':'); colon != std::string::npos) addr.erase(0, colon + 1);  // route
    } else {
      // "addr (Comment Name)"
      std::string rest;
      int depth = 0;
      for (char c : entry) {
        if (c == '(') {
          if (depth++ == 0) continue;
        } else if (c == ')' && depth > 0) {
          if (--depth == 0) continue;
        }
        if (depth > 0) name_raw += c;
        else rest += c;
      }
      addr = rest;
    }
    // Display name: drop quoting, keep encoded-words for the decoder.
    std::string name;
    for (std::size_t i = 0; i < name_raw.size(); ++i) {
      const char c = name_raw[i];
      if (c == '\\' && i + 1 < name_raw.size()) {
        name += name_raw[++i];
      } else if (c != '"') {
        name += c;
      }
    }
    a.name = CollapseControls(DecodeHeaderText(name));
    while (a.name.size() >= 2 && a.name.front() == '\'' && a.name.back() == '\'') a.name = a.name.substr(1, a.name.size() - 2);
    // Address: as written, never squeezed into another mailbox ("\"john doe\"@x" is not
    // "johndoe@x"): without "mailto:", stray angle brackets, and blanks at its ends or next to '@'
    // and '.' (obsolete CFWS). A whole address in quotes ("\"a@x\"") is unquoted.
    std::string_view spec = Trim(addr);
    if (LowerAscii(spec.substr(0, 7)) == "mailto:") spec = Trim(spec.substr(7));
    if (spec.size() > 2 && spec.front() == '"' && spec.back() == '"' &&
        spec.substr(1, spec.size() - 2).find_first_of("\" \t\\") == std::string_view::npos)
      spec = spec.substr(1, spec.size() - 2);
    std::string email;
    bool quoted = false;
    for (std::size_t i = 0; i < spec.size(); ++i) {
      const char c = spec[i];
      if (c == '"' && (i == 0 || spec[i - 1] != '\\')) quoted = !quoted;
      if (!quoted && (c == '<' || c == '>')) continue;
      if (!quoted && IsSpace(c)) {
        std::size_t next = i;
        while (next < spec.size() && IsSpace(spec[next])) ++next;
        const bool by_separator = (!email.empty() && (email.back() == '@' || email.back() == '.')) ||
                                  (next < spec.size() && (spec[next] == '@' || spec[next] == '.'));
        if (by_separator) {
          i = next - 1;
          continue;
        }
      }
      email += c;
    }
    if (email.find('@') == std::string::npos) continue;
    a.email = RepairUtf8(email);
    if (LowerAscii(a.name) == LowerAscii(a.email)) a.name.clear();
    out.push_back(std::move(a));
  }
  return out;
}

std::string CollapseControls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    // A run of blanks and control characters: kept as it is unless it holds a control.
    std::size_t j = i;
    bool control = false;
    while (j < s.size()) {
      const auto b = static_cast<unsigned char>(s[j]);
      const auto b1 = j + 1 < s.size() ? static_cast<unsigned char>(s[j + 1]) : 0;
      const auto b2 = j + 2 < s.size() ? static_cast<unsigned char>(s[j + 2]) : 0;
      if (b == ' ') {
        ++j;
      } else if (b < 0x20 || b == 0x7F) {
        control = true;
        ++j;
      } else if (b == 0xC2 && b1 >= 0x80 && b1 <= 0x9F) {  // C1: U+0080..U+009F
        control = true;
        j += 2;
      } else if (b == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9)) {  // U+2028, U+2029
        control = true;
        j += 3;
      } else {
        break;
      }
    }
    if (j == i) {
      out += s[i++];
      continue;
    }
    if (control) out += ' ';
    else out.append(s.substr(i, j - i));
    i = j;
  }
  return std::string(Trim(out));
}

}  // namespace dsar::mail
