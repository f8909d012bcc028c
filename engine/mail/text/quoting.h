// The "fresh text" of a message: what the sender wrote now, without quoted replies and the
// signature.
//
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dsar::mail {

// The part of a message body the sender wrote now: stops at the first reply header ("On
// ... wrote:" and its de/fr/es/it/nl/pt/ja forms, Gmail's "<date> <name> <addr>:" in any
// language, "-----Original Message-----" and its translations such as "--- 元のメッセージ ---",
// an Outlook "From:/Sent:" block or its Japanese "差出人:/送信日時:" form, a "____" separator
// before one), drops lines quoted with '>' or '＞', and cuts the signature ("-- ", "Sent from
// my iPhone" and its translations, "iPhoneから送信", and a rule of "━━━" / "───" / "＝＝＝"
// above a short block with contact details, or above at most three lines closed by another
// rule). An inline forward ("---------- Forwarded message ---------", "Begin forwarded
// message:", "-------- 転送メッセージ --------", ...) is kept with its header block so the
// forwarded sender can be read; when `subject_is_forward` (Fwd:/FW:/WG:/TR:/RV:/I:/転送: ...),
// the first Outlook-style header block is also taken as a forward and kept.
std::string ExtractFreshText(std::string_view text, bool subject_is_forward);

}  // namespace dsar::mail
