// Forwards and replies: subject prefixes, inline-forward markers and the forwarded header block.
//
// Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mail/message.h"

namespace dsar::mail {

// True when a subject line starts with a forward prefix (Fwd:, FW:, WG:, TR:, RV:, I:,
// Doorst:, Enc:, 転送:), possibly after "Re:" prefixes or a [tag].
bool SubjectIsForward(std::string_view subject);

// True when a subject line starts with a reply prefix (Re:, AW:, SV:, Antw:, R:, Res:, Ref:,
// 返信:), possibly after a [tag]: the rest of the line was written for an earlier message.
bool SubjectIsReply(std::string_view subject);

// If `line` (trimmed) is an inline-forward separator line, true.
bool IsForwardMarker(std::string_view line);

// An inline forward found in a message's fresh text: the header block after a forward
// marker ("---------- Forwarded message ---------", "Begin forwarded message:" and their
// translations; with `subject_is_forward`, also an Outlook "From:/Sent:" block or an
// "Original Message" separator).
struct ForwardedBlock {
  Address from;      // the forwarded message's sender ("From:", "Von:", "De :", ...)
  std::string subject;  // the forwarded Subject line, as written
  std::string note;     // what the forwarder wrote above the marker
  std::string body;     // the forwarded text after its header block
};

// The first inline forward in `fresh_text` whose From line holds an address; nullopt when
// there is none.
std::optional<ForwardedBlock> FindForwardedBlock(std::string_view fresh_text, bool subject_is_forward);

}  // namespace dsar::mail
