// The store's TEST_ hooks (store/store.h): TEST_FailCommitAfter counts transactions whose function
// succeeded; TEST_OnStatement sees every statement, on the writer and on the read connections.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"
#include "support/sql.h"

using namespace dsar;
namespace fs = std::filesystem;

namespace {

struct TempStore {
  fs::path dir;
  std::unique_ptr<store::Store> store;
  TempStore() {
    char tmpl[] = "/tmp/dsar-hooks-XXXXXX";
    dir = mkdtemp(tmpl);
    auto opened = store::Store::Open({(dir / "t.db").string()});
    REQUIRE(opened.ok());
    store = std::move(opened.value());
  }
  ~TempStore() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  Status Insert(const std::string& name) {
    return store->Transact([&](store::Tx& tx) { return tx.InsertToken(name, "hash-" + name, 1); });
  }
  std::int64_t Tokens() { return test_sql::Count(store->path(), "SELECT count(*) FROM api_tokens"); }
};

}  // namespace

TEST_CASE("TEST_FailCommitAfter fails the commit of the Nth successful transaction from now", "[store][hooks]") {
  TempStore t;
  t.store->TEST_FailCommitAfter(2);
  CHECK(t.Insert("one").ok());  // 1st: committed
  // A transaction whose function fails is not counted.
  CHECK(t.store->Transact([](store::Tx&) { return Status::Conflict("no"); }).IsConflict());
  Status second = t.Insert("two");  // 2nd: its commit fails, nothing applied
  CHECK(second.IsIoError());
  CHECK(second.message().find("TEST_FailCommitAfter") != std::string::npos);
  CHECK(t.Tokens() == 1);
  CHECK(t.Insert("three").ok());  // it fired once
  CHECK(t.Tokens() == 2);
}

TEST_CASE("TEST_OnStatement counts the statements of transactions and reads", "[store][hooks]") {
  TempStore t;
  std::vector<std::string> seen;
  t.store->TEST_OnStatement([&](std::string_view sql) { seen.emplace_back(sql); });
  REQUIRE(t.Insert("one").ok());
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == "BEGIN IMMEDIATE");
  CHECK(seen[1].rfind("INSERT INTO api_tokens", 0) == 0);
  CHECK(seen[2] == "COMMIT");
  seen.clear();
  REQUIRE(t.store->Read([](store::Tx& tx) {
    for (const char* h : {"hash-one", "hash-two"}) {
      auto r = tx.TokenName(h);
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }).ok());
  REQUIRE(seen.size() == 4);  // the read pool's statements count too
  CHECK(seen[0] == "BEGIN");
  CHECK(seen[1].rfind("SELECT name FROM api_tokens", 0) == 0);
  CHECK(seen[2] == seen[1]);
  CHECK(seen[3] == "COMMIT");
  // Removed: nothing is reported any more.
  t.store->TEST_OnStatement({});
  seen.clear();
  REQUIRE(t.Insert("two").ok());
  CHECK(seen.empty());
}

TEST_CASE("TEST_FailStatement fails the Nth statement of the writer, once or from then on", "[store][hooks]") {
  TempStore t;
  t.store->TEST_FailStatement(2, false);  // BEGIN passes, the INSERT fails
  Status s = t.Insert("one");
  CHECK(s.IsIoError());
  CHECK(s.message().find("injected fault (TEST_FailStatement) at statement 2") != std::string::npos);
  CHECK(t.Insert("one").ok());  // a transient fault fires once
  t.store->TEST_FailStatement(1, true);
  CHECK(t.Insert("two").IsIoError());
  CHECK(t.Insert("two").IsIoError());  // persistent: until switched off
  // Reads are not failed.
  CHECK(t.store->Read([](store::Tx& tx) { return tx.TokenName("hash-one").status(); }).ok());
  t.store->TEST_FailStatement(0, false);
  CHECK(t.Insert("two").ok());
  CHECK(t.Tokens() == 2);
}
