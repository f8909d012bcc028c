#include "mail/classify/pattern_set.h"

namespace dsar::mail::classify {

// Where `p` first matches in `s`: a word index, or for a cjk pattern the byte index in s.text of
// its key element.
std::size_t MatchStart(const Pattern& p, const Sentence& s) {
  if (p.cjk) return s.cjk ? MatchTextStart(p, s.text) : std::string::npos;
  return MatchStart(p, s.words);
}

bool Matches(const Pattern& p, const Sentence& s) { return MatchStart(p, s) != std::string::npos; }

}  // namespace dsar::mail::classify
