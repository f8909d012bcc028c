// Phrase patterns and their matcher.
//
// Pattern syntax: words separated by blanks; "a|b" alternatives; "x*" prefix; "~N" (or
// "~" = 3) allows up to N other words before the next element. Words are written folded
// and split as the text is ("don't" -> "don t", "e-mail" -> "e mail"). A cjk pattern (Japanese)
// has the same syntax, but each alternative is a substring of the folded sentence text, "~N"
// allows up to N other characters, and "@" marks the element whose position is the match's.
//
// Pure and thread-safe; a Pattern is immutable once compiled.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mail/classify/rules.h"

namespace dsar::mail::classify {

struct Alt {
  std::string word;
  bool prefix = false;
};
struct Elem {
  std::vector<Alt> alts;
  int gap_before = 0;  // other words allowed between the previous element and this one
};
struct Pattern {
  std::vector<Elem> elems;
  int weight = 0;
  bool ok_in_question = false;
  bool cjk = false;  // substrings of the sentence text, gaps in characters (JapaneseRules)
  std::size_t key = 0;  // cjk: the element whose position is the match's ("@" in the spec)
  bool about_data = false;  // counts only in a sentence about personal data (AboutPersonalData)
};

// `rule`'s spec compiled (as a cjk pattern when `cjk`).
Pattern Compile(const Rule& rule, bool cjk = false);

// True when one of `e`'s alternatives matches `word`.
bool AltMatches(const Elem& e, const std::string& word);

// The index of the word where the first match of word pattern `p` in `words` starts, or npos.
std::size_t MatchStart(const Pattern& p, const std::vector<std::string>& words);

// The word index after the match of `p` that starts at word `start` (as MatchStart finds it), or
// npos.
std::size_t MatchEndFrom(const Pattern& p, const std::vector<std::string>& words, std::size_t elem,
                         std::size_t start);

// The byte index in `text` of the key element of the first match of cjk pattern `p`, or npos.
std::size_t MatchTextStart(const Pattern& p, std::string_view text);

}  // namespace dsar::mail::classify
