// Migration 007: an index on outbox(request_id), so the outbox rows of one request (Tx::OutboxFor,
// read each time a mail about the request is queued) are a search, not a scan of the outbox.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "store/store.h"
#include "support/sql.h"

using namespace dsar;
namespace fs = std::filesystem;

TEST_CASE("migration 007 indexes the outbox by request", "[store][migration]") {
  char tmpl[] = "/tmp/dsar-mig7-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  {
    auto opened = store::Store::Open({(dir / "t.db").string()});
    REQUIRE(opened.ok());
    std::string plan;
    for (const auto& row : test_sql::Rows((*opened)->path(), "EXPLAIN QUERY PLAN SELECT id, message_id, body FROM "
                                                             "outbox WHERE request_id = 'r1' ORDER BY id"))
      plan += row[3] + "\n";
    INFO(plan);
    CHECK(plan.find("USING INDEX outbox_request (request_id=?)") != std::string::npos);
    CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // the index gives the order as well
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}
