// A thin RAII layer over the SQLite C API: a connection and prepared statements.
//
// Errors come back as Status (kIoError, or kConflict for SQLITE_CONSTRAINT / SQLITE_BUSY), never
// as exceptions. Thread safety: a Connection and its statements belong to one thread at a time;
// the SQLite store lends each connection to one thread at a time (sqlite_store.h).
//
// Statement cache: a Connection keeps each SQL text it has prepared (sqlite3_prepare_v3 with
// SQLITE_PREPARE_PERSISTENT), so a Statement of a text seen before costs no compilation. A
// Statement borrows its cached sqlite3_stmt for its lifetime; its destructor resets it and clears
// its bindings (which also ends any read it left open), and hands it back. While one Statement
// holds the cached copy, another Statement of the same text (a loop reading rows while running
// the same query again) gets a fresh prepare of its own, finalized when it is destroyed. SQLite
// re-prepares a cached statement by itself after a schema change (a migration). At most
// kMaxCachedStatements texts are kept; texts beyond that are prepared each time, as before.
//
// Statement hook: a Connection may carry one hook, called with the SQL text before each statement
// it runs (a Statement's first Step after construction or Reset, and each Exec). A hook that
// returns an error makes that statement fail with it, unrun: the store's TEST_ hooks count
// statements and inject faults through it. A Connection is the only SQLite wrapper of the engine
// (engine/store/sqlite/); nothing outside the SQLite store sees it.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>

#include "core/status.h"

namespace dsar::store {

class Statement;

class Connection {
 public:
  static constexpr std::size_t kMaxCachedStatements = 256;

  Connection() = default;
  // Finalizes the cached statements, then closes. Every Statement must be gone by then.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens (creating when absent) the database file, with `busy_timeout_ms` for SQLite's locking.
  // `read_only`: opens an existing file for reading only (no creation; a write fails, IoError).
  Status Open(const std::string& path, int busy_timeout_ms, bool read_only = false);
  // Runs SQL text with no parameters and no result rows (may hold several statements).
  Status Exec(std::string_view sql);
  sqlite3* raw() const { return db_; }
  std::int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  Status Error(const char* what) const;
  // True inside an explicit transaction (BEGIN without its COMMIT or ROLLBACK yet).
  bool InTransaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

  // The statement hook (see above); an empty function removes it. Set it while no other thread
  // uses the connection.
  using StatementHook = std::function<Status(std::string_view sql)>;
  void SetStatementHook(StatementHook hook) { hook_ = std::move(hook); }

  // Test hook: how many SQL texts have a cached prepared statement.
  std::size_t TEST_CachedStatements() const { return cache_.size(); }

 private:
  friend class Statement;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;  // borrowed by a live Statement
  };
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  // Runs the hook for `sql`: Ok when there is none.
  Status BeforeStatement(std::string_view sql) const { return hook_ ? hook_(sql) : Status::Ok(); }

  sqlite3* db_ = nullptr;
  StatementHook hook_;
  // By SQL text; entries are never removed before the destructor, so a Cached* stays valid.
  std::unordered_map<std::string, Cached, TextHash, std::equal_to<>> cache_;
};

// A prepared statement. Bind parameters by 1-based index; Step() until it returns false.
// Borrows the connection's cached statement for `sql` when it is free (see the cache above);
// the Connection must outlive it.
class Statement {
 public:
  Statement(Connection& conn, std::string_view sql);
  // Resets the statement and clears its bindings (a cached one goes back to the cache), or
  // finalizes it (one prepared for this object alone).
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  const Status& status() const { return status_; }
  Statement& Bind(int i, std::int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<std::int64_t>(v)); }
  Statement& Bind(int i, bool v) { return Bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Statement& Bind(int i, std::string_view v);
  Statement& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Statement& BindBlob(int i, std::string_view v);
  Statement& BindNull(int i);
  Statement& Bind(int i, const std::optional<std::string>& v) { return v ? Bind(i, *v) : BindNull(i); }
  Statement& Bind(int i, const std::optional<std::int64_t>& v) { return v ? Bind(i, *v) : BindNull(i); }
  // Binds NULL for an empty string.
  Statement& BindOrNull(int i, std::string_view v) { return v.empty() ? BindNull(i) : Bind(i, v); }

  // True when a row is available; false when done or on error (then status() says why).
  bool Step();
  // Runs a statement that returns no rows.
  Status Run();
  // Makes the statement ready to run again with new bindings (after Run or the last Step).
  void Reset();

  bool IsNull(int col) const;
  std::int64_t Int(int col) const;
  std::optional<std::int64_t> OptInt(int col) const;
  std::string Text(int col) const;  // "" for NULL
  std::optional<std::string> OptText(int col) const;

 private:
  Connection& conn_;
  sqlite3_stmt* stmt_ = nullptr;
  Connection::Cached* cached_ = nullptr;  // the cache entry borrowed; nullptr: stmt_ is ours to finalize
  bool started_ = false;                  // stepped since construction or the last Reset (the hook ran)
  Status status_;
};

}  // namespace dsar::store
