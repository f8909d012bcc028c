#include "requests/company_systems.h"

#include <utility>
#include <vector>

#include "fulfillment/systems_map.h"

namespace dsar::service {

void ConnectCompanySystems(Engine& service, const std::shared_ptr<fulfillment::Fulfiller>& fulfiller) {
  service.SetAccountResolver([fulfiller](const DataSubject& s) { return fulfiller->AccountIds(s); });
  service.SetHoldScopes(fulfiller->TableCategories());
  DataPointSource points;
  points.names = fulfiller->DataPointNames();
  for (const auto& t : fulfiller->map().tables)
    for (const auto& f : t.fields)
      if (!f.verification_point.empty()) {
        points.columns[f.name] = f.verification_point;
        points.columns[t.name + "." + f.name] = f.verification_point;
      }
  points.values = [fulfiller](const DataSubject& s) { return fulfiller->DataPointValues(s); };
  service.SetDataPointSource(std::move(points));
  service.SetCorrectionCheck(
      [fulfiller](const std::vector<fulfillment::CorrectionChange>& c) { return fulfiller->CheckCorrections(c); });
}

}  // namespace dsar::service
