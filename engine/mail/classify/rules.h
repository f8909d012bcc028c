// The classifier's rules, as data: per request type, phrase patterns with a weight. The tables
// are in rules_words.cpp (the languages written with blanks between words: en, de, fr, es, it,
// nl, pt) and rules_ja.cpp (Japanese); the matching code is in pattern.h and pattern_set.h.
//
// A type wins when the weights of its matching patterns reach kRequestThreshold. The tables are
// immutable, with static storage; order matters only as documented at kTieOrder.
#pragma once

#include <array>
#include <span>

#include "core/model.h"

namespace dsar::mail::classify {

struct Rule {
  RequestType type;
  const char* spec;  // the pattern, syntax in pattern.h
  int weight;        // negative: takes back, within its sentence, what other patterns gave
  bool ok_in_question = false;  // counts inside a question ("What data do you hold about me?")
  bool about_data = false;
};

// Rule::about_data: a verb alone ("I object", "Widerspruch") that names a right only when the
// sentence is about personal data or its processing, not a price increase.
constexpr bool kAboutData = true;

constexpr int kRequestThreshold = 3;
constexpr auto kAccess = RequestType::kAccess;
constexpr auto kDeletion = RequestType::kDeletion;
constexpr auto kPortability = RequestType::kPortability;
constexpr auto kCorrection = RequestType::kCorrection;
constexpr auto kSale = RequestType::kOptOutSale;
constexpr auto kMarketing = RequestType::kOptOutMarketing;
constexpr auto kObjection = RequestType::kObjection;

// When two types score the same, the more specific one wins.
constexpr std::array<RequestType, 7> kTieOrder = {kSale, kObjection, kPortability, kCorrection,
                                                  kDeletion, kAccess, kMarketing};

// Word patterns (matched on a sentence's words).
std::span<const Rule> WordRules();

// Japanese patterns (substrings of a sentence's folded text, gaps in characters).
std::span<const Rule> JapaneseRules();

}  // namespace dsar::mail::classify
