#include "api/routes.h"

#include "core/denial.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <cstring>
#include <charconv>
#include <exception>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>

#include "api/problem.h"
#include "api/presenters.h"
#include "holds/holds.h"
#include "identity/agents.h"
#include "identity/api_tokens.h"
#include "identity/codes.h"
#include "identity/data_points.h"
#include "intake/inbound_queue.h"
#include "intake/intake.h"
#include "release/downloads.h"
#include "release/review.h"
#include "requests/tasks.h"
#include "core/encoding.h"
#include "core/html.h"
#include "core/model.h"
#include "core/sha256.h"
#include "mail/outbox/transport.h"
#include "identity/suppression.h"

namespace dsar::api {

namespace json = boost::json;

// ---- small helpers ----

namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  t = Trim(t);
  std::string out(t);
  for (char& c : out) c = Lower(c);
  return out;
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Response JsonResponse(int status, const json::value& body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::string(kJsonContentType));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = json::serialize(body);
  return r;
}

Response StatusProblem(const Status& s, std::string_view instance) {
  Response r;
  r.status = HttpStatusFor(s.kind());
  r.headers.emplace_back("Content-Type", std::string(kProblemContentType));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = json::serialize(ProblemJson(s, instance));
  return r;
}

// ---- JSON input checks: each returns Invalid with a detail naming the field ----

std::string FieldName(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

Status OnlyKeys(const json::object& o, std::initializer_list<std::string_view> allowed, std::string_view prefix) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Status::Invalid("unknown field '" + FieldName(prefix, kv.key()) + "' (expected: " + list + ")");
    }
  }
  return Status::Ok();
}

// An optional (null = absent) or required string field.
Status StringField(const json::object& o, std::string_view key, std::string_view prefix, bool required,
                   std::string& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return Status::Invalid("field '" + FieldName(prefix, key) + "' is required");
    return Status::Ok();
  }
  if (!v->is_string()) return Status::Invalid("field '" + FieldName(prefix, key) + "' must be a string");
  out = std::string(v->as_string());
  if (required && out.empty()) return Status::Invalid("field '" + FieldName(prefix, key) + "' must not be empty");
  return Status::Ok();
}

const json::object* ObjectField(const json::object& o, std::string_view key, std::string_view prefix, bool required,
                                Status& st) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) st = Status::Invalid("field '" + FieldName(prefix, key) + "' is required (an object)");
    return nullptr;
  }
  if (!v->is_object()) {
    st = Status::Invalid("field '" + FieldName(prefix, key) + "' must be an object");
    return nullptr;
  }
  return &v->as_object();
}

