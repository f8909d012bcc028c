// Recognisers for the lines that start a quoted or forwarded message in a body: "On ... wrote:",
// "-----Original Message-----", an Outlook "From:/Sent:" block, in our languages. Shared by
// ExtractFreshText (quoting.h) and FindForwardedBlock (forward.h).
//
// Pure and thread-safe. `lines` are the body's lines without their line ends (SplitLines).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace dsar::mail::text {

// The lines of `text` (split at LF, one trailing CR dropped from each); an empty text is one
// empty line. The views point into `text`.
std::vector<std::string_view> SplitLines(std::string_view text);

// `line` trimmed and folded (FoldForMatching).
std::string FoldedLine(std::string_view line);

// `s` without the characters of `chars` at its ends.
std::string_view StripChars(std::string_view s, std::string_view chars);

// "-----Original Message-----" and its translations (folded input).
bool IsOriginalSeparator(std::string_view f);

// True when folded line `f` starts with one of `keys` followed by optional blanks and ':'.
bool HasHeaderKey(std::string_view f, std::initializer_list<const char*> keys);

// "From:" and its translations (folded input).
bool IsFromKey(std::string_view f);

// An Outlook-style quoted header block: a From: line with a Sent:/Date: line within the
// next four lines (the To:/Subject: lines come in any order).
bool IsOutlookBlockStart(const std::vector<std::string_view>& lines, std::size_t i);

// "On <date>, <name> wrote:" and its translations, possibly wrapped over up to 3 lines.
bool IsWroteLine(const std::vector<std::string_view>& lines, std::size_t i);

}  // namespace dsar::mail::text
