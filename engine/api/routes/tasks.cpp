// Staff tasks, the step ledger and webhook callbacks (issue 5 §4).
#include "api/router.h"

#include "api/json_input.h"
#include "api/presenters.h"
#include "requests/tasks.h"

namespace dsar::api {

namespace json = boost::json;

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
  return JsonResponse(200, RequestJson(*row, Svc(c).clock().Now(), Svc(c).deadlines()));
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
  auto out = Callback(Svc(c), c.params[0], body);  // Gone (410) when used, replaced or expired
  if (!out.ok()) {
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


}  // namespace dsar::api
