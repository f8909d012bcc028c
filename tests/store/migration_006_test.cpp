// Migration 006 moves the raw bytes of inbound messages stored before it into inbound_raw.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/store.h"
#include "support/sql.h"

using namespace dsar;
namespace fs = std::filesystem;

TEST_CASE("migration 006 keeps the raw bytes of messages stored before it", "[store][migration]") {
  char tmpl[] = "/tmp/dsar-mig-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const std::string db = (dir / "old.db").string();
  {  // A database as migrations 001-005 left it, with one message stored raw in inbound_messages.
    sqlite3* c = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &c) == SQLITE_OK);
    REQUIRE(sqlite3_exec(c, "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    for (const char* name : {"001_initial.sql", "002_deadlines.sql", "003_inbound_content.sql", "004_maildir_name.sql",
                             "005_outbound_mail.sql"}) {
      std::ifstream in(std::string(DSAR_SOURCE_DIR) + "/schemas/migrations/" + name);
      std::stringstream sql;
      sql << in.rdbuf();
      INFO(name);
      REQUIRE(sqlite3_exec(c, sql.str().c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
      REQUIRE(sqlite3_exec(c, ("INSERT INTO schema_migrations VALUES ('" + std::string(name) + "', 0)").c_str(), nullptr,
                           nullptr, nullptr) == SQLITE_OK);
    }
    REQUIRE(sqlite3_exec(c,
                         "INSERT INTO inbound_messages (id, message_id, sha256, size, raw, received_at, intake_at, outcome) "
                         "VALUES (7, 'm@x', 'h', 12, CAST('Subject: hi\n' AS BLOB), 1, 1, 'triage')",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(c);
  }
  auto store = store::Store::Open({db});
  REQUIRE(store.ok());
  std::string raw;
  REQUIRE((*store)->Read([&](store::Tx& tx) {
    auto r = tx.InboundRaw(7);
    if (!r.ok()) return r.status();
    raw = *r;
    return Status::Ok();
  }).ok());
  CHECK(raw == "Subject: hi\n");
  const std::int64_t columns =
      test_sql::Count((*store)->path(), "SELECT count(*) FROM pragma_table_info('inbound_messages') WHERE name = 'raw'");
  CHECK(columns == 0);
  store->reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
}
