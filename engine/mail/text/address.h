// Address lists and one-line display text.
//
// Pure and thread-safe; never throws on malformed input (results are valid UTF-8).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mail/message.h"

namespace dsar::mail {

// Parses an address-list header value (raw, possibly folded, possibly with encoded-words in
// display names, including ones that decode to commas). Groups ("team: a@x, b@y;") are
// flattened. Entries without an '@' are skipped. Display names are decoded and made one line
// (CollapseControls). The addr-spec is kept as written, never rewritten into another mailbox:
// only blanks at its ends and around '@' and '.' (RFC 5322 obsolete CFWS), stray angle
// brackets, a "mailto:" and quotes around a whole address ("\"a@x\"") are dropped, so a quoted
// local part or one with blanks ("\"john doe\"@example.com") stays as it is and fails
// IsValidEmail later.
std::vector<Address> ParseAddressList(std::string_view raw);

// `s` made one line, for display names and the Subject: every run of blanks that holds a
// control character (C0 including CR, LF and TAB, DEL, C1, U+2028, U+2029) becomes one space,
// and the ends are trimmed ("Eve\nSubject: pwned" -> "Eve Subject: pwned").
std::string CollapseControls(std::string_view s);

}  // namespace dsar::mail
