#include "support/sql.h"

#include <sqlite3.h>

#include <stdexcept>

namespace dsar::test_sql {

namespace {

// One connection for one call; closed by the destructor.
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close_v2(db_);
      throw std::runtime_error("cannot open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 10000);
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  std::vector<std::vector<std::string>> Query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    std::vector<std::vector<std::string>> rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string>& row = rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
        row.emplace_back(p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt, i))) : std::string());
      }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    return rows;
  }

  bool Exec(const std::string& sql, std::string& error) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return true;
    error = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return false;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

std::int64_t Count(const std::string& db_path, const std::string& sql) {
  Db db(db_path);
  const auto rows = db.Query(sql);
  if (rows.empty() || rows[0].empty()) return -1;
  return std::stoll(rows[0][0].empty() ? "0" : rows[0][0]);
}

std::vector<std::vector<std::string>> Rows(const std::string& db_path, const std::string& sql) {
  Db db(db_path);
  return db.Query(sql);
}

std::string First(const std::string& db_path, const std::string& sql) {
  const auto rows = Rows(db_path, sql);
  return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
}

std::string Text(const std::string& db_path, const std::string& sql, const std::string& separator) {
  std::string out;
  bool first = true;
  for (const auto& row : Rows(db_path, sql)) {
    if (!first) out += separator;
    first = false;
    if (!row.empty()) out += row[0];
  }
  return out;
}

void Exec(const std::string& db_path, const std::string& sql) {
  Db db(db_path);
  std::string error;
  if (!db.Exec(sql, error)) throw std::runtime_error(sql + ": " + error);
}

bool TryExec(const std::string& db_path, const std::string& sql) {
  Db db(db_path);
  std::string error;
  return db.Exec(sql, error);
}

}  // namespace dsar::test_sql
