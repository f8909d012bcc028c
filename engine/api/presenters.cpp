#include "api/presenters.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_fields.h"
#include "core/time.h"
#include "holds/holds.h"
#include "requests/engine.h"

namespace dsar::api {

using service::RequestView;
using service::InboundMessage;
using service::TaskView;
namespace json = boost::json;

json::object InboundJson(const InboundMessage& m) {
  auto or_null = [](const std::string& v) { return v.empty() ? json::value(nullptr) : json::value(v); };
  json::object o;
  o["id"] = m.row.id;
  o["outcome"] = m.row.outcome;
  o["detail"] = or_null(m.row.detail);
  o["received_at"] = FormatRfc3339(m.row.received_at);
  o["intake_at"] = FormatRfc3339(m.row.intake_at);
  o["message_id"] = or_null(m.row.message_id);
  o["size"] = m.row.size;
  o["sha256"] = m.row.sha256;
  o["reference"] = or_null(m.reference);
  o["readable"] = m.readable;
  o["unreadable"] = m.readable ? json::value(nullptr) : json::value("unreadable: " + m.unreadable);
  o["subject"] = m.readable ? json::value(m.subject) : json::value(nullptr);
  if (m.from_email) {
    json::object from;
    from["name"] = m.from_name.value_or("");
    from["email"] = *m.from_email;
    o["from"] = std::move(from);
  } else {
    o["from"] = nullptr;
  }
  o["text"] = m.readable ? json::value(m.text) : json::value(nullptr);
  o["text_truncated"] = m.text_truncated;
  return o;
}

// ---- JSON views ----

json::object RequestJson(const RequestView& r, Millis now, const service::DeadlinePolicy& deadlines) {
  json::object o;
  o["id"] = r.id;
  o["reference"] = r.reference;
  o["type"] = r.type;
  o["state"] = r.state;
  o["jurisdiction"] = r.jurisdiction.empty() ? json::value(nullptr) : json::value(r.jurisdiction);
  o["jurisdiction_unknown"] = r.jurisdiction.empty();
  o["subject"] = ParseOr(r.subject_json, json::object());
  o["requester"] = ParseOr(r.requester_json, json::value(nullptr));
  o["channel"] = r.channel;
  o["received_at"] = FormatRfc3339(r.received_at);
  o["due_at"] = r.due_at ? json::value(FormatRfc3339(*r.due_at)) : json::value(nullptr);
  o["ack_due_at"] = r.ack_due_at ? json::value(FormatRfc3339(*r.ack_due_at)) : json::value(nullptr);
  const auto days_left = deadlines.DaysLeft(r, now);
  o["days_left"] = days_left ? json::value(*days_left) : json::value(nullptr);
  o["overdue"] = days_left.has_value() && *days_left < 0;
  o["extended"] = r.extensions > 0;
  o["extensions"] = r.extensions;
  o["paused"] = r.paused_at.has_value();
  o["paused_since"] = r.paused_at ? json::value(FormatRfc3339(*r.paused_at)) : json::value(nullptr);
  o["paused_days"] = r.paused_days;
  o["identity_verified"] = r.identity_verified;
  o["duplicate_of"] = r.duplicate_of.empty() ? json::value(nullptr) : json::value(r.duplicate_of);
  // An authorized agent's authority (Cal. Code Regs. tit. 11 § 7063): null when no agent asked,
  // else "missing", "signed_permission" or "power_of_attorney" (the strongest recorded).
  const AgentAuthority a = r.agent;
  o["agent_authorization"] = a == AgentAuthority::kNotNeeded              ? json::value(nullptr)
                             : a == AgentAuthority::kPowerOfAttorney        ? json::value("power_of_attorney")
                             : a == AgentAuthority::kParentalResponsibility ? json::value("parental_responsibility")
                             : a == AgentAuthority::kSignedPermission       ? json::value("signed_permission")
                                                                            : json::value("missing");
  o["language"] = r.language.empty() ? json::value(nullptr) : json::value(r.language);
  o["details"] = ParseOr(r.details_json, json::object());
  o["version"] = r.version;
  json::object wf;
  wf["id"] = r.workflow_id;
  wf["hash"] = r.workflow_hash;
  o["workflow"] = std::move(wf);
  json::array allowed;
  if (const auto& w = r.workflow) {
    const auto& staff = service::StaffEvents();
    for (const std::string& ev : w->EventsOffered(r.state)) {
      if (std::find(staff.begin(), staff.end(), ev) == staff.end()) continue;
      if (ev == "extend" && !deadlines.ExtensionAllowed(r, now)) continue;  // the buttons that would work
      if (ev == "pause" && !deadlines.PauseAllowed(r, now)) continue;
      allowed.push_back(json::string(ev));
    }
  }
  o["allowed_events"] = std::move(allowed);
  o["created_at"] = FormatRfc3339(r.created_at);
  o["updated_at"] = FormatRfc3339(r.updated_at);
  return o;
}

json::object TransitionJson(const store::TransitionRow& t) {
  json::object o;
  o["version"] = t.version;
  o["from"] = t.from_state ? json::value(*t.from_state) : json::value(nullptr);
  o["to"] = t.to_state;
  o["event"] = t.event;
  o["actor"] = t.actor;
  o["reason"] = t.reason.empty() ? json::value(nullptr) : json::value(t.reason);
  o["data"] = ParseOr(t.data_json, json::object());
  o["effects"] = ParseOr(t.effects_json, json::array());
  o["at"] = FormatRfc3339(t.at);
  o["workflow_hash"] = t.workflow_hash;
  return o;
}

json::object HoldJson(const store::HoldRow& h) {
  json::object o;
  o["id"] = h.id;
  o["subject_email"] = h.subject_email.empty() ? json::value(nullptr) : json::value(h.subject_email);
  o["account_id"] = h.account_id.empty() ? json::value(nullptr) : json::value(h.account_id);
  o["table"] = h.scope_table.empty() ? json::value(nullptr) : json::value(h.scope_table);
  o["category"] = h.scope_category.empty() ? json::value(nullptr) : json::value(h.scope_category);
  o["matter"] = h.matter;
  o["ground"] = h.ground;
  o["citation"] = service::HoldCitation(h.ground);
  o["reason"] = h.reason;
  o["placed_by"] = h.placed_by;
  o["placed_at"] = FormatRfc3339(h.placed_at);
  o["active"] = !h.released_at.has_value();
  o["released_at"] = h.released_at ? json::value(FormatRfc3339(*h.released_at)) : json::value(nullptr);
  o["released_by"] = h.released_by.empty() ? json::value(nullptr) : json::value(h.released_by);
  o["release_reason"] = h.release_reason.empty() ? json::value(nullptr) : json::value(h.release_reason);
  return o;
}



json::object TaskJson(const TaskView& t) {
  json::object o;
  o["id"] = t.job.id;
  o["task"] = t.job.step;
  o["status"] = t.job.status;
  o["request_id"] = t.job.request_id;
  o["reference"] = t.reference;
  o["request_type"] = t.request_type;
  o["request_state"] = t.request_state;
  o["created_at"] = FormatRfc3339(t.job.created_at);
  o["completed_at"] = t.job.status == "closed" && t.job.finished_at ? json::value(FormatRfc3339(*t.job.finished_at))
                                                                     : json::value(nullptr);
  o["completion"] = ParseOr(t.job.result_json, nullptr);
  return o;
}

json::object LedgerJson(const store::LedgerRow& l) {
  json::object o;
  o["action"] = l.action;
  o["system"] = l.system;
  o["table"] = l.table_name;
  o["kind"] = l.kind;
  o["idempotency_key"] = l.idempotency_key;
  o["status"] = l.status;
  o["runs"] = l.runs;
  o["result"] = ParseOr(l.result_json, nullptr);
  o["error"] = l.error.empty() ? json::value(nullptr) : json::value(l.error);
  o["deadline_at"] = l.deadline_at ? json::value(FormatRfc3339(*l.deadline_at)) : json::value(nullptr);
  o["started_at"] = FormatRfc3339(l.started_at);
  o["finished_at"] = l.finished_at ? json::value(FormatRfc3339(*l.finished_at)) : json::value(nullptr);
  return o;
}

}  // namespace dsar::api
