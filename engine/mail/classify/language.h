// Which of our languages a message is written in.
//
// Pure and thread-safe (the word tables are built once, on first use).
#pragma once

#include <string>
#include <vector>

#include "mail/classify/sentence.h"

namespace dsar::mail::classify {

// The ISO 639-1 code of the language with the most of its common words ("en", "de", "fr", "es",
// "it", "nl", "pt"; "en" when none, the first listed of equal scores); "ja" when kana (which no
// other language writes) outnumber them, at one word for two kana.
std::string DetectLanguage(const std::vector<Sentence>& sentences);

}  // namespace dsar::mail::classify
