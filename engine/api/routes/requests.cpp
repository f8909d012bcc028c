// The request resource: create, list, get, amend, transitions, staff events (contract — HTTP API).
#include "api/router.h"

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "api/cursor.h"
#include "api/json_input.h"
#include "api/presenters.h"
#include "core/model.h"
#include "core/sha256.h"

namespace dsar::api {

namespace json = boost::json;

// POST /requests
Response CreateRequestRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body,
                          {"type", "jurisdiction", "subject", "requester", "channel", "received_at", "details",
                           "language", "verification"},
                          "");
      !s.ok())
    return Fail(c, s);
  service::CreateRequestInput in;
  Status st;
  if (st = StringField(body, "type", "", true, in.type); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "jurisdiction", "", false, in.jurisdiction); !st.ok()) return Fail(c, st);
  const json::object* subject = ObjectField(body, "subject", "", true, st);
  if (!st.ok()) return Fail(c, st);
  if (st = OnlyKeys(*subject, {"email", "name", "phone", "account_id"}, "subject"); !st.ok()) return Fail(c, st);
  if (st = StringField(*subject, "email", "subject", true, in.subject.email); !st.ok()) return Fail(c, st);
  if (st = StringField(*subject, "name", "subject", false, in.subject.name); !st.ok()) return Fail(c, st);
  if (st = StringField(*subject, "phone", "subject", false, in.subject.phone); !st.ok()) return Fail(c, st);
  if (st = StringField(*subject, "account_id", "subject", false, in.subject.account_id); !st.ok()) return Fail(c, st);
  const json::object* requester = ObjectField(body, "requester", "", false, st);
  if (!st.ok()) return Fail(c, st);
  if (requester != nullptr) {
    Requester r;
    if (st = OnlyKeys(*requester, {"email", "name", "relationship", "authority"}, "requester"); !st.ok())
      return Fail(c, st);
    if (st = StringField(*requester, "email", "requester", true, r.email); !st.ok()) return Fail(c, st);
    if (st = StringField(*requester, "name", "requester", false, r.name); !st.ok()) return Fail(c, st);
    if (st = StringField(*requester, "relationship", "requester", false, r.relationship); !st.ok()) return Fail(c, st);
    if (st = StringField(*requester, "authority", "requester", false, r.authority); !st.ok()) return Fail(c, st);
    in.requester = std::move(r);
  }
  std::string channel;
  if (st = StringField(body, "channel", "", false, channel); !st.ok()) return Fail(c, st);
  if (!channel.empty()) in.channel = channel;
  std::string received_at;
  if (st = StringField(body, "received_at", "", false, received_at); !st.ok()) return Fail(c, st);
  if (!received_at.empty()) {
    in.received_at = ParseRfc3339(received_at);
    if (!in.received_at)
      return Fail(c, 400, "field 'received_at' must be an RFC 3339 date-time, e.g. 2026-11-29T15:13:32Z");
  }
  const json::object* details = ObjectField(body, "details", "", false, st);
  if (!st.ok()) return Fail(c, st);
  if (details != nullptr) in.details = *details;
  if (st = StringField(body, "language", "", false, in.language); !st.ok()) return Fail(c, st);
  // Pre-verified (the company's logged-in session) or staff-entered with the evidence seen: the
  // client is authenticated (this route needs a token), and answers for it (issue 5 §1).
  const json::object* verification = ObjectField(body, "verification", "", false, st);
  if (!st.ok()) return Fail(c, st);
  if (verification != nullptr) {
    service::PreVerification pv;
    if (st = OnlyKeys(*verification, {"method", "note"}, "verification"); !st.ok()) return Fail(c, st);
    if (st = StringField(*verification, "method", "verification", true, pv.method); !st.ok()) return Fail(c, st);
    if (st = StringField(*verification, "note", "verification", true, pv.note); !st.ok()) return Fail(c, st);
    in.verification = std::move(pv);
  }
  in.actor = c.actor;

  const std::string_view key = c.req.Header("Idempotency-Key");
  if (!key.empty()) {
    if (key.size() > 255 || std::any_of(key.begin(), key.end(), [](char ch) { return ch < 0x21 || ch > 0x7e; }))
      return Fail(c, 400, "Idempotency-Key must be 1 to 255 visible ASCII characters");
    in.idempotency_key = std::string(key);
    in.fingerprint = Sha256Hex(json::serialize(body));  // the parsed body: spacing does not matter
  }

  auto out = Svc(c).CreateRequest(in);
  if (!out.ok()) return Fail(c, out.status());
  // A replay answers as the first call did (201 + Location), marked as a replay.
  Response r = JsonResponse(201, RequestJson(out->request, Svc(c).clock().Now(), Svc(c).deadlines()));
  r.headers.emplace_back("Location", std::string(kApiPrefix) + "/requests/" + out->request.id);
  if (out->replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

// GET /requests
Response ListRequestsRoute(Call& c) {
  store::RequestFilter f;
  Page page;
  for (const auto& p : c.url.params()) {
    const std::string key = p.key;
    const std::string value = p.has_value ? std::string(p.value) : std::string();
    if (key == "state") {
      if (!value.empty() && !Svc(c).IsStateName(value))
        return Fail(c, 400, "query parameter 'state' must be a state of the workflows (e.g. verifying, "
                            "awaiting_approval, completed)");
      f.state = value;
    } else if (key == "type") {
      if (!value.empty() && !ParseRequestType(value))
        return Fail(c, 400, "query parameter 'type' must be a request type (access, deletion, portability, "
                            "correction, opt_out_sale, opt_out_marketing, objection)");
      f.type = value;
    } else if (key == "jurisdiction") {
      if (!value.empty() && !IsKnownJurisdiction(value))
        return Fail(c, 400, "query parameter 'jurisdiction' must be a known jurisdiction code");
      f.jurisdiction = value;
    } else if (key == "email") {
      f.subject_email = value;
    } else if (key == "overdue") {
      if (value == "true") f.overdue = true;
      else if (value == "false") f.overdue = false;
      else return Fail(c, 400, "query parameter 'overdue' must be true or false");
    } else if (key == "due_before") {
      f.due_before = ParseRfc3339(value);
      if (!f.due_before) return Fail(c, 400, "query parameter 'due_before' must be an RFC 3339 date-time");
    } else if (auto read = ReadPageParam(key, value, page)) {
      if (!read->ok()) return Fail(c, *read);
    } else {
      return Fail(c, 400, "unknown query parameter '" + key +
                              "' (expected: state, type, jurisdiction, email, overdue, due_before, limit, cursor)");
    }
  }
  f.after_seq = page.after;
  f.limit = page.limit + 1;  // one more tells whether there is a next page
  auto rows = Svc(c).List(f);
  if (!rows.ok()) return Fail(c, rows.status());
  const Millis now = Svc(c).clock().Now();  // one clock read for the page
  return PageResponse(
      *rows, page.limit, [&](const service::RequestView& row) { return RequestJson(row, now, Svc(c).deadlines()); },
      [](const service::RequestView& row) { return row.seq; });
}

// GET /requests/{id}
Response GetRequestRoute(Call& c) {
  auto row = Svc(c).Get(c.params[0]);
  if (!row.ok()) return Fail(c, row.status());
  return JsonResponse(200, RequestJson(*row, Svc(c).clock().Now(), Svc(c).deadlines()));
}

// GET /requests/{id}/transitions
Response TransitionsRoute(Call& c) {
  return ItemsResponse(c, Svc(c).Transitions(c.params[0]), TransitionJson);
}

// POST /requests/{id}/events
Response EventRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"event", "reason", "data", "expected_version"}, ""); !s.ok()) return Fail(c, s);
  Event ev;
  Status st;
  if (st = StringField(body, "event", "", true, ev.name); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "reason", "", false, ev.reason); !st.ok()) return Fail(c, st);
  const json::object* data = ObjectField(body, "data", "", false, st);
  if (!st.ok()) return Fail(c, st);
  if (data != nullptr) ev.data = *data;
  std::optional<std::int64_t> expected;
  if (Status s = ExpectedVersion(body, expected); !s.ok()) return Fail(c, s);
  ev.actor = c.actor;
  auto row = Svc(c).ApplyStaffEvent(c.params[0], std::move(ev), expected);
  if (!row.ok()) return Fail(c, row.status());
  return JsonResponse(200, RequestJson(*row, Svc(c).clock().Now(), Svc(c).deadlines()));
}

