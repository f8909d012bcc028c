// The staff queues of stored inbound mail (GET /intake/messages), decoded at read time.
//
// Thread safety: free functions; reads only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <cstddef>
#include "core/status.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

// A stored inbound message for the staff queues (GET /intake/messages), decoded at read time by
// parsing the stored raw bytes with mail::ParseMessage.
struct InboundMessage {
  store::InboundRow row;
  std::string reference;  // of the request it is linked to; "" when none
  bool readable = false;  // false when the raw message cannot be parsed (`unreadable` says why)
  std::string unreadable;
  std::string subject;            // decoded UTF-8
  std::optional<std::string> from_name, from_email;  // nullopt when there is no From
  std::string text;               // decoded body, at most kInboundTextLimit characters
  bool text_truncated = false;
};
inline constexpr std::size_t kInboundTextLimit = 20000;  // Unicode characters
// The outcomes a stored inbound message may have (IntakeOutcome::kind).
const std::vector<std::string>& InboundOutcomes();

// The staff queue of inbound messages with `outcome` (one of InboundOutcomes()), oldest first,
// after row id `after_id`, at most `limit`; and one message (NotFound for an unknown id).
Result<std::vector<InboundMessage>> ListInbound(Engine& e, const std::string& outcome, std::int64_t after_id, int limit);
Result<InboundMessage> GetInbound(Engine& e, std::int64_t id);

}  // namespace dsar::service
