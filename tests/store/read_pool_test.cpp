// The store's read pool (store/store.h, thread safety): Read borrows a read-only connection and
// never waits for the writer, sees the last commit (never an open transaction's writes), and
// keeps one snapshot for the whole of its function.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "store/store.h"
#include "support/sql.h"

using namespace dsar;
namespace fs = std::filesystem;

namespace {

struct TempStore {
  fs::path dir;
  std::unique_ptr<store::Store> store;
  explicit TempStore(int read_connections = 4) {
    char tmpl[] = "/tmp/dsar-pool-XXXXXX";
    dir = mkdtemp(tmpl);
    store::Options o;
    o.path = (dir / "t.db").string();
    o.read_connections = read_connections;
    auto opened = store::Store::Open(o);
    REQUIRE(opened.ok());
    store = std::move(opened.value());
  }
  ~TempStore() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // The token's name as a Read sees it ("" when none).
  std::string TokenName(const std::string& hash) {
    std::string name;
    Status s = store->Read([&](store::Tx& tx) {
      auto r = tx.TokenName(hash);
      if (!r.ok()) return r.status();
      name = r->value_or("");
      return Status::Ok();
    });
    REQUIRE(s.ok());
    return name;
  }
};

// A one-shot flag a thread waits for. The wait has a deadline only so that a regression (a Read
// queued behind the writer) fails the test instead of hanging it; it decides nothing otherwise.
struct Latch {
  std::mutex mu;
  std::condition_variable cv;
  bool set = false;
  void Set() {
    {
      std::lock_guard lock(mu);
      set = true;
    }
    cv.notify_all();
  }
  bool Wait() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] { return set; });
  }
};

}  // namespace

TEST_CASE("read pool: a Read runs while a transaction is open on another thread", "[store][read_pool]") {
  TempStore t;
  REQUIRE(t.store->Transact([](store::Tx& tx) { return tx.InsertToken("before", "hash-before", 1000); }).ok());
  Latch in_transaction, read_done;
  bool writer_saw_the_read = false;
  std::thread writer([&] {
    Status s = t.store->Transact([&](store::Tx& tx) {
      if (Status i = tx.InsertToken("during", "hash-during", 2000); !i.ok()) return i;
      in_transaction.Set();
      writer_saw_the_read = read_done.Wait();  // the transaction stays open until the Read returned
      return Status::Ok();
    });
    CHECK(s.ok());
  });
  REQUIRE(in_transaction.Wait());
  // Inside the open transaction's lifetime: the last commit is visible, the open write is not.
  const std::string committed = t.TokenName("hash-before");
  const std::string uncommitted = t.TokenName("hash-during");
  read_done.Set();
  writer.join();
  CHECK(writer_saw_the_read);
  CHECK(committed == "before");
  CHECK(uncommitted.empty());
  // Once committed, every later Read sees it.
  CHECK(t.TokenName("hash-during") == "during");
}

TEST_CASE("read pool: a Read keeps one snapshot while another thread commits", "[store][read_pool]") {
  TempStore t;
  Latch first_read, committed;
  std::string before, after;
  std::thread reader([&] {
    Status s = t.store->Read([&](store::Tx& tx) {
      auto r = tx.TokenName("h");
      if (!r.ok()) return r.status();
      before = r->value_or("");
      first_read.Set();
      committed.Wait();
      auto again = tx.TokenName("h");
      if (!again.ok()) return again.status();
      after = again->value_or("");
      return Status::Ok();
    });
    CHECK(s.ok());
  });
  REQUIRE(first_read.Wait());
  // The writer does not wait for the reader (WAL), and the reader's snapshot is unchanged by it.
  CHECK(t.store->Transact([](store::Tx& tx) { return tx.InsertToken("new", "h", 1); }).ok());
  committed.Set();
  reader.join();
  CHECK(before.empty());
  CHECK(after.empty());
  CHECK(t.TokenName("h") == "new");
}

TEST_CASE("read pool: more concurrent Reads than connections wait for one and all succeed", "[store][read_pool]") {
  TempStore t(2);
  REQUIRE(t.store->Transact([](store::Tx& tx) { return tx.InsertToken("x", "hx", 1); }).ok());
  std::vector<std::thread> threads;
  std::vector<std::string> seen(8);
  for (size_t i = 0; i < seen.size(); ++i)
    threads.emplace_back([&, i] { seen[i] = t.TokenName("hx"); });
  for (auto& th : threads) th.join();
  for (const auto& s : seen) CHECK(s == "x");
}

TEST_CASE("read pool: a write through Read fails and changes nothing", "[store][read_pool]") {
  TempStore t;
  Status s = t.store->Read([](store::Tx& tx) { return tx.InsertToken("sneaky", "hs", 1); });
  CHECK(s.IsIoError());
  CHECK(test_sql::Count(t.store->path(), "SELECT count(*) FROM api_tokens") == 0);
  // The connection it was lent is usable again.
  CHECK(t.TokenName("hs").empty());
}

TEST_CASE("read pool: a Read whose function fails returns its status and frees its connection", "[store][read_pool]") {
  TempStore t(1);
  for (int i = 0; i < 3; ++i)
    CHECK(t.store->Read([](store::Tx&) { return Status::NotFound("nothing here"); }).IsNotFound());
  REQUIRE(t.store->Transact([](store::Tx& tx) { return tx.InsertToken("y", "hy", 1); }).ok());
  CHECK(t.TokenName("hy") == "y");
}
