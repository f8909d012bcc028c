// Sentences of a message, the unit every pattern is matched in.
//
// Pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace dsar::mail::classify {

struct Sentence {
  std::vector<std::string> words;  // folded
  std::string text;                // folded, for the cjk patterns
  bool cjk = false;                // holds Han or kana
  bool question = false;
};

// Splits text into sentences: at ? ! ; (and the Japanese 。？！) and at a '.' followed by a
// blank and a capital or a line end; at a blank line; at a line end after a short line or one
// ending in punctuation (greetings, form rows), but not inside a hard-wrapped paragraph. A
// line ending in Han or kana joins the next without a blank when it ends in 、 or a particle
// or is a hard-wrapped one (50 columns or more, a wide character counting two); a Japanese
// sentence ending in か is a question. Sentences without words are dropped.
std::vector<Sentence> SplitSentences(std::string_view text);

// True when one of the first `within` words of `s` is one of `words`.
bool HasWord(const Sentence& s, std::initializer_list<const char*> words, std::size_t within = SIZE_MAX);

// A question that is really a polite request ("Could you delete my account?",
// "削除していただけますか").
bool IsPoliteRequest(const Sentence& s);

}  // namespace dsar::mail::classify
