// Corrections (GDPR Art. 16; Cal. Civ. Code § 1798.106; Cal. Code Regs. tit. 11 § 7023): the
// changes an approval names.
#pragma once

#include <vector>
#include <boost/json/object.hpp>
#include "core/status.h"
#include "fulfillment/connectors/sql/fulfiller.h"

namespace dsar::service {

// data.changes of an approve event as corrections; Invalid naming what is wrong.
Result<std::vector<fulfillment::CorrectionChange>> ParseCorrections(const boost::json::object& data);

}  // namespace dsar::service
