// A thin RAII layer over the SQLite C API for the fulfillment module (company databases).
//
// Statements are always prepared with bound parameters; identifiers come from a checked
// systems map and are quoted with QuoteIdent. Failures are Status::IoError with SQLite's
// message (never bound values, so no personal data lands in messages or logs).
//
// Thread safety: a Db and its statements belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace dsar::fulfillment {

// One SQLite value as read from a row, keeping its storage class.
struct SqlValue {
  int type = SQLITE_NULL;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL
  std::int64_t i = 0;
  double d = 0;
  std::string s;  // TEXT bytes or BLOB bytes

  static SqlValue Text(std::string text) {
    SqlValue v;
    v.type = SQLITE_TEXT;
    v.s = std::move(text);
    return v;
  }
  static SqlValue Int(std::int64_t n) {
    SqlValue v;
    v.type = SQLITE_INTEGER;
    v.i = n;
    return v;
  }
  bool is_null() const { return type == SQLITE_NULL; }
  // A text form: integers in decimal, reals in shortest round-trip form, blobs in hex, NULL "".
  std::string ToText() const;
  bool operator==(const SqlValue& o) const;
};

// "name" with double quotes; `name` must have passed IsValidIdentifier.
std::string QuoteIdent(const std::string& name);

class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : s_(o.s_), db_(o.db_) { o.s_ = nullptr; }
  ~Stmt();

  void Bind(int index, const SqlValue& v);  // 1-based
  void Bind(int index, const std::string& text);
  void Bind(int index, std::int64_t n);
  // Next row: true with a row, false when done; `status` set on failure (then returns false).
  bool Step(Status* status);
  int Columns() const;
  std::string ColumnName(int i) const;
  SqlValue Column(int i) const;

 private:
  friend class Db;
  sqlite3_stmt* s_ = nullptr;
  sqlite3* db_ = nullptr;
};

class Db {
 public:
  // Opens an existing database read-write (never creates one); busy timeout 10 s.
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  Result<Stmt> Prepare(const std::string& sql);
  Status Exec(const std::string& sql);  // statements without parameters or results
  int Changes() const { return sqlite3_changes(db_); }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// Runs `prefix` + "(?,?,...)" + `suffix` once per chunk of at most 500 of `values`, binding
// `leading` first, and calls `row` for every result row (none for statements without results).
// For "... IN (...)" lists longer than SQLite's variable limit.
template <typename RowFn>
Status ForChunks(Db& db, const std::string& prefix, const std::vector<SqlValue>& values, const std::string& suffix,
                 const std::vector<SqlValue>& leading, RowFn&& row) {
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < values.size(); start += kChunk) {
    const size_t n = std::min(kChunk, values.size() - start);
    std::string sql = prefix + "(";
    for (size_t k = 0; k < n; ++k) sql += k ? ",?" : "?";
    sql += ")" + suffix;
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    int index = 1;
    for (const auto& v : leading) stmt->Bind(index++, v);
    for (size_t k = 0; k < n; ++k) stmt->Bind(index++, values[start + k]);
    Status st;
    while (stmt->Step(&st)) row(*stmt);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace dsar::fulfillment