// The body as a JSON object. An empty body is an empty object when `empty_ok`.
Status ParseObject(std::string_view body, bool empty_ok, json::object& out) {
  if (Trim(body).empty()) {
    if (empty_ok) return Status::Ok();
    return Status::Invalid("the request body must be a JSON object");
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Status::Invalid("the request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::Invalid("the request body must be a JSON object");
  out = std::move(v.as_object());
  return Status::Ok();
}

// ---- the routes ----

struct Call {
  const Request& req;
  Context& ctx;
  std::vector<std::string> params;  // the {id} segments, decoded
  boost::urls::url_view url;
  std::string path;  // for problem `instance`
  std::string actor;  // "staff:<token name>" on staff routes
};

using RouteFn = Response (*)(Call&);

struct Route {
  std::string_view method;
  std::vector<std::string_view> pattern;  // segments after /api/v1; "{}" matches one non-empty segment
  bool is_public;
  RouteFn fn;
  std::string_view name;  // for logs
};

Response Fail(const Call& c, const Status& s) { return StatusProblem(s, c.path); }
Response Fail(const Call& c, int status, std::string_view detail) { return ProblemResponse(status, detail, c.path); }

// 200 {"items": [...]}: each row of `rows` as `to_json` writes it, or the failure of `rows`.
template <class Rows, class ToJson>
Response ItemsResponse(Call& c, const Result<Rows>& rows, ToJson to_json) {
  if (!rows.ok()) return Fail(c, rows.status());
  json::array items;
  items.reserve(rows->size());
  for (const auto& row : *rows) items.push_back(to_json(row));
  json::object o;
  o["items"] = std::move(items);
  return JsonResponse(200, o);
}

service::Engine& Svc(Call& c) { return c.ctx.service; }

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
  Response r = JsonResponse(201, RequestJson(Svc(c), out->request));
  r.headers.emplace_back("Location", std::string(kApiPrefix) + "/requests/" + out->request.id);
  if (out->replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

// GET /requests
Response ListRequestsRoute(Call& c) {
  store::RequestFilter f;
  int limit = kDefaultPageLimit;
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
    } else if (key == "limit") {
      auto n = ParseInt(value);
      if (!n || *n < 1 || *n > kMaxPageLimit)
        return Fail(c, 400, "query parameter 'limit' must be an integer from 1 to " + std::to_string(kMaxPageLimit));
      limit = static_cast<int>(*n);
    } else if (key == "cursor") {
      auto seq = DecodeCursor(value);
      if (!seq) return Fail(c, 400, "query parameter 'cursor' is not a cursor returned by this API");
      f.after_seq = *seq;
    } else {
      return Fail(c, 400, "unknown query parameter '" + key +
                              "' (expected: state, type, jurisdiction, email, overdue, due_before, limit, cursor)");
    }
  }
  f.limit = limit + 1;  // one more tells whether there is a next page
  auto rows = Svc(c).List(f);
  if (!rows.ok()) return Fail(c, rows.status());
  const bool more = static_cast<int>(rows->size()) > limit;
  if (more) rows->resize(static_cast<std::size_t>(limit));
  json::array items;
  items.reserve(rows->size());
  for (const auto& row : *rows) items.push_back(RequestJson(Svc(c), row));
  json::object o;
  o["items"] = std::move(items);
  o["next_cursor"] = more ? json::value(EncodeCursor(rows->back().seq)) : json::value(nullptr);
  return JsonResponse(200, o);
}

// GET /requests/{id}
Response GetRequestRoute(Call& c) {
  auto row = Svc(c).Get(c.params[0]);
  if (!row.ok()) return Fail(c, row.status());
  return JsonResponse(200, RequestJson(Svc(c), *row));
}

// GET /requests/{id}/transitions
Response TransitionsRoute(Call& c) {
  return ItemsResponse(c, Svc(c).Transitions(c.params[0]), TransitionJson);
}

// The optional `expected_version` of a body: a positive integer, or absent/null.
Status ExpectedVersion(const json::object& body, std::optional<std::int64_t>& out) {
  const json::value* v = body.if_contains("expected_version");
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (v->is_int64() && v->as_int64() >= 1) out = v->as_int64();
  else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    out = static_cast<std::int64_t>(v->as_uint64());
  else return Status::Invalid("field 'expected_version' must be a positive integer");
  return Status::Ok();
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
  return JsonResponse(200, RequestJson(Svc(c), *row));
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
  return JsonResponse(200, RequestJson(Svc(c), *row));
}

// 429 with Retry-After (whole seconds, at least 1): the public verification routes' rate limits.
Response TooManyAttempts(const Call& c, Millis retry_ms,
                         std::string_view detail = "too many verification attempts; try again later") {
  Response r = Fail(c, 429, detail);
  r.headers.emplace_back("Retry-After", std::to_string(std::max<Millis>(1, (retry_ms + 999) / 1000)));
  return r;
}

// POST /requests/{id}/verify (public)
Response VerifyRoute(Call& c) {
  Millis wait = 0;
  auto too_many = [&](Millis retry_ms) { return TooManyAttempts(c, retry_ms); };
  if (!c.ctx.verify_by_client.Allow("client:" + c.req.client, &wait)) return too_many(wait);
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"code"}, ""); !s.ok()) return Fail(c, s);
  std::string code;
  if (Status s = StringField(body, "code", "", true, code); !s.ok()) return Fail(c, s);
  if (code.size() > 64) return Fail(c, 400, "field 'code' is too long");
  auto row = Svc(c).Get(c.params[0]);
  if (!row.ok()) return Fail(c, row.status());
  // Keyed by the request id, so naming the request by its reference does not double the budget.
  if (!c.ctx.verify_by_request.Allow("request:" + row->id, &wait)) return too_many(wait);
  auto verified = Verify(Svc(c), row->id, code, "requester");
  if (!verified.ok()) return Fail(c, verified.status());
  // A public route: only what the requester needs, none of the subject's data.
  json::object o;
  o["reference"] = verified->reference;
  o["state"] = verified->state;
  o["identity_verified"] = verified->identity_verified;
  return JsonResponse(200, o);
}

// POST /requests/{id}/verification/resend (public, rate-limited like /verify; no body): a new
// code to the data subject; 429 + Retry-After within the policy's cooldown, 409 after max_resends.
Response ResendRoute(Call& c) {
  Millis wait = 0;
  auto too_many = [&](Millis retry_ms, std::string_view detail) { return TooManyAttempts(c, retry_ms, detail); };
  if (!c.ctx.verify_by_client.Allow("client:" + c.req.client, &wait))
    return too_many(wait, "too many verification attempts; try again later");
  json::object body;  // none needed; an empty object is accepted
  if (Status s = ParseObject(c.req.body, true, body); !s.ok()) return Fail(c, s);
  if (!body.empty()) return Fail(c, 400, "this endpoint takes no fields");
  auto row = Svc(c).Get(c.params[0]);
  if (!row.ok()) return Fail(c, row.status());
  if (!c.ctx.verify_by_request.Allow("request:" + row->id, &wait))
    return too_many(wait, "too many verification attempts; try again later");
  Millis retry_after = 0;
  auto sent = ResendCode(Svc(c), row->id, "requester", retry_after);
  if (!sent.ok()) {
    if (retry_after > 0) return too_many(retry_after, sent.status().message());
    return Fail(c, sent.status());
  }
  json::object o;  // a public route: nothing about the data subject
  o["reference"] = sent->reference;
  o["state"] = sent->state;
  o["code_sent"] = true;
  return JsonResponse(202, o);
}