// PATCH /requests/{id} {jurisdiction?, received_at?, expected_version?}: staff correct the
// jurisdiction (null = unknown) or the true receipt time; the deadline is recomputed.
Response AmendRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"jurisdiction", "received_at", "expected_version"}, ""); !s.ok()) return Fail(c, s);
  std::optional<std::string> jurisdiction;
  if (const json::value* v = body.if_contains("jurisdiction")) {
    if (v->is_null()) jurisdiction = "";
    else if (v->is_string()) jurisdiction = std::string(v->as_string());
    else return Fail(c, 400, "field 'jurisdiction' must be a string or null");
  }
  std::optional<Millis> received_at;
  if (const json::value* v = body.if_contains("received_at")) {
    if (!v->is_string() || !(received_at = ParseRfc3339(v->as_string())))
      return Fail(c, 400, "field 'received_at' must be an RFC 3339 date-time, e.g. 2026-11-29T15:13:32Z");
    if (*received_at > Svc(c).clock().Now()) return Fail(c, 400, "received_at is in the future");
  }
  std::optional<std::int64_t> expected;
  if (Status s = ExpectedVersion(body, expected); !s.ok()) return Fail(c, s);
  auto row = Svc(c).Amend(c.params[0], jurisdiction, received_at, c.actor, expected);
  if (!row.ok()) return Fail(c, row.status());
  return JsonResponse(200, RequestJson(*row, Svc(c).clock().Now(), Svc(c).deadlines()));
}


}  // namespace dsar::api
