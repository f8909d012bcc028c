// Identity verification (public, rate-limited) and agent authorization routes.
#include "api/router.h"

#include <map>

#include "api/json_input.h"
#include "api/presenters.h"
#include "identity/agents.h"
#include "identity/codes.h"
#include "identity/data_points.h"

namespace dsar::api {

namespace json = boost::json;

namespace {

constexpr std::string_view kTooManyAttempts = "too many verification attempts; try again later";

// The per-client budget of the public verification routes: Ok, or RateLimited (429).
Status WithinClientBudget(Call& c) { return c.ctx.verify_by_client.Take("client:" + c.req.client, kTooManyAttempts); }

// The id of the request the route names, once its own budget allows one more attempt: keyed by
// the request id, so naming the request by its reference does not double the budget.
Result<std::string> WithinRequestBudget(Call& c) {
  auto row = Svc(c).Get(c.params[0]);
  if (!row.ok()) return row.status();
  if (Status s = c.ctx.verify_by_request.Take("request:" + row->id, kTooManyAttempts); !s.ok()) return s;
  return row->id;
}

// A public route: only what the requester needs, none of the subject's data.
json::object PublicState(const store::RequestRow& r) {
  json::object o;
  o["reference"] = r.reference;
  o["state"] = r.state;
  o["identity_verified"] = r.identity_verified;
  return o;
}

}  // namespace

// POST /requests/{id}/verify (public)
Response VerifyRoute(Call& c) {
  if (Status s = WithinClientBudget(c); !s.ok()) return Fail(c, s);
  json::object body;
  if (Status s = ParseObject(c.req.body, false, body); !s.ok()) return Fail(c, s);
  if (Status s = OnlyKeys(body, {"code"}, ""); !s.ok()) return Fail(c, s);
  std::string code;
  if (Status s = StringField(body, "code", "", true, code); !s.ok()) return Fail(c, s);
  if (code.size() > 64) return Fail(c, 400, "field 'code' is too long");
  auto id = WithinRequestBudget(c);
  if (!id.ok()) return Fail(c, id.status());
  auto verified = Verify(Svc(c), *id, code, "requester");
  if (!verified.ok()) return Fail(c, verified.status());
  return JsonResponse(200, PublicState(*verified));
}

// POST /requests/{id}/verification/resend (public, rate-limited like /verify; no body): a new
// code to the data subject; 429 + Retry-After within the policy's cooldown, 409 after max_resends.
Response ResendRoute(Call& c) {
  if (Status s = WithinClientBudget(c); !s.ok()) return Fail(c, s);
  json::object body;  // none needed; an empty object is accepted
  if (Status s = ParseObject(c.req.body, true, body); !s.ok()) return Fail(c, s);
  if (!body.empty()) return Fail(c, 400, "this endpoint takes no fields");
  auto id = WithinRequestBudget(c);
  if (!id.ok()) return Fail(c, id.status());
  auto sent = ResendCode(Svc(c), *id, "requester");  // RateLimited within the cooldown: 429
  if (!sent.ok()) return Fail(c, sent.status());
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
  if (Status s = WithinClientBudget(c); !s.ok()) return Fail(c, s);
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
  auto id = WithinRequestBudget(c);
  if (!id.ok()) return Fail(c, id.status());
  auto out = VerifyDataPoints(Svc(c), *id, points, declaration, "requester");
  if (!out.ok()) return Fail(c, out.status());
  return JsonResponse(200, PublicState(out->request));  // nothing about the points either
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
  return JsonResponse(200, RequestJson(*row, Svc(c).clock().Now(), Svc(c).deadlines()));
}


}  // namespace dsar::api