// POST /requests/{id}/verification/data-points {points: {name: value}, signed_declaration?} (public,
// rate-limited like /verify): verification by matching data points the company holds (Cal. Code
// Regs. tit. 11 § 7062). 200 {reference, state, identity_verified} when enough matched; 409 with
// the attempts left (or the denial at the policy's limit) otherwise. The answer never says which
// points matched, and the values are never logged.
Response DataPointsRoute(Call& c) {
  Millis wait = 0;
  auto too_many = [&](Millis retry_ms) { return TooManyAttempts(c, retry_ms); };
  if (!c.ctx.verify_by_client.Allow("client:" + c.req.client, &wait)) return too_many(wait);
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"points", "signed_declaration"}, ""); !s.ok()) return Fail(c, s);
  Status st;
  const json::object* pts = ObjectField(body, "points", "", true, st);
  if (!st.ok()) return Fail(c, st);
  if (pts->size() > 20) return Fail(c, 400, "field 'points' has too many entries (at most 20)");
  std::map<std::string, std::string> points;
  for (const auto& kv : *pts) {
    if (!kv.value().is_string()) return Fail(c, 400, "field 'points." + std::string(kv.key()) + "' must be a string");
    points[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  bool declaration = false;
  if (const json::value* d = body.if_contains("signed_declaration"); d != nullptr && !d->is_null()) {
    if (!d->is_bool()) return Fail(c, 400, "field 'signed_declaration' must be true or false");
    declaration = d->as_bool();
  }
  auto row = Svc(c).Get(c.params[0]);
  if (!row.ok()) return Fail(c, row.status());
  if (!c.ctx.verify_by_request.Allow("request:" + row->id, &wait)) return too_many(wait);
  auto out = VerifyDataPoints(Svc(c), row->id, points, declaration, "requester");
  if (!out.ok()) return Fail(c, out.status());
  json::object o;  // a public route: nothing about the data subject or the points
  o["reference"] = out->request.reference;
  o["state"] = out->request.state;
  o["identity_verified"] = out->request.identity_verified;
  return JsonResponse(200, o);
}

// POST /requests/{id}/agent-authorization {kind, note, evidence_ref?, expected_version?} (staff):
// records an authorized agent's authority (Cal. Code Regs. tit. 11 § 7063): kind
// signed_permission (§ 7063(a); the data subject also verifies directly) or power_of_attorney
// (§ 7063(b); Cal. Prob. Code §§ 4121-4130) or parental_responsibility (§ 7070; GDPR Art. 8(2)).
// 200 with the request resource; 400 for a bad kind
// or no note, 422 when the request has no agent, 409 when closed or the version is stale.
Response AgentAuthorizationRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"kind", "note", "evidence_ref", "expected_version"}, ""); !s.ok()) return Fail(c, s);
  std::string kind, note, evidence;
  Status st;
  if (st = StringField(body, "kind", "", true, kind); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "note", "", true, note); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "evidence_ref", "", false, evidence); !st.ok()) return Fail(c, st);
  if (evidence.size() > 500) return Fail(c, 400, "field 'evidence_ref' is too long (at most 500 bytes)");
  std::optional<std::int64_t> expected;
  if (Status s = ExpectedVersion(body, expected); !s.ok()) return Fail(c, s);
  auto row = RecordAgentAuthorization(Svc(c), c.params[0], kind, note, evidence, c.actor, expected);
  if (!row.ok()) return Fail(c, row.status());
  return JsonResponse(200, RequestJson(Svc(c), *row));
}

// GET /requests/{id}/export
Response ExportRoute(Call& c) {
  auto file = Export(Svc(c), c.params[0]);
  if (!file.ok()) return Fail(c, file.status());
  if (file->deleted_at)
    return Fail(c, 410,
                "the package was deleted at " + FormatRfc3339(*file->deleted_at) +
                    " after its download link expired (records retention); run a new access request to produce one");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file->path, ec))
    return Fail(c, Status::NotFound("the export package file is no longer available"));
  Response r;
  r.status = 200;
  r.file_path = file->path;
  r.headers.emplace_back("Content-Type", file->content_type);
  std::string name;
  for (char ch : file->filename)  // a header-safe filename
    name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.') ? ch : '_';
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// GET /requests/{id}/package: what the access package under review holds (issue 5 §5).
Response PackageReviewRoute(Call& c) {
  auto o = PackageReview(Svc(c), c.params[0]);
  if (!o.ok()) return Fail(c, o.status());
  return JsonResponse(200, *o);
}

// GET /requests/{id}/package/tables/{table}?offset=0&limit=50 (limit at most 500): one page of
// a table's rows as staged, with the redactions made so far.
Response PackageRowsRoute(Call& c) {
  std::int64_t offset = 0, limit = 50;
  for (const auto& p : c.url.params()) {
    const std::string key = p.key;
    const auto v = ParseInt(p.has_value ? std::string(p.value) : std::string());
    if (key != "offset" && key != "limit")
      return Fail(c, 400, "unknown query parameter '" + key + "' (expected: offset, limit)");
    if (!v || *v < 0 || (key == "limit" && (*v < 1 || *v > 500)))
      return Fail(c, 400, "query parameter '" + key + "' must be " +
                              (key == "limit" ? "an integer from 1 to 500" : "a non-negative integer"));
    (key == "offset" ? offset : limit) = *v;
  }
  auto o = PackageRows(Svc(c), c.params[0], c.params[1], offset, limit);
  if (!o.ok()) return Fail(c, o.status());
  return JsonResponse(200, *o);
}

// POST /requests/{id}/package/redactions {table, row, column?, reason_code, reason,
// expected_version?}: 201 with the package review (GET /package) and the request's version.
Response RedactRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"table", "row", "column", "reason_code", "reason", "expected_version"}, "");
      !s.ok())
    return Fail(c, s);
  service::RedactionInput in;
  Status st;
  if (st = StringField(body, "table", "", true, in.table); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "column", "", false, in.column); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "reason_code", "", true, in.reason_code); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "reason", "", true, in.reason); !st.ok()) return Fail(c, st);
  const json::value* row = body.if_contains("row");
  if (row == nullptr || !row->is_int64() || row->as_int64() < 0)
    return Fail(c, 400, "field 'row' is required: the row's 0-based position in the package's table");
  in.row = row->as_int64();
  std::optional<std::int64_t> expected;
  if (Status s = ExpectedVersion(body, expected); !s.ok()) return Fail(c, s);
  in.actor = c.actor;
  auto done = Redact(Svc(c), c.params[0], in, expected);
  if (!done.ok()) return Fail(c, done.status());
  auto o = PackageReview(Svc(c), done->id);
  if (!o.ok()) return Fail(c, o.status());
  o->emplace("version", done->version);
  return JsonResponse(201, *o);
}

