// The company's systems (a systems map and its SQLite database, engine/fulfillment) wired into
// the request service: one place for what `dsar serve`, `dsar intake-mail` and the tests connect.
#pragma once

#include <memory>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "requests/engine.h"

namespace dsar::service {

// Gives `service` what it reads from the company's systems through `fulfiller`:
//  - the data subject's account ids (a legal hold placed by account id covers requests that
//    name only the email);
//  - the tables and data categories a table or category hold may name;
//  - the values of the map's `verification_point` columns, for verification by data points
//    (Cal. Code Regs. tit. 11 § 7062);
//  - the check of a correction's changes against the map (GDPR Art. 16; § 7023).
// `fulfiller` must not be null; the service keeps a reference to it in each function.
void ConnectCompanySystems(Engine& service, const std::shared_ptr<fulfillment::Fulfiller>& fulfiller);

}  // namespace dsar::service
