// The vocabulary of data subject requests: request types, jurisdictions, who is who.
//
// Names are the DESIGN.md contract (snake_case everywhere): request types, jurisdiction codes
// and channels appear exactly so in the API, the store and the workflow files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsar {

// contract — request types.
//   access            right of access / right to know (GDPR Art. 15; Cal. Civ. Code § 1798.110)
//   deletion          erasure / right to delete (GDPR Art. 17; Cal. Civ. Code § 1798.105)
//   portability       data portability (GDPR Art. 20; Cal. Civ. Code § 1798.130(a)(2)(B))
//   correction        rectification / correction (GDPR Art. 16; Cal. Civ. Code § 1798.106)
//   opt_out_sale      do not sell or share (Cal. Civ. Code § 1798.120)
//   opt_out_marketing unsubscribe from direct marketing (GDPR Art. 21(2)-(3))
//   objection         objection to processing (GDPR Art. 21(1))
enum class RequestType { kAccess, kDeletion, kPortability, kCorrection, kOptOutSale, kOptOutMarketing, kObjection };

const std::vector<RequestType>& AllRequestTypes();
std::string_view RequestTypeName(RequestType t);
std::optional<RequestType> ParseRequestType(std::string_view name);

// contract — jurisdictions: gdpr, uk_gdpr, ccpa, vcdpa, cpa, ctdpa, tdpsa, lgpd, pipeda.
// An unknown jurisdiction is represented by an empty string (absent in the API).
bool IsKnownJurisdiction(std::string_view code);

// How a request reached the controller.
// email (intake), web (a form or integration over the API), staff (entered by staff for a
// request received by post or phone), api.
bool IsKnownChannel(std::string_view channel);

// The data subject: the person whose data it is (contract — who is who).
// `email` is stored as given and compared case-insensitively (lower-cased key).
struct DataSubject {
  std::string email;
  std::string name;
  std::string phone;
  std::string account_id;
};

// Who asked, when that is someone else than the data subject (an authorized agent, a parent).
// `authority` says how their authority is shown (e.g. "signed permission", "power of attorney").
struct Requester {
  std::string email;
  std::string name;
  std::string relationship;  // "authorized_agent", "parent", ...
  std::string authority;
};

// Lower-cases an email address (ASCII) and trims blanks, for matching a data subject.
std::string NormalizeEmail(std::string_view email);

// True for one plain address `local@domain` (RFC 5321 sizes: local part up to 64 octets, the
// whole up to 254): no list, no display name, no blanks, quotes, brackets or control characters;
// a domain of dot-separated labels of letters, digits and hyphens (UTF-8 allowed) with at least
// one dot. Stricter than RFC 5322 on purpose: it is where our mail is sent.
bool IsValidEmail(std::string_view email);

}  // namespace dsar
