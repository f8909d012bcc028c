// POST /suppression/check (issue 5 §6).
#include "api/router.h"

#include "api/json_input.h"
#include "identity/suppression.h"

namespace dsar::api {

namespace json = boost::json;

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


}  // namespace dsar::api