// POST /suppression/check {"identifiers": [{"kind"?, "value"} | {"kind", "hash"}]} (at most 1000):
// 200 {"results": [{"kind", "suppressed"}]} in order (issue 5 §6). A value is normalised and
// hashed here (kind guessed when absent); a hash is the keyed hash a system holding the server
// key computed itself. Identifiers travel in the body, never in a URL that logs could keep.
Response SuppressionCheckRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"identifiers"}, ""); !s.ok()) return Fail(c, s);
  const json::value* ids = body.if_contains("identifiers");
  if (ids == nullptr || !ids->is_array() || ids->as_array().empty() || ids->as_array().size() > 1000)
    return Fail(c, 400, "field 'identifiers' must be a list of 1 to 1000 {kind?, value} or {kind, hash} objects");
  json::array results;
  for (const auto& item : ids->as_array()) {
    const std::string at = "identifiers[" + std::to_string(results.size()) + "]";
    if (!item.is_object()) return Fail(c, 400, at + " must be an object");
    const json::object& o = item.as_object();
    if (Status s = OnlyKeys(o, {"kind", "value", "hash"}, at); !s.ok()) return Fail(c, s);
    std::string kind, value, hash;
    Status st;
    if (st = StringField(o, "kind", at, false, kind); !st.ok()) return Fail(c, st);
    if (st = StringField(o, "value", at, false, value); !st.ok()) return Fail(c, st);
    if (st = StringField(o, "hash", at, false, hash); !st.ok()) return Fail(c, st);
    if (value.empty() == hash.empty()) return Fail(c, 400, at + " needs either a value or a hash");
    if (kind.empty()) {
      if (!hash.empty()) return Fail(c, 400, at + ": a hash needs its kind (email, account_id or phone)");
      kind = service::GuessIdentifierKind(value);
    }
    if (kind != "email" && kind != "account_id" && kind != "phone")
      return Fail(c, 400, at + ".kind must be email, account_id or phone");
    if (!hash.empty() && (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos))
      return Fail(c, 400, at + ".hash must be 64 lowercase hex digits (HMAC-SHA-256)");
    if (!value.empty() && service::NormalizeIdentifier(kind, value).empty())
      return Fail(c, 400, at + ".value is not a valid " + kind);
    auto found = hash.empty() ? IsSuppressed(Svc(c), kind, value)
                              : service::IsHashSuppressed(Svc(c).store(), kind, hash);
    if (!found.ok()) return Fail(c, found.status());
    results.push_back(json::object{{"kind", kind}, {"suppressed", *found}});
  }
  return JsonResponse(200, json::object{{"results", std::move(results)}});
}

// DELETE /requests/{id}/package/redactions/{version} {reason, expected_version?}: withdraws a
// redaction (its `version` in GET /package); 200 with the package review.
Response UnredactRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"reason", "expected_version"}, ""); !s.ok()) return Fail(c, s);
  std::string reason;
  if (Status s = StringField(body, "reason", "", true, reason); !s.ok()) return Fail(c, s);
  const auto version = ParseInt(c.params[1]);
  if (!version || *version < 1) return Fail(c, 400, "the redaction is named by its version, a positive integer");
  std::optional<std::int64_t> expected;
  if (Status s = ExpectedVersion(body, expected); !s.ok()) return Fail(c, s);
  auto done = Unredact(Svc(c), c.params[0], *version, reason, c.actor, expected);
  if (!done.ok()) return Fail(c, done.status());
  auto o = PackageReview(Svc(c), done->id);
  if (!o.ok()) return Fail(c, o.status());
  o->emplace("version", done->version);
  return JsonResponse(200, *o);
}

// The page a person sees when a download link does not work (issue 5 §5): why, and how to get a
// new link. Nothing about the request (not even its reference) is shown to whoever holds the link.
Response DownloadPage(int status, std::string_view why, const service::Config& cfg) {
  const std::string privacy = HtmlEscape(service::AddrSpec(cfg.mail_from));
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Robots-Tag", "noindex");
  r.body = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<title>This download link no longer works</title></head>\n<body>\n"
           "<h1>This download link no longer works</h1>\n<p>" +
           HtmlEscape(why) +
           "</p>\n<p>To get a new link, reply to our email about your request, quoting its reference "
           "(it looks like DSR-XXXX-XXXX), or write to <a href=\"mailto:" +
           privacy + "\">" + privacy + "</a>.</p>\n<p>" + HtmlEscape(cfg.controller_name) +
           " privacy team</p>\n</body></html>\n";
  return r;
}

