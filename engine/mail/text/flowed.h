// RFC 3676 format=flowed.
//
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dsar::mail {

// Undoes RFC 3676 format=flowed: joins soft line breaks (a line ending in a space, except
// the signature separator "-- "), removes space-stuffing, and with delsp=yes the space
// before a soft break.
std::string UnflowText(std::string_view text, bool delsp);

}  // namespace dsar::mail
