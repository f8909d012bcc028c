// The SQLite implementation of store::Store (contract and thread safety in store/store.h): one
// writer connection and a pool of read-only connections over one database file in WAL mode.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace dsar::store {

class SqliteStore final : public Store {
 public:
  // What Store::Open does (store.h), returning the concrete type.
  static Result<std::unique_ptr<SqliteStore>> Open(const Options& options);
  ~SqliteStore() override = default;

  Result<int> Migrate() override;
  Status Transact(const std::function<Status(Tx&)>& fn) override;
  Status Read(const std::function<Status(Tx&)>& fn) override;
  Status CheckpointTruncate() override;
  const std::string& path() const override { return path_; }

  void TEST_FailCommitAfter(int n) override;
  void TEST_FailStatement(int n, bool persistent) override;
  void TEST_OnStatement(std::function<void(std::string_view sql)> hook) override;

 private:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}

  // The writer connection's statement hook: reports the statement, then applies
  // TEST_FailStatement. Runs with mu_ held (every use of conn_ holds it).
  Status BeforeWriterStatement(std::string_view sql);
  // Calls the TEST_OnStatement hook, if any.
  void Report(std::string_view sql);
  // Takes an idle read connection, waiting for one; Release hands it back.
  Connection* Borrow();
  void Release(Connection* c);

  // Fixed at construction.
  const std::string path_;

  // The writer, guarded by mu_.
  std::mutex mu_;
  Connection conn_;                // guarded by mu_
  int fail_commit_countdown_ = 0;  // guarded by mu_
  int fail_statement_at_ = 0;      // guarded by mu_; 0 = off
  bool fail_persistent_ = false;   // guarded by mu_
  int statements_seen_ = 0;        // guarded by mu_: writer statements since TEST_FailStatement

  // The read pool. `readers_` is fixed once Open returns (declared after conn_, so the readers
  // close first and the writer, closing last, checkpoints the WAL); which are idle is guarded by
  // pool_mu_.
  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<Connection*> idle_;  // guarded by pool_mu_

  // The TEST_OnStatement hook, guarded by hook_mu_ (called under it); has_hook_ skips the lock
  // when none is set.
  std::atomic<bool> has_hook_{false};
  std::mutex hook_mu_;
  std::function<void(std::string_view)> on_statement_;  // guarded by hook_mu_
};

}  // namespace dsar::store
