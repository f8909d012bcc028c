#include "mail/classify/parties.h"

#include <cstring>

#include "mail/classify/words.h"
#include "mail/text/address.h"
#include "mail/text/fold.h"

namespace dsar::mail::classify {

std::string LowerEmail(std::string_view e) { return NormalizeEmail(e); }

bool SameEmail(std::string_view a, std::string_view b) {
  return !a.empty() && !b.empty() && LowerEmail(a) == LowerEmail(b);
}

bool IsAutomatedSender(const Address& a) {
  const std::string e = LowerEmail(a.email);
  const std::string local = e.substr(0, e.find('@'));
  static const char* const kAnywhere[] = {"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
                                          "do_not_reply", "webform", "wordpress", "notification", "typeform",
                                          "jotform", "wufoo", "formspree", "hubspot"};
  for (const char* m : kAnywhere) {
    if (local.find(m) != std::string::npos) return true;
  }
  // Short markers only as a whole dot/dash/underscore-separated part ("forms", "web-forms").
  static const char* const kParts[] = {"form", "forms", "web", "website", "mailer", "notify", "automated",
                                       "system", "contactform", "bot"};
  std::size_t pos = 0;
  while (pos <= local.size()) {
    std::size_t end = local.find_first_of(".-_+", pos);
    if (end == std::string::npos) end = local.size();
    const std::string part = local.substr(pos, end - pos);
    for (const char* m : kParts) {
      if (part == m) return true;
    }
    pos = end + 1;
  }
  return false;
}

// A display name worth keeping as the data subject's name, on one line (CollapseControls).
std::string SensibleName(std::string_view name) {
  std::string n = CollapseControls(name);
  while (!n.empty() && (n.front() == ' ' || n.front() == '"' || n.front() == '\'')) n.erase(0, 1);
  while (!n.empty() && (n.back() == ' ' || n.back() == '"' || n.back() == '\'')) n.pop_back();
  if (n.empty() || n.size() > 80 || n.find('@') != std::string::npos) return "";
  const std::string f = FoldForMatching(n);
  if (f.find("reply") != std::string::npos || f.find("form") != std::string::npos) return "";
  return n;
}

bool IsEmailByte(char c) {
  return IsAlnumByte(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '%' || c == '\'';
}

std::vector<FoundEmail> EmailsIn(std::string_view text) {
  std::vector<FoundEmail> out;
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    std::size_t b = at;
    while (b > 0 && IsEmailByte(text[b - 1])) --b;
    std::size_t e = at + 1;
    while (e < text.size() && (IsAlnumByte(text[e]) || text[e] == '.' || text[e] == '-')) ++e;
    while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-')) --e;
    while (b < at && (text[b] == '.' || text[b] == '\'')) ++b;
    if (b == at || e == at + 1) continue;
    const std::string_view domain = text.substr(at + 1, e - at - 1);
    if (domain.find('.') == std::string_view::npos) continue;
    out.push_back({std::string(text.substr(b, e - b)), b});
  }
  return out;
}

// A name written in Han or katakana right before `before` ends ("依頼人 山田花子様（" -> "山田花子",
// "娘の佐藤 美咲 <" -> "佐藤 美咲"): the run of Han and katakana, with one blank between family
// and given name, without honorifics (様, さん, 氏, 殿) and without the role words before it
// (依頼人, 息子, ...); empty when there is none.
std::string CjkNameBefore(std::string_view before_raw) {
  std::string before = NarrowWidth(before_raw);
  auto trim_end = [&] {
    while (!before.empty() && std::strchr(" \t(<[:\"'", before.back()) != nullptr) before.pop_back();
    for (std::string_view open : {"「", "『", "【", "〈", "《"}) {
      if (EndsWith(before, open)) before.resize(before.size() - open.size());
    }
  };
  trim_end();
  for (std::string_view h : {"様", "さん", "氏", "殿", "君", "ちゃん"}) {
    if (EndsWith(before, h)) {
      before.resize(before.size() - h.size());
      break;
    }
  }
  trim_end();
  auto name_char = [](std::uint32_t cp) {
    return (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x3005 || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF);
  };
  auto hiragana = [](std::uint32_t cp) { return cp >= 0x3041 && cp <= 0x3096; };
  auto prev = [&](std::size_t end, std::size_t& at) {  // the code point before `end`
    at = end - 1;
    while (at > 0 && (static_cast<unsigned char>(before[at]) & 0xC0) == 0x80) --at;
    std::size_t len = 0;
    return CodePointAt(before, at, len);
  };
  std::size_t start = before.size();
  int chars = 0;
  // A given name in hiragana ("さくら") counts only after a family name in Han or katakana.
  bool kana_given = false;
  while (start > 0 && chars < 8) {
    std::size_t at = 0;
    if (!hiragana(prev(start, at))) break;
    start = at;
    ++chars;
    kana_given = true;
  }
  bool blank_used = false;
  if (kana_given && start > 0) {
    std::size_t at = 0;
    if (prev(start, at) == ' ') {
      start = at;
      blank_used = true;
    }
  }
  int family = 0;
  while (start > 0 && chars < 12) {
    std::size_t at = 0;
    const std::uint32_t cp = prev(start, at);
    if (name_char(cp)) {
      start = at;
      ++chars;
      ++family;
      continue;
    }
    // One blank between two parts of the name.
    if (cp == ' ' && !blank_used && chars > 0 && at > 0) {
      std::size_t before_blank = 0;
      if (name_char(prev(at, before_blank))) {
        blank_used = true;
        start = at;
        continue;
      }
    }
    break;
  }
  if (kana_given && family == 0) start = before.size();  // kana alone may be particles, not a name
  std::string name = before.substr(start);
  // Role words end where the name begins.
  static const char* const kRoles[] = {"依頼人", "依頼者", "代理人", "本人", "顧客", "お客様", "クライアント",
                                       "委任者", "息子", "娘", "長男", "長女", "次男", "次女", "子供", "子ども",
                                       "未成年", "弊所", "当方", "私"};
  for (const char* role : kRoles) {
    const std::size_t at = name.rfind(role);
    if (at != std::string::npos) name.erase(0, at + std::strlen(role));
  }
  while (!name.empty() && name.front() == ' ') name.erase(0, 1);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  std::size_t count = 0;
  for (std::size_t i = 0; i < name.size(); i = NextCodePoint(name, i)) ++count;
  return count >= 2 ? name : std::string();
}

// The name just before an address written as "Name (addr)" / "Name <addr>": capitalised
// words and name particles ("de", "van", ...), without titles and role words; or a name in
// Han or katakana (CjkNameBefore).
std::string NameBefore(std::string_view text, std::size_t pos) {
  std::size_t line_start = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  std::string_view before = text.substr(line_start, pos - line_start);
  if (std::string cjk = CjkNameBefore(before); !cjk.empty()) return cjk;
  while (!before.empty() && (before.back() == ' ' || before.back() == '(' || before.back() == '<' ||
                             before.back() == '[' || before.back() == ':'))
    before.remove_suffix(1);
  static const char* const kParticles[] = {"de", "da", "di", "do", "dos", "das", "del", "della", "van", "von",
                                           "der", "den", "du", "le", "la", "ter", "ten", "y", "e"};
  static const char* const kStop[] = {"herrn", "herr", "frau", "mr", "mrs", "ms", "miss", "dr", "prof", "madame",
                                      "monsieur", "mme", "mlle", "m", "sr", "sra", "srta", "senor", "senora",
                                      "signor", "signora", "sig", "dhr", "mevr", "mevrouw", "meneer", "sr",
                                      "client", "cliente", "clients", "mandant", "mandanten", "mandantin",
                                      "klient", "klientin", "kunde", "kundin", "tochter", "sohn", "kind",
                                      "daughter", "son", "child", "assistito", "assistita", "clienten"};
  std::vector<std::string_view> words;
  while (!before.empty() && words.size() < 6) {
    const std::size_t sp = before.find_last_of(" \t,;:(");
    std::string_view w = sp == std::string_view::npos ? before : before.substr(sp + 1);
    while (!w.empty() && (w.back() == '.')) w.remove_suffix(1);
    const std::string fw = FoldForMatching(w);
    bool particle = false;
    for (const char* p : kParticles) particle = particle || fw == p;
    bool stop = false;
    for (const char* p : kStop) stop = stop || fw == p;
    if (w.empty() || stop || (!particle && !IsUpperStart(w))) break;
    words.insert(words.begin(), w);
    if (sp == std::string_view::npos || before[sp] != ' ') break;
    before = before.substr(0, sp);
    while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
  }
  // Leading particles belong to the sentence, not the name.
  while (!words.empty()) {
    const std::string fw = FoldForMatching(words.front());
    bool particle = false;
    for (const char* p : kParticles) particle = particle || fw == p;
    if (!particle) break;
    words.erase(words.begin());
  }
  if (words.size() > 4) words.erase(words.begin(), words.end() - 4);
  std::string name;
  for (const auto& w : words) {
    if (!name.empty()) name += ' ';
    name += w;
  }
  // A lone capitalised word is more likely a sentence start than a name.
  return words.size() >= 2 ? name : std::string();
}

}  // namespace dsar::mail::classify
