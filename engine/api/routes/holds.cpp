// Legal holds: place, list, release (GDPR Art. 17(3)).
#include "api/router.h"

#include "api/json_input.h"
#include "api/presenters.h"
#include "holds/holds.h"

namespace dsar::api {

namespace json = boost::json;

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


}  // namespace dsar::api
