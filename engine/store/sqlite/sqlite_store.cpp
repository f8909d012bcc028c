#include "store/sqlite/sqlite_store.h"

#include <filesystem>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_tx.h"

namespace dsar::store {

namespace {

// Ends the transaction a connection was left in when `fn` threw (a test's failed REQUIRE), so
// the connection's next BEGIN works.
struct RollbackOnExit {
  Connection& c;
  ~RollbackOnExit() {
    if (c.InTransaction()) c.Exec("ROLLBACK");
  }
};

bool IsRollback(std::string_view sql) { return sql.substr(0, 8) == "ROLLBACK"; }

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const Options& options) {
  auto opened = SqliteStore::Open(options);
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<Store>(std::move(opened.value()));
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const Options& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(options.path));
  const std::filesystem::path p(options.path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) return Status::IoError("cannot create " + p.parent_path().string() + ": " + ec.message());
  }
  if (Status s = store->conn_.Open(options.path, options.busy_timeout_ms); !s.ok()) return s;
  SqliteStore* self = store.get();
  store->conn_.SetStatementHook([self](std::string_view sql) { return self->BeforeWriterStatement(sql); });
  // secure_delete: deleted and overwritten content (a delivered mail's secret body) is zeroed in
  // the file instead of lingering in free space (DESIGN.md contract — secrets at rest).
  if (Status s = store->conn_.Exec(
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;");
      !s.ok())
    return s;
  if (options.migrate) {
    auto applied = store->Migrate();
    if (!applied.ok()) return applied.status();
  }
  // The readers open after the writer made the file a WAL database (a read-only connection
  // cannot change the journal mode).
  for (int i = 0; i < options.read_connections; ++i) {
    auto c = std::make_unique<Connection>();
    if (Status s = c->Open(options.path, options.busy_timeout_ms, /*read_only=*/true); !s.ok()) return s;
    c->SetStatementHook([self](std::string_view sql) {
      self->Report(sql);
      return Status::Ok();
    });
    store->idle_.push_back(c.get());
    store->readers_.push_back(std::move(c));
  }
  return store;
}

Result<int> SqliteStore::Migrate() {
  std::lock_guard lock(mu_);
  return ApplyMigrations(conn_);
}

Status SqliteStore::Transact(const std::function<Status(Tx&)>& fn) {
  std::lock_guard lock(mu_);
  if (Status s = conn_.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  RollbackOnExit guard{conn_};
  SqliteTx tx(conn_);
  Status s = fn(tx);
  if (s.ok() && fail_commit_countdown_ > 0 && --fail_commit_countdown_ == 0)
    s = Status::IoError("injected commit failure (TEST_FailCommitAfter)");
  if (s.ok()) s = conn_.Exec("COMMIT");
  if (!s.ok()) conn_.Exec("ROLLBACK");
  return s;
}

Status SqliteStore::CheckpointTruncate() {
  std::lock_guard lock(mu_);
  return conn_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Status SqliteStore::Read(const std::function<Status(Tx&)>& fn) {
  if (readers_.empty()) {  // read_connections = 0: the writer's connection, under its mutex
    std::lock_guard lock(mu_);
    SqliteTx tx(conn_);
    return fn(tx);
  }
  Connection* c = Borrow();
  struct Lend {
    SqliteStore& store;
    Connection* c;
    ~Lend() {
      if (c->InTransaction()) c->Exec("ROLLBACK");
      store.Release(c);
    }
  } lend{*this, c};
  // One snapshot for the whole of fn: a deferred transaction starts reading at its first SELECT.
  if (Status s = c->Exec("BEGIN"); !s.ok()) return s;
  SqliteTx tx(*c);
  Status s = fn(tx);
  if (s.ok()) s = c->Exec("COMMIT");
  return s;  // (after a failure, ~Lend rolls the read transaction back)
}

Connection* SqliteStore::Borrow() {
  std::unique_lock lock(pool_mu_);
  pool_cv_.wait(lock, [&] { return !idle_.empty(); });
  Connection* c = idle_.back();
  idle_.pop_back();
  return c;
}

void SqliteStore::Release(Connection* c) {
  {
    std::lock_guard lock(pool_mu_);
    idle_.push_back(c);
  }
  pool_cv_.notify_one();
}

Status SqliteStore::BeforeWriterStatement(std::string_view sql) {
  Report(sql);
  if (fail_statement_at_ == 0 || IsRollback(sql)) return Status::Ok();
  ++statements_seen_;
  if (statements_seen_ == fail_statement_at_ || (fail_persistent_ && statements_seen_ > fail_statement_at_))
    return Status::IoError("injected fault (TEST_FailStatement) at statement " + std::to_string(statements_seen_));
  return Status::Ok();
}

void SqliteStore::Report(std::string_view sql) {
  if (!has_hook_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(hook_mu_);
  if (on_statement_) on_statement_(sql);
}

void SqliteStore::TEST_FailCommitAfter(int n) {
  std::lock_guard lock(mu_);
  fail_commit_countdown_ = n;
}

void SqliteStore::TEST_FailStatement(int n, bool persistent) {
  std::lock_guard lock(mu_);
  fail_statement_at_ = n;
  fail_persistent_ = persistent;
  statements_seen_ = 0;
}

void SqliteStore::TEST_OnStatement(std::function<void(std::string_view sql)> hook) {
  std::lock_guard lock(hook_mu_);
  on_statement_ = std::move(hook);
  has_hook_.store(static_cast<bool>(on_statement_), std::memory_order_release);
}

}  // namespace dsar::store
