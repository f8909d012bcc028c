// Wording that asks for nothing.
//
// A pattern can match words that are not a request: a negated verb ("Please don't delete my
// account", "Bitte löschen Sie mein Konto nicht", "Merci de ne pas supprimer", "no borren mi
// cuenta", "Ich möchte nichts löschen lassen"); a deletion of someone or something else
// ("remove John from my team account") or of a business record rather than personal data
// ("löschen Sie die doppelte Rechnung"); an objection to something other than the processing of
// personal data ("I object to the price increase"). Such a match does not count. The opt-outs of
// sale and marketing are worded as negations ("do not sell", "keine Werbung"), so negation is
// not checked for them; Japanese negations are patterns of their own (JapaneseRules).
//
// Pure and thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "core/model.h"
#include "mail/classify/pattern.h"
#include "mail/classify/sentence.h"

namespace dsar::mail::classify {

// Why the match of word pattern or cjk pattern `p`, for `type`, at `at` in `s` (MatchStart) asks
// for nothing: "negated" or "about something else"; nullptr when it asks. Negation is checked for
// deletion and objection, whose wrong reading does harm or binds us; a missed access or
// correction request only waits for staff. `clauses` is scratch space for the clauses of `s`,
// filled on first use (empty before). The result is a string literal.
const char* NotAsked(RequestType type, const Pattern& p, const Sentence& s, std::size_t at,
                     std::vector<std::size_t>& clauses);

}  // namespace dsar::mail::classify