// GET /d/{token} (public, outside /api/v1): the requester's download.
Response DownloadRoute(Call& c) {
  Millis wait = 0;
  if (!c.ctx.download_by_client.Allow("client:" + c.req.client, &wait)) {
    Response r = Fail(c, 429, "too many download attempts; try again later");
    r.headers.emplace_back("Retry-After", std::to_string(std::max<Millis>(1, (wait + 999) / 1000)));
    return r;
  }
  const service::Config& cfg = Svc(c).config();
  auto got = Download(Svc(c), c.params[0]);
  if (!got.ok()) return Fail(c, got.status());
  const std::string& outcome = got->outcome;
  if (outcome == "unknown")
    return DownloadPage(404, "We could not find this download link. Please check that you copied the whole address.",
                        cfg);
  if (outcome == "expired") return DownloadPage(410, "This download link has expired.", cfg);
  if (outcome == "exhausted")
    return DownloadPage(410, "This download link has been used the maximum number of times.", cfg);
  if (outcome == "revoked") return DownloadPage(410, "A newer download link has replaced this one.", cfg);
  if (outcome != "ok") return DownloadPage(410, "The file behind this download link is no longer available.", cfg);
  Response r;
  r.status = 200;
  r.file_path = got->file.path;
  r.headers.emplace_back("Content-Type", got->file.content_type);
  std::string name;
  for (char ch : got->file.filename)  // a header-safe filename
    name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.') ? ch : '_';
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

// POST /requests/{id}/download-link (staff; no fields): a new link for the requester.
Response IssueDownloadLinkRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, true, body); !s.ok()) return Fail(c, s);
  if (!body.empty()) return Fail(c, 400, "this endpoint takes no fields");
  auto row = Svc(c).Get(c.params[0]);
  if (!row.ok()) return Fail(c, row.status());
  auto link = IssueDownloadLink(Svc(c), row->id, c.actor);
  if (!link.ok()) return Fail(c, link.status());
  json::object o;  // the link itself goes only to the data subject, by mail
  o["reference"] = row->reference;
  o["expires_at"] = FormatRfc3339(link->expires_at);
  o["max_downloads"] = link->max_downloads;
  o["mailed"] = true;
  return JsonResponse(201, o);
}

// POST /legal-holds {subject_email?, account_id?, table?, category?, matter, ground?, reason}:
// 201 with the hold. 400 names the field (missing matter/reason, no scope, a table and a category
// together, an unknown ground); 422 for a table or category the systems map lacks.
Response PlaceHoldRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"subject_email", "account_id", "table", "category", "matter", "ground", "reason"}, "");
      !s.ok())
    return Fail(c, s);
  service::HoldInput in;
  Status st;
  if (st = StringField(body, "subject_email", "", false, in.subject_email); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "account_id", "", false, in.account_id); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "table", "", false, in.table); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "category", "", false, in.category); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "matter", "", true, in.matter); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "ground", "", false, in.ground); !st.ok()) return Fail(c, st);
  if (st = StringField(body, "reason", "", true, in.reason); !st.ok()) return Fail(c, st);
  in.actor = c.actor;
  auto hold = PlaceHold(Svc(c), in);
  if (!hold.ok()) return Fail(c, hold.status());
  Response r = JsonResponse(201, HoldJson(*hold));
  r.headers.emplace_back("Location", std::string(kApiPrefix) + "/legal-holds/" + hold->id);
  return r;
}

// GET /legal-holds?active=true|false&matter=ID
Response ListHoldsRoute(Call& c) {
  std::optional<bool> active;
  std::string matter;
  for (const auto& p : c.url.params()) {
    const std::string key = p.key;
    const std::string value = p.has_value ? std::string(p.value) : std::string();
    if (key == "matter") {
      matter = value;
      continue;
    }
    if (key != "active") return Fail(c, 400, "unknown query parameter '" + key + "' (expected: active, matter)");
    if (value == "true") active = true;
    else if (value == "false") active = false;
    else return Fail(c, 400, "query parameter 'active' must be true or false");
  }
  auto holds = ListHolds(Svc(c), active.value_or(false), matter);
  if (!holds.ok()) return Fail(c, holds.status());
  json::array items;
  for (const auto& h : *holds)
    if (!(active == false && !h.released_at)) items.push_back(HoldJson(h));
  json::object o;
  o["items"] = std::move(items);
  return JsonResponse(200, o);
}

// DELETE /legal-holds/{id} {reason}: the reason is required (the release is audited on every
// request the hold covered, as its placement was); 200 with the released hold, plus "resumed" (references of
// the requests that left on_hold) and "retained_now_free" (completed deletions that kept rows for
// this hold: staff open a new erasure for them; a release never re-runs one by itself).
Response ReleaseHoldRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"reason"}, ""); !s.ok()) return Fail(c, s);
  std::string reason;
  if (Status s = StringField(body, "reason", "", true, reason); !s.ok()) return Fail(c, s);
  if (Trim(reason).empty()) return Fail(c, Status::Invalid("field 'reason' must say why the hold is released"));
  auto released = ReleaseHold(Svc(c), c.params[0], c.actor, reason);
  if (!released.ok()) return Fail(c, released.status());
  json::object o = HoldJson(released->hold);
  json::array resumed;
  for (const auto& ref : released->resumed) resumed.emplace_back(ref);
  o["resumed"] = std::move(resumed);
  o["retained_now_free"] = released->retained_now_free;
  return JsonResponse(200, o);
}

// POST /intake/mail
Response IntakeMailRoute(Call& c) {
  if (MediaType(c.req.Header("Content-Type")) != "message/rfc822")
    return Fail(c, 415, "POST /intake/mail takes a raw message with Content-Type: message/rfc822");
  if (c.req.body.empty()) return Fail(c, 400, "the request body must be an RFC 5322 message");
  auto out = IntakeMail(Svc(c), c.req.body);
  if (!out.ok()) {
    // Not stored (the database is busy or failing): 503 with Retry-After, so that a provider's
    // webhook keeps the message and tries again (a 4xx is final for many of them).
    if (out.status().IsConflict() || out.status().IsIoError()) {
      Response r = Fail(c, 503, "the message was not stored: " + out.status().message() + "; send it again later");
      r.headers.emplace_back("Retry-After", "30");
      return r;
    }
    return Fail(c, out.status());
  }
  json::object o;
  o["outcome"] = out->kind;
  o["reference"] = out->reference.empty() ? json::value(nullptr) : json::value(out->reference);
  o["line"] = out->line;
  o["message_row"] = out->message_row;
  Response r = JsonResponse(out->kind == "request" ? 201 : 200, o);
  if (out->kind == "request") r.headers.emplace_back("Location", std::string(kApiPrefix) + "/requests/" + out->reference);
  return r;
}

