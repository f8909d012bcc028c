#include "mail/classify/pattern.h"

#include <algorithm>
#include <string>

#include "mail/classify/words.h"

namespace dsar::mail::classify {

Pattern Compile(const Rule& rule, bool cjk) {
  Pattern p;
  p.weight = rule.weight;
  p.ok_in_question = rule.ok_in_question;
  p.about_data = rule.about_data;
  p.cjk = cjk;
  int gap = 0;
  std::string_view spec = rule.spec;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    while (pos < spec.size() && spec[pos] == ' ') ++pos;
    std::size_t end = spec.find(' ', pos);
    if (end == std::string_view::npos) end = spec.size();
    const std::string_view tok = spec.substr(pos, end - pos);
    pos = end;
    if (tok.empty()) continue;
    if (tok.front() == '~') {
      gap = tok.size() == 1 ? 3 : std::stoi(std::string(tok.substr(1)));
      continue;
    }
    Elem e;
    e.gap_before = gap;
    gap = 0;
    std::string_view alts = tok;
    if (alts.front() == '@') {
      p.key = p.elems.size();
      alts.remove_prefix(1);
    }
    std::size_t a = 0;
    while (a <= alts.size()) {
      std::size_t bar = alts.find('|', a);
      if (bar == std::string_view::npos) bar = alts.size();
      std::string_view w = alts.substr(a, bar - a);
      Alt alt;
      if (!w.empty() && w.back() == '*') {
        alt.prefix = true;
        w.remove_suffix(1);
      }
      alt.word = std::string(w);
      if (!alt.word.empty()) e.alts.push_back(std::move(alt));
      a = bar + 1;
    }
    p.elems.push_back(std::move(e));
  }
  return p;
}

bool AltMatches(const Elem& e, const std::string& word) {
  for (const Alt& a : e.alts) {
    if (a.prefix ? word.compare(0, a.word.size(), a.word) == 0 : word == a.word) return true;
  }
  return false;
}

bool MatchFrom(const Pattern& p, const std::vector<std::string>& words, std::size_t elem, std::size_t start) {
  if (elem == p.elems.size()) return true;
  const std::size_t last = std::min(words.size(), start + static_cast<std::size_t>(p.elems[elem].gap_before) + 1);
  for (std::size_t k = start; k < last; ++k) {
    if (AltMatches(p.elems[elem], words[k]) && MatchFrom(p, words, elem + 1, k + 1)) return true;
  }
  return false;
}

// The index of the word where the first match of `p` in `words` starts, or npos.
std::size_t MatchStart(const Pattern& p, const std::vector<std::string>& words) {
  if (p.elems.empty()) return std::string::npos;
  for (std::size_t s = 0; s < words.size(); ++s) {
    if (AltMatches(p.elems[0], words[s]) && MatchFrom(p, words, 1, s + 1)) return s;
  }
  return std::string::npos;
}

// Cjk patterns: element `elem` starts within gap_before characters of text[start]; `key_at`
// gets where the key element matched.
bool MatchTextFrom(const Pattern& p, std::string_view text, std::size_t elem, std::size_t start,
                   std::size_t& key_at) {
  if (elem == p.elems.size()) return true;
  const Elem& e = p.elems[elem];
  std::size_t q = start;
  for (int skipped = 0;; ++skipped) {
    for (const Alt& a : e.alts) {
      if (text.compare(q, a.word.size(), a.word) != 0) continue;
      if (elem == p.key) key_at = q;
      if (MatchTextFrom(p, text, elem + 1, q + a.word.size(), key_at)) return true;
    }
    if (q >= text.size() || skipped >= e.gap_before) return false;
    q = NextCodePoint(text, q);
  }
}

// The byte index in `text` of the key element of the first match of cjk pattern `p`, or npos.
std::size_t MatchTextStart(const Pattern& p, std::string_view text) {
  if (p.elems.empty()) return std::string::npos;
  for (std::size_t q = 0; q < text.size(); q = NextCodePoint(text, q)) {
    for (const Alt& a : p.elems[0].alts) {
      std::size_t key_at = q;
      if (text.compare(q, a.word.size(), a.word) == 0 && MatchTextFrom(p, text, 1, q + a.word.size(), key_at))
        return key_at;
    }
  }
  return std::string::npos;
}

// The word index after the match of `p` that starts at word `start` (as MatchStart finds it), or
// npos.
std::size_t MatchEndFrom(const Pattern& p, const std::vector<std::string>& words, std::size_t elem,
                         std::size_t start) {
  if (elem == p.elems.size()) return start;
  const std::size_t last = std::min(words.size(), start + static_cast<std::size_t>(p.elems[elem].gap_before) + 1);
  for (std::size_t k = start; k < last; ++k) {
    if (!AltMatches(p.elems[elem], words[k])) continue;
    const std::size_t end = MatchEndFrom(p, words, elem + 1, k + 1);
    if (end != std::string::npos) return end;
  }
  return std::string::npos;
}

}  // namespace dsar::mail::classify
