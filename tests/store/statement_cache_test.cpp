// The prepared-statement cache of store::Connection (engine/store/sqlite/sqlite.h): a text is compiled
// once per connection, a reused statement starts clean (reset, no bindings left), two statements
// of the same text alive at once each work, and errors are still reported.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

using namespace dsar;
using store::Connection;
using store::Statement;
namespace fs = std::filesystem;

namespace {

struct TempDb {
  fs::path dir;
  std::string path;
  TempDb() {
    char tmpl[] = "/tmp/dsar-stmt-XXXXXX";
    dir = mkdtemp(tmpl);
    path = (dir / "t.db").string();
  }
  ~TempDb() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void Open(Connection& c, const std::string& path) {
  REQUIRE(c.Open(path, 1000).ok());
  REQUIRE(c.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)").ok());
}

constexpr const char* kInsert = "INSERT INTO t (id, v) VALUES (?, ?)";
constexpr const char* kById = "SELECT v FROM t WHERE id = ?";
constexpr const char* kAll = "SELECT id, v FROM t ORDER BY id";

std::vector<std::string> ReadAll(Connection& c) {
  std::vector<std::string> rows;
  Statement s(c, kAll);
  while (s.Step()) rows.push_back(std::to_string(s.Int(0)) + "=" + s.Text(1));
  REQUIRE(s.status().ok());
  return rows;
}

}  // namespace

TEST_CASE("a statement reused many times gives the same results as a fresh one", "[store][statement_cache]") {
  TempDb db;
  Connection c;
  Open(c, db.path);
  const std::size_t before = c.TEST_CachedStatements();
  for (int i = 1; i <= 500; ++i) {
    Statement s(c, kInsert);
    s.Bind(1, i).Bind(2, "v" + std::to_string(i));
    REQUIRE(s.Run().ok());
    CHECK(c.LastInsertRowid() == i);
  }
  for (int round = 0; round < 3; ++round)
    for (int i = 1; i <= 500; i += 7) {
      Statement s(c, kById);
      s.Bind(1, i);
      REQUIRE(s.Step());
      CHECK(s.Text(0) == "v" + std::to_string(i));
      CHECK_FALSE(s.Step());
      CHECK(s.status().ok());
    }
  // One compiled statement per text, however often it ran.
  CHECK(c.TEST_CachedStatements() == before + 2);
  CHECK(ReadAll(c).size() == 500);
  CHECK(ReadAll(c).size() == 500);
  CHECK(c.TEST_CachedStatements() == before + 3);
}

TEST_CASE("a reused statement starts clean: no bindings and no unfinished read left", "[store][statement_cache]") {
  TempDb db;
  Connection c;
  Open(c, db.path);
  for (int i = 1; i <= 3; ++i) {
    Statement s(c, kInsert);
    s.Bind(1, i).Bind(2, "v" + std::to_string(i));
    REQUIRE(s.Run().ok());
  }
  {
    Statement s(c, "SELECT ?1 IS NULL, ?2");
    s.Bind(1, "bound").Bind(2, 42);
    REQUIRE(s.Step());
    CHECK(s.Int(0) == 0);
    CHECK(s.Int(1) == 42);
  }
  {
    Statement s(c, "SELECT ?1 IS NULL, ?2");  // the same text: its bindings were cleared
    REQUIRE(s.Step());
    CHECK(s.Int(0) == 1);
    CHECK(s.IsNull(1));
  }
  {
    Statement s(c, kAll);  // left after its first row
    REQUIRE(s.Step());
    CHECK(s.Int(0) == 1);
  }
  // It starts again from the first row, and no read is left open: a write transaction on another
  // connection commits (a reader would not block it in WAL mode, so use the default journal: an
  // open read would make the writer's commit fail with SQLITE_BUSY).
  CHECK(ReadAll(c) == std::vector<std::string>{"1=v1", "2=v2", "3=v3"});
  {
    Statement s(c, kAll);
    REQUIRE(s.Step());
  }
  Connection other;
  REQUIRE(other.Open(db.path, 0).ok());
  CHECK(other.Exec("BEGIN IMMEDIATE; INSERT INTO t (id, v) VALUES (4, 'v4'); COMMIT").ok());
  CHECK(ReadAll(c).size() == 4);
}

TEST_CASE("two statements of the same text alive at once both work", "[store][statement_cache]") {
  TempDb db;
  Connection c;
  Open(c, db.path);
  for (int i = 1; i <= 5; ++i) {
    Statement s(c, kInsert);
    s.Bind(1, i).Bind(2, "v" + std::to_string(i));
    REQUIRE(s.Run().ok());
  }
  const std::size_t cached = c.TEST_CachedStatements();

  SECTION("a loop reading rows runs the same query inside") {
    Statement outer(c, kAll);
    int rows = 0;
    while (outer.Step()) {
      ++rows;
      CHECK(outer.Int(0) == rows);
      CHECK(ReadAll(c).size() == 5);  // the same text, while `outer` is still reading
      CHECK(outer.Text(1) == "v" + std::to_string(rows));
    }
    CHECK(outer.status().ok());
    CHECK(rows == 5);
  }
  SECTION("a loop reading rows inserts with a text in use by an outer insert") {
    Statement held(c, kInsert);  // bound, not run yet
    held.Bind(1, 100).Bind(2, "held");
    Statement outer(c, kAll);
    int rows = 0;
    while (outer.Step()) {
      const std::int64_t id = outer.Int(0);
      if (id > 5) continue;  // rows inserted meanwhile (SQLite may or may not show them)
      ++rows;
      Statement in(c, kInsert);
      in.Bind(1, 10 + id).Bind(2, "copy of " + outer.Text(1));
      REQUIRE(in.Run().ok());
    }
    CHECK(outer.status().ok());
    CHECK(rows == 5);
    REQUIRE(held.Run().ok());  // its bindings were not disturbed by the nested ones
    Statement s(c, kById);
    s.Bind(1, 100);
    REQUIRE(s.Step());
    CHECK(s.Text(0) == "held");
  }
  // Statements prepared for one nested use are not kept; the cached one still works.
  CHECK(c.TEST_CachedStatements() <= cached + 2);
  CHECK(ReadAll(c).size() >= 5);
}

TEST_CASE("errors are still reported with a statement cache", "[store][statement_cache]") {
  TempDb db;
  Connection c;
  Open(c, db.path);
  const std::size_t cached = c.TEST_CachedStatements();

  SECTION("a text that does not compile, every time, and is not kept") {
    for (int i = 0; i < 3; ++i) {
      Statement s(c, "SELEKT v FROM t");
      CHECK_FALSE(s.status().ok());
      CHECK(s.status().message().find("prepare") != std::string::npos);
      CHECK(s.status().message().find("syntax error") != std::string::npos);
      CHECK_FALSE(s.Step());
    }
    CHECK(c.TEST_CachedStatements() == cached);
  }
  SECTION("a constraint failure is a Conflict, and the same text works again afterwards") {
    {
      Statement s(c, kInsert);
      s.Bind(1, 1).Bind(2, "same");
      REQUIRE(s.Run().ok());
    }
    for (int i = 0; i < 2; ++i) {
      Statement s(c, kInsert);
      s.Bind(1, 2 + i).Bind(2, "same");
      const Status st = s.Run();
      CHECK(st.IsConflict());
      CHECK(st.message().find("UNIQUE") != std::string::npos);
    }
    Statement s(c, kInsert);
    s.Bind(1, 9).Bind(2, "other");
    CHECK(s.Run().ok());
    CHECK(ReadAll(c) == std::vector<std::string>{"1=same", "9=other"});
  }
  SECTION("a binding out of range") {
    Statement s(c, kById);
    s.Bind(2, 1);
    CHECK_FALSE(s.status().ok());
    CHECK(s.status().message().find("bind") != std::string::npos);
    Statement again(c, kById);  // the next one of that text is fine
    again.Bind(1, 1);
    CHECK_FALSE(again.Step());
    CHECK(again.status().ok());
  }
  SECTION("a table dropped under a cached statement") {
    ReadAll(c);
    REQUIRE(c.Exec("DROP TABLE t").ok());
    Statement s(c, kAll);
    CHECK_FALSE(s.Step());
    CHECK_FALSE(s.status().ok());
    CHECK(s.status().message().find("no such table") != std::string::npos);
  }
}

TEST_CASE("a cached statement follows a schema change", "[store][statement_cache]") {
  TempDb db;
  Connection c;
  Open(c, db.path);
  {
    Statement s(c, kInsert);
    s.Bind(1, 1).Bind(2, "one");
    REQUIRE(s.Run().ok());
  }
  {
    Statement s(c, "SELECT * FROM t");
    REQUIRE(s.Step());
    CHECK(s.Text(1) == "one");
  }
  REQUIRE(c.Exec("ALTER TABLE t ADD COLUMN w TEXT NOT NULL DEFAULT 'added'").ok());
  Statement s(c, "SELECT * FROM t");
  REQUIRE(s.Step());
  CHECK(s.Text(1) == "one");
  CHECK(s.Text(2) == "added");
}

TEST_CASE("texts beyond the cache's capacity are prepared each time and still work", "[store][statement_cache]") {
  TempDb db;
  Connection c;
  Open(c, db.path);
  for (std::size_t i = 0; i < Connection::kMaxCachedStatements + 20; ++i) {
    Statement s(c, "SELECT " + std::to_string(i));
    REQUIRE(s.Step());
    CHECK(s.Int(0) == static_cast<std::int64_t>(i));
  }
  CHECK(c.TEST_CachedStatements() == Connection::kMaxCachedStatements);
  Statement s(c, "SELECT " + std::to_string(Connection::kMaxCachedStatements + 5));
  REQUIRE(s.Step());
  CHECK(s.Int(0) == static_cast<std::int64_t>(Connection::kMaxCachedStatements + 5));
}

TEST_CASE("a store runs many transactions over its cached statements", "[store][statement_cache]") {
  TempDb db;
  auto opened = store::Store::Open({db.path});
  REQUIRE(opened.ok());
  store::Store& st = **opened;
  for (int i = 0; i < 50; ++i) {
    REQUIRE(st.Transact([&](store::Tx& tx) {
      return tx.InsertToken("token" + std::to_string(i), "hash" + std::to_string(i), 1000 + i);
    }).ok());
  }
  // A failed transaction rolls back; the statements it used work afterwards.
  CHECK(st.Transact([&](store::Tx& tx) { return tx.InsertToken("token0", "hash0", 1); }).IsConflict());
  for (int i = 0; i < 50; i += 5) {
    std::optional<std::string> name;
    REQUIRE(st.Read([&](store::Tx& tx) {
      auto r = tx.TokenName("hash" + std::to_string(i));
      if (!r.ok()) return r.status();
      name = *r;
      return Status::Ok();
    }).ok());
    CHECK(name == "token" + std::to_string(i));
  }
}