// GET /intake/messages?outcome=triage|ignored|request|reply|redelivery|refused&limit=&cursor=
Response ListInboundRoute(Call& c) {
  std::string outcome = "triage";
  int limit = kDefaultPageLimit;
  std::int64_t after = 0;
  for (const auto& p : c.url.params()) {
    const std::string key = p.key;
    const std::string value = p.has_value ? std::string(p.value) : std::string();
    if (key == "outcome") {
      const auto& known = service::InboundOutcomes();
      if (std::find(known.begin(), known.end(), value) == known.end())
        return Fail(c, 400, "query parameter 'outcome' must be triage, ignored, request, reply, redelivery or refused");
      outcome = value;
    } else if (key == "limit") {
      auto n = ParseInt(value);
      if (!n || *n < 1 || *n > kMaxPageLimit)
        return Fail(c, 400, "query parameter 'limit' must be an integer from 1 to " + std::to_string(kMaxPageLimit));
      limit = static_cast<int>(*n);
    } else if (key == "cursor") {
      auto id = DecodeCursor(value);
      if (!id) return Fail(c, 400, "query parameter 'cursor' is not a cursor returned by this API");
      after = *id;
    } else {
      return Fail(c, 400, "unknown query parameter '" + key + "' (expected: outcome, limit, cursor)");
    }
  }
  auto rows = ListInbound(Svc(c), outcome, after, limit + 1);  // one more tells whether there is a next page
  if (!rows.ok()) return Fail(c, rows.status());
  const bool more = static_cast<int>(rows->size()) > limit;
  if (more) rows->resize(static_cast<std::size_t>(limit));
  json::array items;
  items.reserve(rows->size());
  for (const auto& m : *rows) items.push_back(InboundJson(m));
  json::object o;
  o["items"] = std::move(items);
  o["next_cursor"] = more ? json::value(EncodeCursor(rows->back().row.id)) : json::value(nullptr);
  return JsonResponse(200, o);
}

// GET /intake/messages/{id}
Response GetInboundRoute(Call& c) {
  auto id = ParseInt(c.params[0]);
  if (!id || *id < 1) return Fail(c, 404, "no inbound message '" + c.params[0] + "'");
  auto m = GetInbound(Svc(c), *id);
  if (!m.ok()) return Fail(c, m.status());
  return JsonResponse(200, InboundJson(*m));
}

// GET /healthz
// GET /denial-reasons: the fixed list a `deny` event's data.reason_code is taken from (core/denial.h).
Response DenialReasonsRoute(Call&) {
  json::array list;
  for (const auto& r : DenialReasons()) {
    json::object o;
    o["code"] = std::string(r.code);
    o["basis"] = std::string(r.basis);
    list.push_back(std::move(o));
  }
  json::object out;
  out["items"] = std::move(list);
  return JsonResponse(200, out);
}

// ---- tasks, the step ledger, webhook callbacks (issue 5 §4) ----

// GET /tasks: the open staff tasks of every request, oldest first.
Response ListTasksRoute(Call& c) {
  return ItemsResponse(c, Tasks(Svc(c), ""), TaskJson);
}

// GET /requests/{id}/tasks: every task of the request (open and completed).
Response RequestTasksRoute(Call& c) {
  return ItemsResponse(c, Tasks(Svc(c), c.params[0]), TaskJson);
}

// POST /requests/{id}/tasks/{task}/complete: JSON {note, expected_version?} (Content-Type
// application/json, none, or application/x-www-form-urlencoded: what `curl -d` sends), or any
// other Content-Type: the body is the evidence file (stored with its SHA-256), `?note=` optional.
Response CompleteTaskRoute(Call& c) {
  const std::string media = MediaType(c.req.Header("Content-Type"));
  std::string note;
  std::optional<std::int64_t> expected;
  std::optional<service::EvidenceUpload> file;
  if (media == "application/json" || media.empty() || media == "application/x-www-form-urlencoded") {
    json::object body;
    if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
    if (Status s = OnlyKeys(body, {"note", "expected_version"}, ""); !s.ok()) return Fail(c, s);
    if (Status s = StringField(body, "note", "", true, note); !s.ok()) return Fail(c, s);
    if (Status s = ExpectedVersion(body, expected); !s.ok()) return Fail(c, s);
  } else {
    if (c.req.body.empty()) return Fail(c, 400, "the evidence file is empty");
    for (const auto& p : c.url.params()) {
      if (std::string(p.key) == "note" && p.has_value) note = std::string(p.value);
      else return Fail(c, 400, "unknown query parameter '" + std::string(p.key) + "' (expected: note)");
    }
    file = service::EvidenceUpload{c.req.body, media};
  }
  auto row = CompleteTask(Svc(c), c.params[0], c.params[1], note, file, c.actor, expected);
  if (!row.ok()) return Fail(c, row.status());
  return JsonResponse(200, RequestJson(Svc(c), *row));
}

// GET /requests/{id}/steps: the step ledger, oldest first.
Response StepsRoute(Call& c) {
  return ItemsResponse(c, Ledger(Svc(c), c.params[0]), LedgerJson);
}

