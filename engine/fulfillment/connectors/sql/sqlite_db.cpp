#include "fulfillment/connectors/sql/sqlite_db.h"

#include <charconv>
#include <cmath>
#include <memory>

namespace dsar::fulfillment {

std::string SqlValue::ToText() const {
  switch (type) {
    case SQLITE_INTEGER:
      return std::to_string(i);
    case SQLITE_FLOAT: {
      if (!std::isfinite(d)) return "";
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      return std::string(buf, r.ptr);
    }
    case SQLITE_TEXT:
      return s;
    case SQLITE_BLOB: {
      static const char* kHex = "0123456789abcdef";
      std::string out;
      for (unsigned char c : s) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out;
    }
    default:
      return "";
  }
}

bool SqlValue::operator==(const SqlValue& o) const {
  if (type != o.type) return false;
  switch (type) {
    case SQLITE_INTEGER:
      return i == o.i;
    case SQLITE_FLOAT:
      return d == o.d;
    case SQLITE_NULL:
      return true;
    default:
      return s == o.s;
  }
}

std::string QuoteIdent(const std::string& name) { return "\"" + name + "\""; }

Stmt::~Stmt() {
  if (s_) sqlite3_finalize(s_);
}

void Stmt::Bind(int index, const SqlValue& v) {
  switch (v.type) {
    case SQLITE_INTEGER:
      sqlite3_bind_int64(s_, index, v.i);
      break;
    case SQLITE_FLOAT:
      sqlite3_bind_double(s_, index, v.d);
      break;
    case SQLITE_TEXT:
      sqlite3_bind_text(s_, index, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
      break;
    case SQLITE_BLOB:
      sqlite3_bind_blob(s_, index, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
      break;
    default:
      sqlite3_bind_null(s_, index);
  }
}

void Stmt::Bind(int index, const std::string& text) {
  sqlite3_bind_text(s_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Stmt::Bind(int index, std::int64_t n) { sqlite3_bind_int64(s_, index, n); }

bool Stmt::Step(Status* status) {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    const char* sql = sqlite3_sql(s_);
    *status = Status::IoError(std::string("company database: ") + sqlite3_errmsg(db_) + " (in: " + (sql ? sql : "") +
                              ")");
  }
  return false;
}

int Stmt::Columns() const { return sqlite3_column_count(s_); }

std::string Stmt::ColumnName(int i) const {
  const char* n = sqlite3_column_name(s_, i);
  return n ? n : "";
}

SqlValue Stmt::Column(int i) const {
  SqlValue v;
  v.type = sqlite3_column_type(s_, i);
  switch (v.type) {
    case SQLITE_INTEGER:
      v.i = sqlite3_column_int64(s_, i);
      break;
    case SQLITE_FLOAT:
      v.d = sqlite3_column_double(s_, i);
      break;
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
      v.s.assign(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(s_, i)));
      break;
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
      const int n = sqlite3_column_bytes(s_, i);
      if (p && n > 0) v.s.assign(p, static_cast<size_t>(n));
      break;
    }
    default:
      break;
  }
  return v;
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return Status::IoError("cannot open company database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_extended_result_codes(raw, 1);
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() { sqlite3_close(db_); }

Result<Stmt> Db::Prepare(const std::string& sql) {
  Stmt stmt;
  stmt.db_ = db_;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt.s_, nullptr) != SQLITE_OK)
    return Status::IoError(std::string("company database: ") + sqlite3_errmsg(db_) + " (in: " + sql + ")");
  return stmt;
}

Status Db::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Status::IoError("company database: " + msg);
  }
  return Status::Ok();
}

}  // namespace dsar::fulfillment
