// Legal response deadlines, first version (pure: no I/O, no clock).
//
// The due day is counted from the receipt instant's calendar day in UTC, and the deadline is
// the end of that day (23:59:59.999 UTC). Issue 3 replaces this with the controller's time zone,
// business-day calendars, pauses and extensions; until then no holiday or weekend moves a date.
//
//   gdpr, and unknown   one month from receipt (GDPR Art. 12(3)); Regulation 1182/71 Art. 3:
//                       the day of receipt is not counted, the period ends on the same-numbered
//                       day of the next month, or that month's last day when there is none
//   uk_gdpr             one month (UK GDPR Art. 12(3), ICO guidance: the day of receipt is day 1,
//                       the corresponding calendar date a month later; month-end clamped)
//   ccpa                45 calendar days (Cal. Civ. Code § 1798.130(a)(2); Cal. Code Regs. tit. 11
//                       § 7021(b)); opt_out_sale: 15 business days (§ 7026(f)), counted here as
//                       business days Monday to Friday
//   vcdpa, cpa, ctdpa, tdpsa   45 days (Va. Code § 59.1-578(A); C.R.S. § 6-1-1306(2)(a);
//                       Conn. Gen. Stat. § 42-518(c); Tex. Bus. & Com. Code § 541.052(a))
//   lgpd                15 days (LGPD Art. 19(II))
//   pipeda              30 days (PIPEDA s. 8(3))
#pragma once

#include <string>

#include "core/time.h"

namespace dsar {

// The deadline (end of the due day, UTC) for a request of `request_type` received at `received_at`
// under `jurisdiction` ("" when unknown).
Millis ComputeDueAt(const std::string& jurisdiction, const std::string& request_type, Millis received_at);

// The civil date `months` months after (y, m, d), clamped to the month's last day.
void AddMonthsClamped(int& y, unsigned& m, unsigned& d, int months);

}  // namespace dsar