// POST /callbacks/{token} (PUBLIC: the one-time token is the credential): {"status":
// "completed"|"failed", ...}. 200 {reference, system, action, status}; 404 unknown token; 410
// used, replaced or expired; 400 a body without a known status.
Response CallbackRoute(Call& c) {
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  bool gone = false;
  auto out = Callback(Svc(c), c.params[0], body, gone);
  if (!out.ok()) {
    if (gone) return Fail(c, 410, out.status().message());
    if (out.status().IsNotFound()) return Fail(c, 404, "no such callback");
    return Fail(c, out.status());
  }
  json::object o;
  o["reference"] = out->reference;
  o["system"] = out->system;
  o["action"] = out->action;
  o["status"] = out->status;
  return JsonResponse(200, o);
}

Response HealthRoute(Call&) {
  json::object o;
  o["status"] = "ok";
  return JsonResponse(200, o);
}

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = {
      {"POST", {"requests"}, false, CreateRequestRoute, "POST /requests"},
      {"GET", {"requests"}, false, ListRequestsRoute, "GET /requests"},
      {"GET", {"requests", "{}"}, false, GetRequestRoute, "GET /requests/{id}"},
      {"PATCH", {"requests", "{}"}, false, AmendRoute, "PATCH /requests/{id}"},
      {"GET", {"requests", "{}", "transitions"}, false, TransitionsRoute, "GET /requests/{id}/transitions"},
      {"POST", {"requests", "{}", "events"}, false, EventRoute, "POST /requests/{id}/events"},
      {"POST", {"requests", "{}", "verify"}, true, VerifyRoute, "POST /requests/{id}/verify"},
      {"POST", {"requests", "{}", "verification", "resend"}, true, ResendRoute,
       "POST /requests/{id}/verification/resend"},
      {"POST", {"requests", "{}", "verification", "data-points"}, true, DataPointsRoute,
       "POST /requests/{id}/verification/data-points"},
      {"POST", {"requests", "{}", "agent-authorization"}, false, AgentAuthorizationRoute,
       "POST /requests/{id}/agent-authorization"},
      {"GET", {"requests", "{}", "export"}, false, ExportRoute, "GET /requests/{id}/export"},
      {"GET", {"requests", "{}", "package"}, false, PackageReviewRoute, "GET /requests/{id}/package"},
      {"GET", {"requests", "{}", "package", "tables", "{}"}, false, PackageRowsRoute,
       "GET /requests/{id}/package/tables/{table}"},
      {"POST", {"requests", "{}", "package", "redactions"}, false, RedactRoute,
       "POST /requests/{id}/package/redactions"},
      {"DELETE", {"requests", "{}", "package", "redactions", "{}"}, false, UnredactRoute,
       "DELETE /requests/{id}/package/redactions/{version}"},
      {"POST", {"requests", "{}", "download-link"}, false, IssueDownloadLinkRoute,
       "POST /requests/{id}/download-link"},
      {"POST", {"legal-holds"}, false, PlaceHoldRoute, "POST /legal-holds"},
      {"GET", {"legal-holds"}, false, ListHoldsRoute, "GET /legal-holds"},
      {"DELETE", {"legal-holds", "{}"}, false, ReleaseHoldRoute, "DELETE /legal-holds/{id}"},
      {"POST", {"intake", "mail"}, false, IntakeMailRoute, "POST /intake/mail"},
      {"GET", {"intake", "messages"}, false, ListInboundRoute, "GET /intake/messages"},
      {"GET", {"intake", "messages", "{}"}, false, GetInboundRoute, "GET /intake/messages/{id}"},
      {"GET", {"denial-reasons"}, false, DenialReasonsRoute, "GET /denial-reasons"},
      {"GET", {"tasks"}, false, ListTasksRoute, "GET /tasks"},
      {"GET", {"requests", "{}", "tasks"}, false, RequestTasksRoute, "GET /requests/{id}/tasks"},
      {"POST", {"requests", "{}", "tasks", "{}", "complete"}, false, CompleteTaskRoute,
       "POST /requests/{id}/tasks/{task}/complete"},
      {"GET", {"requests", "{}", "steps"}, false, StepsRoute, "GET /requests/{id}/steps"},
      {"POST", {"callbacks", "{}"}, true, CallbackRoute, "POST /callbacks/{token}"},
      {"POST", {"suppression", "check"}, false, SuppressionCheckRoute, "POST /suppression/check"},
      {"GET", {"healthz"}, true, HealthRoute, "GET /healthz"},
  };
  return routes;
}

bool Match(const Route& route, const std::vector<std::string>& segs, std::vector<std::string>& params) {
  if (route.pattern.size() != segs.size()) return false;
  std::vector<std::string> got;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (route.pattern[i] == "{}") {
      if (segs[i].empty()) return false;
      got.push_back(segs[i]);
    } else if (route.pattern[i] != segs[i]) {
      return false;
    }
  }
  params = std::move(got);
  return true;
}

// Ok (and `staff` set to the token's name) when the bearer token is valid; otherwise the 401
// response to send.
std::optional<Response> CheckBearer(const Request& req, Context& ctx, std::string_view path, std::string& staff) {
  auto unauthorized = [&](std::string_view detail, bool invalid) {
    Response r = ProblemResponse(401, detail, path);
    r.headers.emplace_back("WWW-Authenticate",
                           invalid ? "Bearer realm=\"dsar\", error=\"invalid_token\"" : "Bearer realm=\"dsar\"");
    return r;
  };
  std::string_view auth = Trim(req.Header("Authorization"));
  if (auth.empty()) return unauthorized("this endpoint needs Authorization: Bearer <token>", false);
  const std::size_t sp = auth.find(' ');
  if (sp == std::string_view::npos || !IEquals(auth.substr(0, sp), "Bearer"))
    return unauthorized("this endpoint needs Authorization: Bearer <token>", false);
  std::string_view token = Trim(auth.substr(sp + 1));
  if (token.empty() || token.size() > 512) return unauthorized("the bearer token is not valid", true);
  auto name = TokenName(ctx.service, std::string(token));
  if (!name.ok()) return StatusProblem(name.status(), path);
  if (!name->has_value()) return unauthorized("the bearer token is not valid", true);
  staff = **name;
  return std::nullopt;
}

