#include "holds/holds.h"

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

// ---- legal holds ----

const std::vector<HoldGround>& HoldGrounds() {
  static const std::vector<HoldGround> kGrounds = {
      {"legal_claims", "GDPR Art. 17(3)(e): the establishment, exercise or defence of legal claims"},
      {"legal_obligation", "GDPR Art. 17(3)(b): compliance with a legal obligation"},
      {"litigation_hold", "GDPR Art. 17(3)(e): a litigation hold (legal claims)"},
      {"regulatory_investigation",
       "GDPR Art. 17(3)(b): an authority's investigation or order (a legal obligation)"},
  };
  return kGrounds;
}

std::string HoldCitation(const std::string& ground) {
  for (const auto& g : HoldGrounds())
    if (g.name == ground) return g.citation;
  return "";
}

namespace {

json::object HoldScopeJson(const store::HoldRow& h) {
  json::object o;
  auto opt = [](const std::string& v) { return v.empty() ? json::value(nullptr) : json::value(v); };
  o["subject_email"] = opt(h.subject_email);
  o["account_id"] = opt(h.account_id);
  o["table"] = opt(h.scope_table);
  o["category"] = opt(h.scope_category);
  return o;
}

// The transition data of hold_placed / hold_released: what the hold is (who and why are the
// transition's actor and reason).
void HoldEventData(const store::HoldRow& h, Event& ev) {
  ev.data["hold_id"] = h.id;
  ev.data["matter"] = h.matter;
  ev.data["scope"] = HoldScopeJson(h);
  ev.data["ground"] = h.ground;
  ev.data["citation"] = HoldCitation(h.ground);
  ev.data["placed_by"] = h.placed_by;
  ev.data["hold_reason"] = h.reason;
}

// Sends `event` to every open request the hold covers: the hold's data subject's requests, or,
// for a table/category hold naming nobody, every open deletion. A workflow that does not offer
// the event in the request's state leaves that request alone. `on_hold_before` collects the
// references of requests that were on_hold, `left_hold` those that left on_hold.
Status NotifyHold(Engine& svc, store::Tx& tx, const store::HoldRow& h, const Event& event,
                  std::vector<std::string>* left_hold = nullptr) {
  std::vector<store::RequestRow> affected;
  if (h.names_subject()) {
    auto rows = tx.RequestsInState("", h.subject_email, h.account_id);
    if (!rows.ok()) return rows.status();
    affected = std::move(rows.value());
  } else {
    store::RequestFilter f;
    f.type = "deletion";
    f.limit = 500;
    while (true) {
      auto rows = tx.ListRequests(f);
      if (!rows.ok()) return rows.status();
      for (auto& r : *rows)
        if (!IsFinalState(r.state)) affected.push_back(std::move(r));
      if (rows->size() < static_cast<std::size_t>(f.limit)) break;
      f.after_seq = rows->back().seq;
    }
  }
  for (store::RequestRow& r : affected) {
    if (IsFinalState(r.state)) continue;
    const bool was_on_hold = r.state == "on_hold";
    Status s = svc.ApplyInTx(tx, r, event, std::nullopt);
    if (!s.ok() && !s.IsRefused()) return s;
    if (left_hold && was_on_hold && s.ok() && r.state != "on_hold") left_hold->push_back(r.reference);
  }
  return Status::Ok();
}

std::string JoinNames(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

Result<store::HoldRow> PlaceHold(Engine& e, const HoldInput& in) {
  store::HoldRow h;
  h.subject_email = NormalizeEmail(in.subject_email);
  h.account_id = Trim(in.account_id);
  h.scope_table = Trim(in.table);
  h.scope_category = Trim(in.category);
  h.ground = Trim(in.ground).empty() ? "legal_claims" : Trim(in.ground);
  if (h.subject_email.empty() && h.account_id.empty() && h.scope_table.empty() && h.scope_category.empty())
    return Status::Invalid("a legal hold names 'subject_email', 'account_id', 'table' or 'category'");
  if (!h.subject_email.empty() && !IsValidEmail(h.subject_email))
    return Status::Invalid("subject_email must be one email address (local@domain)");
  if (!h.scope_table.empty() && !h.scope_category.empty())
    return Status::Invalid("a legal hold names 'table' or 'category', not both");
  if (Trim(in.matter).empty()) return Status::Invalid("a legal hold names its matter ('matter')");
  if (Trim(in.reason).empty()) return Status::Invalid("a legal hold needs a reason ('reason')");
  if (HoldCitation(h.ground).empty()) {
    std::vector<std::string> names;
    for (const auto& g : HoldGrounds()) names.push_back(g.name);
    return Status::Invalid("'ground' must be one of " + JoinNames(names) + ", not '" + h.ground + "'");
  }
  if (!h.scope_table.empty() || !h.scope_category.empty()) {
    if (e.hold_scopes().empty())
      return Status::Unprocessable("no systems map is configured: a hold cannot name a 'table' or 'category'");
    std::vector<std::string> tables, categories;
    for (const auto& [t, c] : e.hold_scopes()) {
      tables.push_back(t);
      if (std::find(categories.begin(), categories.end(), c) == categories.end()) categories.push_back(c);
    }
    if (!h.scope_table.empty() && std::find(tables.begin(), tables.end(), h.scope_table) == tables.end())
      return Status::Unprocessable("'table': '" + h.scope_table + "' is not a table of the systems map (" +
                                   JoinNames(tables) + ")");
    if (!h.scope_category.empty() &&
        std::find(categories.begin(), categories.end(), h.scope_category) == categories.end())
      return Status::Unprocessable("'category': '" + h.scope_category + "' is not a table category of the systems map (" +
                                   JoinNames(categories) + ")");
  }
  h.id = Secrets::NewUuid();
  h.matter = Trim(in.matter);
  h.reason = in.reason;
  h.placed_by = in.actor;
  h.placed_at = e.clock().Now();
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    if (Status st = tx.InsertHold(h); !st.ok()) return st;
    Event ev;
    ev.name = "hold_placed";
    ev.actor = in.actor;
    ev.reason = in.reason;
    HoldEventData(h, ev);
    return NotifyHold(e, tx, h, ev);
  });
  if (!s.ok()) return s;
  return h;
}

