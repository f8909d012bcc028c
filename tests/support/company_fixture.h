// The demo company's systems for service tests: the small company database with the demo schema
// (tests/fulfillment/helpers.h) and the demo systems map, optionally with `extra` YAML appended
// to the map (webhook or manual systems, processors), wired into the service as `dsar serve`
// wires them (service::ConnectCompanySystems).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/systems_map.h"
#include "requests/company_systems.h"
#include "support/service_fixture.h"

namespace dsar::test {

struct Company {
  fulfillment::testing::TempDir dir;
  std::string db, map_path;
  std::shared_ptr<fulfillment::Fulfiller> fulfiller;

  explicit Company(Fixture& f, const std::string& extra = "") {
    namespace ft = fulfillment::testing;
    db = ft::MakeSmallCompanyDb(dir);
    map_path = dir / "systems.yaml";
    ft::WriteFile(map_path, ft::ReadFile(ft::DemoMapPath()) + extra);
    auto map = fulfillment::LoadSystemsMap(map_path);
    if (!map.ok()) FAIL(map.status().ToString());
    fulfiller = std::make_shared<fulfillment::Fulfiller>(*map, db, dir / "exports");
    service::ConnectCompanySystems(*f.svc, fulfiller);
  }
  // One column of a table's rows, in rowid order.
  std::vector<std::string> Ids(const std::string& table, const std::string& col = "id") const {
    return fulfillment::testing::Column(db, "SELECT " + col + " FROM " + table + " ORDER BY rowid");
  }
};

}  // namespace dsar::test