Response Dispatch(const Request& req, Context& ctx) {
  auto parsed = boost::urls::parse_origin_form(req.target);
  if (!parsed) return ProblemResponse(400, "the request target is not a valid origin-form URI");
  const boost::urls::url_view url = *parsed;
  std::vector<std::string> segs;
  for (auto seg : url.segments()) segs.push_back(std::string(seg));
  const std::string path = std::string(url.encoded_path());

  // /healthz is also served at the root, for load balancers.
  const bool root_health = segs.size() == 1 && segs[0] == "healthz";
  // The requester's download link, /d/{token}, is served at the root only.
  const bool root_download = segs.size() == 2 && segs[0] == "d";
  if (root_download) {
    Call call{req, ctx, {segs[1]}, url, path, "requester"};
    Response r = req.method == "GET"
                     ? DownloadRoute(call)
                     : ProblemResponse(405, "method " + req.method + " is not allowed here (allowed: GET)", path);
    if (r.status == 405) r.headers.emplace_back("Allow", "GET");
    r.route = "GET /d/{token}";
    return r;
  }
  if (!root_health) {
    if (segs.size() < 2 || segs[0] != "api" || segs[1] != "v1") {
      Response r = ProblemResponse(404, "no such endpoint", path);
      r.route = "unknown";
      return r;
    }
    segs.erase(segs.begin(), segs.begin() + 2);
  }

  std::vector<std::string> params;
  const Route* found = nullptr;
  std::string allow;
  for (const Route& route : Routes()) {
    std::vector<std::string> p;
    if (!Match(route, segs, p)) continue;
    if (route.method == req.method) {
      found = &route;
      params = std::move(p);
      break;
    }
    if (allow.find(route.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + std::string(route.method);
  }
  if (found == nullptr) {
    if (allow.empty()) {
      Response r = ProblemResponse(404, "no such endpoint", path);
      r.route = "unknown";
      return r;
    }
    Response r = ProblemResponse(405, "method " + req.method + " is not allowed here (allowed: " + allow + ")", path);
    r.headers.emplace_back("Allow", allow);
    r.route = "405";
    return r;
  }

  Call call{req, ctx, std::move(params), url, path, "api"};
  Response r;
  if (!found->is_public) {
    std::string staff;
    if (auto denied = CheckBearer(req, ctx, path, staff)) {
      denied->route = std::string(found->name);
      return *denied;
    }
    call.actor = "staff:" + staff;
  }
  r = found->fn(call);
  r.route = std::string(found->name);
  return r;
}

}  // namespace

// ---- public functions ----

bool HeaderLess::operator()(std::string_view a, std::string_view b) const {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const char x = Lower(a[i]), y = Lower(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (IEquals(k, name)) return v;
  return {};
}

bool RateLimiter::Allow(const std::string& key, Millis* retry_after_ms) {
  const Millis now = clock_.Now();
  const double rate = static_cast<double>(capacity_) / static_cast<double>(period_);  // tokens per ms
  std::lock_guard lock(mu_);
  if (buckets_.size() >= max_keys_ && buckets_.find(key) == buckets_.end()) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      const double t = it->second.tokens + static_cast<double>(now - it->second.at) * rate;
      it = t >= capacity_ ? buckets_.erase(it) : std::next(it);
    }
    if (buckets_.size() >= max_keys_) {  // still full: refuse new keys rather than grow
      if (retry_after_ms) *retry_after_ms = period_ / capacity_;
      return false;
    }
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{static_cast<double>(capacity_), now});
  Bucket& b = it->second;
  if (now > b.at) {
    b.tokens = std::min<double>(capacity_, b.tokens + static_cast<double>(now - b.at) * rate);
    b.at = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retry_after_ms) *retry_after_ms = static_cast<Millis>((1.0 - b.tokens) / rate) + 1;
  return false;
}

std::size_t BodyLimitFor(std::string_view method, std::string_view target, std::size_t mail_limit) {
  std::string_view path = target.substr(0, target.find('?'));
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (method == "POST" && path == "/api/v1/intake/mail") return mail_limit;
  // An evidence file for a task: POST /api/v1/requests/{id}/tasks/{task}/complete.
  if (method == "POST" && path.rfind("/api/v1/requests/", 0) == 0 && path.size() > 9 &&
      path.substr(path.size() - 9) == "/complete" && path.find("/tasks/") != std::string_view::npos)
    return mail_limit;
  return kJsonBodyLimit;
}

Response ProblemResponse(int status, std::string_view detail, std::string_view instance) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::string(kProblemContentType));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = json::serialize(ProblemJson(status, detail, instance));
  return r;
}

std::string EncodeCursor(std::int64_t seq) { return Base64UrlEncode("seq:" + std::to_string(seq)); }

std::optional<std::int64_t> DecodeCursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 64) return std::nullopt;
  auto raw = Base64UrlDecode(cursor);
  if (!raw || raw->rfind("seq:", 0) != 0) return std::nullopt;
  auto n = ParseInt(std::string_view(*raw).substr(4));
  if (!n || *n < 0) return std::nullopt;
  return n;
}

Response Handle(const Request& request, Context& context) {
  try {
    return Dispatch(request, context);
  } catch (const std::exception&) {
    Response r = ProblemResponse(500, "internal error; the operation was not completed");
    r.route = "exception";
    return r;
  }
}

}  // namespace dsar::api
