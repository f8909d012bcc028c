#include "intake/inbound_queue.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/denial.h"
#include "core/json_fields.h"
#include "core/sha256.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/package/review.h"
#include "mail/message.h"
#include "workflow/loader.h"
#include "requests/engine.h"

namespace dsar::service {

namespace json = boost::json;

// ---- the staff queues of inbound mail ----

const std::vector<std::string>& InboundOutcomes() {
  static const std::vector<std::string> outcomes = {"triage", "ignored", "request", "reply", "redelivery", "refused"};
  return outcomes;
}

namespace {

// Decodes one stored message for staff (reads its raw bytes and linked reference inside `tx`).
Result<InboundMessage> DecodeInbound(store::Tx& tx, store::InboundRow row) {
  InboundMessage m;
  if (!row.request_id.empty()) {
    auto r = tx.GetRequest(row.request_id);
    if (!r.ok()) return r.status();
    m.reference = r->reference;
  }
  if (row.raw_purged_at) {  // records retention: the metadata and outcome stay, the text is gone
    m.unreadable = "the raw message was purged on " + FormatRfc3339(*row.raw_purged_at) + " (records retention)";
    m.row = std::move(row);
    return m;
  }
  auto raw = tx.InboundRaw(row.id);
  if (!raw.ok()) return raw.status();
  m.row = std::move(row);
  auto parsed = mail::ParseMessage(*raw);
  if (!parsed.ok()) {
    m.unreadable = parsed.status().message();
    return m;
  }
  m.readable = true;
  m.subject = std::move(parsed->subject);
  if (parsed->from) {
    m.from_name = parsed->from->name;
    m.from_email = parsed->from->email;
  }
  m.text = Utf8Prefix(parsed->text, kInboundTextLimit, m.text_truncated);
  return m;
}

}  // namespace

Result<std::vector<InboundMessage>> ListInbound(Engine& e, const std::string& outcome, std::int64_t after_id,
                                                                int limit) {
  std::vector<InboundMessage> out;
  Status s = e.store().Read([&](store::Tx& tx) -> Status {
    auto rows = tx.ListInbound(outcome, after_id, limit);
    if (!rows.ok()) return rows.status();
    for (auto& row : *rows) {
      auto m = DecodeInbound(tx, std::move(row));
      if (!m.ok()) return m.status();
      out.push_back(std::move(m.value()));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<InboundMessage> GetInbound(Engine& e, std::int64_t id) {
  InboundMessage out;
  Status s = e.store().Read([&](store::Tx& tx) -> Status {
    auto row = tx.GetInbound(id);
    if (!row.ok()) return row.status();
    if (!row->has_value()) return Status::NotFound("no inbound message " + std::to_string(id));
    auto m = DecodeInbound(tx, std::move(**row));
    if (!m.ok()) return m.status();
    out = std::move(m.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace dsar::service