Result<std::vector<store::HoldRow>> ListHolds(Engine& e, bool active_only, const std::string& matter) {
  std::vector<store::HoldRow> rows;
  Status s = e.store().Read([&](store::Tx& tx) {
    auto r = matter.empty() ? tx.ListHolds(active_only) : tx.HoldsOfMatter(matter);
    if (!r.ok()) return r.status();
    for (auto& h : *r)
      if (!active_only || !h.released_at) rows.push_back(std::move(h));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return rows;
}

Result<HoldRelease> ReleaseHold(Engine& e, const std::string& id, const std::string& actor,
                                                const std::string& reason) {
  HoldRelease out;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    out = HoldRelease{};
    if (auto existing = tx.GetHold(id); !existing.ok()) return existing.status();
    if (Status st = tx.ReleaseHold(id, actor, reason, e.clock().Now()); !st.ok()) return st;
    auto got = tx.GetHold(id);
    if (!got.ok()) return got.status();
    out.hold = std::move(got.value());
    const store::HoldRow& h = out.hold;
    Event ev;
    ev.name = "hold_released";
    ev.actor = actor;
    ev.reason = reason;
    HoldEventData(h, ev);
    ev.data["released_by"] = actor;
    if (Status n = NotifyHold(e, tx, h, ev, &out.resumed); !n.ok()) return n;
    // Completed deletions that kept rows for this hold: listed, never re-run (README: Legal holds).
    auto jobs = tx.DoneJobsMentioning("erase", "\"" + h.id + "\"");
    if (!jobs.ok()) return jobs.status();
    for (const store::JobRow& j : *jobs) {
      auto req = tx.GetRequest(j.request_id);
      if (!req.ok()) continue;  // purged
      const json::value result = ParseOr(j.result_json, json::object());
      const json::value* sv = result.is_object() ? result.as_object().if_contains("summary") : nullptr;
      const json::object* summary = sv ? sv->if_object() : nullptr;
      const json::value* retained = summary ? summary->if_contains("retained") : nullptr;
      if (!retained || !retained->is_array()) continue;
      const json::array& entries = retained->as_array();
      for (const json::value& e : entries) {
        if (!e.is_object()) continue;
        const json::object& o = e.as_object();
        bool mine = false;
        if (const auto* ids = o.if_contains("holds"); ids && ids->is_array())
          for (const auto& x : ids->as_array()) mine = mine || (x.is_string() && x.as_string() == h.id);
        if (!mine) continue;
        const std::string table = StringField(e, "table"), category = StringField(e, "category");
        auto still = tx.HoldsCovering(req->subject_email, req->subject_account, table, category);
        if (!still.ok()) return still.status();
        json::array still_ids;
        for (const auto& other : *still) still_ids.emplace_back(other.id);
        json::object f;
        f["request_id"] = req->id;
        f["reference"] = req->reference;
        f["table"] = table;
        f["rows"] = o.contains("rows") ? o.at("rows") : json::value(0);
        f["category"] = category;
        f["still_held_by"] = std::move(still_ids);
        out.retained_now_free.push_back(std::move(f));
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace dsar::service
