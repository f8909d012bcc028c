#include "mail/classify/form.h"

#include "mail/classify/words.h"
#include "mail/text/fold.h"

namespace dsar::mail::classify {

std::vector<FormField> FormFields(std::string_view text) {
  std::vector<FormField> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::size_t sep = line.find('\t');
    std::size_t sep_len = 1;
    if (sep == std::string_view::npos) {
      sep = line.find(':');
      // Japanese forms write the full-width colon: "お名前：山田太郎".
      if (const std::size_t wide = line.find("："); wide != std::string_view::npos && wide < sep) {
        sep = wide;
        sep_len = 3;
      }
    }
    if (sep == std::string_view::npos || sep == 0 || sep > 40) continue;
    std::string key = FoldForMatching(line.substr(0, sep));
    while (!key.empty() && (key.back() == ' ' || key.back() == ':' || key.back() == '*')) key.pop_back();
    while (!key.empty() && key.front() == ' ') key.erase(0, 1);
    std::string_view value = line.substr(sep + sep_len);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == ':')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
    if (key.empty() || value.empty()) continue;
    out.push_back({key, std::string(value)});
  }
  return out;
}

bool KeyIs(const std::string& key, std::initializer_list<const char*> names) {
  const std::vector<std::string> words = Words(key);
  if (words.empty() || words.size() > 4) return false;
  for (const char* n : names) {
    const std::vector<std::string> nw = Words(n);
    if (words == nw) return true;
  }
  return false;
}

bool KeyMentions(const std::string& key, std::initializer_list<const char*> names) {
  const std::vector<std::string> words = Words(key);
  if (words.empty() || words.size() > 4) return false;
  for (const auto& w : words) {
    for (const char* n : names) {
      if (w == n) return true;
    }
  }
  return false;
}

}  // namespace dsar::mail::classify
