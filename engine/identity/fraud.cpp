#include "identity/fraud.h"

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
#include "identity/agents.h"
#include "requests/engine.h"

namespace dsar::service {

namespace json = boost::json;

Result<FraudAssessment> AssessFraud(Engine& e, store::Tx& tx, const store::RequestRow& r, Millis now) {
  FraudAssessment out;
  const workflow::VerificationPolicy policy = e.policies().For(r.type, r.jurisdiction);
  if (!policy.fraud_check) return out;
  const workflow::FraudCheck& fc = *policy.fraud_check;
  if (fc.max_per_hour > 0) {
    auto n = tx.CountRequestsSince(r.subject_email, r.type, now - kMillisPerHour);
    if (!n.ok()) return n.status();
    if (*n > fc.max_per_hour)
      out.reasons.push_back(std::to_string(*n) + " " + r.type + " requests for this data subject within an hour (more than " +
                            std::to_string(fc.max_per_hour) + ")");
  }
  auto domain_of = [](const std::string& email) {
    const auto at = email.rfind('@');
    return at == std::string::npos ? std::string() : NormalizeEmail(email.substr(at + 1));
  };
  auto blocked_at = [&](const std::string& domain) -> std::string {
    for (const auto& blocked : fc.blocked_domains)
      if (domain == blocked || (domain.size() > blocked.size() && domain.ends_with("." + blocked))) return blocked;
    return "";
  };
  if (auto b = blocked_at(domain_of(r.subject_email)); !b.empty())
    out.reasons.push_back("the data subject's address is at a blocked domain (" + b + ")");
  if (HasAgent(r)) {
    const std::string agent = StringField(ParseOr(r.requester_json, json::value()), "email");
    if (auto b = blocked_at(domain_of(agent)); !b.empty())
      out.reasons.push_back("the requester's address is at a blocked domain (" + b + ")");
  }
  out.suspected = !out.reasons.empty();
  return out;
}

}  // namespace dsar::service
