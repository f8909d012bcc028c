#include "identity/data_points.h"

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

// ---- verification by data points (Cal. Code Regs. tit. 11 § 7062) ----

std::string NormalizeDataPoint(std::string_view name, std::string_view value) {
  const bool digits_only = name.find("phone") != std::string_view::npos ||
                           name.find("card") != std::string_view::npos || name.ends_with("last4");
  std::string out;
  bool blank = false;
  for (char ch : value) {
    const auto u = static_cast<unsigned char>(ch);
    if (digits_only) {
      if (u >= '0' && u <= '9') out += ch;
      continue;
    }
    if (std::isspace(u)) {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += static_cast<char>(u < 0x80 ? std::tolower(u) : u);
  }
  return out;
}

namespace {

// The point names a correction request names in details.corrections (an object keyed by field or
// point name, or a list of names), mapped to points through the systems map's columns.
std::set<std::string> CorrectedPoints(const store::RequestRow& r, const DataPointSource& src) {
  std::set<std::string> out;
  if (r.type != "correction") return out;
  const json::value details = ParseOr(r.details_json, json::object());
  const json::value* c = details.is_object() ? details.as_object().if_contains("corrections") : nullptr;
  if (c == nullptr) return out;
  std::vector<std::string> names;
  if (c->is_object())
    for (const auto& kv : c->as_object()) names.emplace_back(kv.key());
  else if (c->is_array())
    for (const auto& v : c->as_array())
      if (v.is_string()) names.emplace_back(v.as_string());
  for (const auto& n : names) {
    if (std::find(src.names.begin(), src.names.end(), n) != src.names.end()) out.insert(n);
    if (auto it = src.columns.find(n); it != src.columns.end()) out.insert(it->second);
  }
  return out;
}

}  // namespace

Result<DataPointOutcome> VerifyDataPoints(Engine& e, const std::string& id,
                                                          const std::map<std::string, std::string>& points,
                                                          bool signed_declaration, const std::string& actor) {
  if (!e.data_points().values) return Status::Unprocessable("no systems map is configured: data points cannot be checked");
  if (points.empty()) return Status::Invalid("field 'points' must name at least one data point");
  for (const auto& [name, value] : points) {
    if (std::find(e.data_points().names.begin(), e.data_points().names.end(), name) == e.data_points().names.end()) {
      std::string known;
      for (const auto& n : e.data_points().names) known += (known.empty() ? "" : ", ") + n;
      return Status::Invalid("unknown data point '" + name + "' (expected: " + known + ")");
    }
    if (value.size() > 500) return Status::Invalid("data point '" + name + "' is too long");
  }
  auto before = e.Get(id);
  if (!before.ok()) return before.status();
  // What the company holds, read before the transaction (the company database is another file).
  const json::value subject_json = ParseOr(before->subject_json, json::object());
  DataSubject subject;
  subject.email = StringField(subject_json, "email");
  subject.account_id = before->subject_account;
  auto held = e.data_points().values(subject);
  if (!held.ok()) return held.status();

  DataPointOutcome out;
  Status refusal;
  Status s = e.store().Transact([&](store::Tx& tx) -> Status {
    auto r = tx.GetRequest(id);
    if (!r.ok()) return r.status();
    store::RequestRow row = std::move(r.value());
    auto wf = e.PinnedWorkflow(tx, row.workflow_hash);
    if (!wf.ok()) return wf.status();
    if ((*wf)->Candidates(row.state, "identity_verified") == nullptr || row.identity_verified)
      return Status::Refused("request " + row.reference + " is not awaiting identity verification");
    const workflow::VerificationPolicy policy = e.policies().For(row.type, row.jurisdiction);
    if (!policy.data_points)
      return Status::Refused("verification by data points is not offered for " + row.type + " requests" +
                             (row.jurisdiction.empty() ? "" : " under " + row.jurisdiction));
    const workflow::DataPointRule rule = *policy.data_points;
    auto earlier = tx.DataPointAttemptsFor(row.id);
    if (!earlier.ok()) return earlier.status();
    int failed = 0;
    for (const auto& a : *earlier) failed += a.success ? 0 : 1;
    if (failed >= rule.max_attempts)
      return Status::Refused("no data-point attempts left for request " + row.reference);

    // Compare every offered point with every held value of its name, as keyed hashes (equal
    // lengths, sodium_memcmp): no early exit on the first match.
    const std::set<std::string> excluded = CorrectedPoints(row, e.data_points());
    store::DataPointAttemptRow attempt;
    attempt.request_id = row.id;
    attempt.at = e.clock().Now();
    for (const auto& [name, value] : points) {
      attempt.offered.push_back(name);
      const std::string offered = NormalizeDataPoint(name, value);
      const std::string offered_hash = e.secrets().KeyedHash("dp:" + name + ":" + offered);
      bool match = false;
      if (auto it = held->find(name); it != held->end())
        for (const auto& h : it->second) {
          std::string norm = NormalizeDataPoint(name, h);
          // A phone number given without its country code matches the held number's last digits.
          if (name.find("phone") != std::string::npos && offered.size() >= 7 && norm.size() > offered.size())
            norm = norm.substr(norm.size() - offered.size());
          const bool eq = Secrets::HashesEqual(e.secrets().KeyedHash("dp:" + name + ":" + norm), offered_hash);
          match = match || (eq && !offered.empty());
        }
      if (excluded.count(name)) {
        out.excluded.push_back(name);
        continue;
      }
      if (match) attempt.matched.push_back(name);
    }
    out.matched = attempt.matched;
    out.required = rule.required_points();
    attempt.required = out.required;
    attempt.signed_declaration = signed_declaration;
    attempt.success = static_cast<int>(attempt.matched.size()) >= out.required &&
                      (!rule.needs_declaration() || signed_declaration);
    if (Status st = tx.InsertDataPointAttempt(attempt); !st.ok()) return st;
    const std::string citation =
        rule.needs_declaration()
            ? "Cal. Code Regs. tit. 11 § 7062(c) (a reasonably high degree of certainty: three matching data points "
              "and a signed declaration under penalty of perjury)"
            : "Cal. Code Regs. tit. 11 § 7062(b), (d) (a reasonable degree of certainty: two matching data points)";
    if (attempt.success) {
      out.verified = true;
      Event ev;
      ev.name = "identity_verified";
      ev.actor = actor;
      json::array names;
      for (const auto& n : attempt.matched) names.emplace_back(n);
      ev.data["method"] = "data_points";
      ev.data["degree"] = rule.degree;
      ev.data["points"] = std::move(names);
      ev.data["matched"] = static_cast<std::int64_t>(attempt.matched.size());
      ev.data["required"] = out.required;
      ev.data["signed_declaration"] = signed_declaration;
      ev.data["citation"] = citation;
      if (Status st = e.ApplyInTx(tx, row, ev, std::nullopt); !st.ok()) return st;
      out.request = row;
      return Status::Ok();
    }
    ++failed;
    out.attempts_left = std::max(0, rule.max_attempts - failed);
    const std::string why = rule.needs_declaration() && !signed_declaration
                                ? "the signed declaration under penalty of perjury is required"
                                : "not enough of the details given match the information we hold";
    // At the limit, data points are locked for this request, as wrong codes lock a code: the
    // request is not denied at once, so that someone who knows a reference cannot get another
    // person's request denied. The mailed code still confirms it; unconfirmed, the verification
    // window denies it for insufficient verification and says why (VerificationFailure).
    if (out.attempts_left == 0)
      refusal = Status::Refused(why + "; no attempts left: details can no longer be offered for this request (the "
                                      "code we mailed still confirms it)");
    else
      refusal = Status::Refused(why + "; " + std::to_string(out.attempts_left) + " attempt(s) left");
    out.request = row;
    return Status::Ok();  // the failed attempt is recorded
  });
  if (!s.ok()) return s;
  if (!refusal.ok()) return refusal;
  return out;
}

}  // namespace dsar::service
