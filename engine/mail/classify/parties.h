// Who is who in a message: senders, addresses and names written in the text.
//
// Pure and thread-safe. Addresses are compared case-insensitively (NormalizeEmail), never
// rewritten.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mail/message.h"

namespace dsar::mail::classify {

// True when both are non-empty and the same address (NormalizeEmail).
bool SameEmail(std::string_view a, std::string_view b);

// True for a sender that relays for someone else: noreply and form services ("webform",
// "typeform", ...) anywhere in the local part, short markers ("form", "web", "bot", ...) as a
// whole part of it.
bool IsAutomatedSender(const Address& a);

// A display name worth keeping as the data subject's name, on one line (CollapseControls); ""
// when it is empty, longer than 80 bytes, an address or a form/noreply label.
std::string SensibleName(std::string_view name);

struct FoundEmail {
  std::string email;
  std::size_t pos;  // where it starts in the text
};

// Every addr-spec written in `text`, in order.
std::vector<FoundEmail> EmailsIn(std::string_view text);

// The name just before an address at `pos` written as "Name (addr)" / "Name <addr>": capitalised
// words and name particles ("de", "van", ...), without titles and role words; or a name in
// Han or katakana (without honorifics and role words); "" when there is none.
std::string NameBefore(std::string_view text, std::size_t pos);

}  // namespace dsar::mail::classify
