// Mail intake and the inbound message queues.
#include "api/router.h"

#include <algorithm>

#include "api/cursor.h"
#include "api/presenters.h"
#include "intake/inbound_queue.h"
#include "intake/intake.h"

namespace dsar::api {

namespace json = boost::json;

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
  Page page;
  for (const auto& p : c.url.params()) {
    const std::string key = p.key;
    const std::string value = p.has_value ? std::string(p.value) : std::string();
    if (key == "outcome") {
      const auto& known = service::InboundOutcomes();
      if (std::find(known.begin(), known.end(), value) == known.end())
        return Fail(c, 400, "query parameter 'outcome' must be triage, ignored, request, reply, redelivery or refused");
      outcome = value;
    } else if (auto read = ReadPageParam(key, value, page)) {
      if (!read->ok()) return Fail(c, *read);
    } else {
      return Fail(c, 400, "unknown query parameter '" + key + "' (expected: outcome, limit, cursor)");
    }
  }
  // One more than the page tells whether there is a next page.
  auto rows = ListInbound(Svc(c), outcome, page.after, page.limit + 1);
  if (!rows.ok()) return Fail(c, rows.status());
  return PageResponse(*rows, page.limit, InboundJson, [](const service::InboundMessage& m) { return m.row.id; });
}

// GET /intake/messages/{id}
Response GetInboundRoute(Call& c) {
  auto id = ParseInt(c.params[0]);
  if (!id || *id < 1) return Fail(c, 404, "no inbound message '" + c.params[0] + "'");
  auto m = GetInbound(Svc(c), *id);
  if (!m.ok()) return Fail(c, m.status());
  return JsonResponse(200, InboundJson(*m));
}


}  // namespace dsar::api
