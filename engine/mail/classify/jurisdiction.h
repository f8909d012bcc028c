// The jurisdiction a sender names, as a hint for staff and the deadline policy.
//
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mail/classify/form.h"

namespace dsar::mail::classify {

// The jurisdiction a sender names: a statute (acronym, name or section: GDPR/DSGVO/RGPD/AVG,
// UK GDPR and DPA 2018, CCPA/CPRA and Cal. Civ. Code §§ 1798.100-1798.199, LGPD (Lei 13.709/2018),
// PIPEDA, VCDPA, CPA, CTDPA, TDPSA), residence in a state with its own law ("California
// resident", "カリフォルニア州在住"), or a country or state in a web form's field. Only codes of the
// jurisdictions contract are returned ("gdpr", "uk_gdpr", "ccpa", ...); Japan's 個人情報保護法
// (APPI) has no jurisdiction of ours, so it gives no hint; "" when none. `language` is the
// message's (DetectLanguage): "AVG" counts only in Dutch mail.
std::string JurisdictionHint(std::string_view raw_text, const std::vector<FormField>& fields,
                             std::string_view language);

}  // namespace dsar::mail::classify
