#include "store/sqlite/sqlite.h"

namespace dsar::store {

Connection::~Connection() {
  for (auto& [sql, c] : cache_) sqlite3_finalize(c.stmt);
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Connection::Open(const std::string& path, int busy_timeout_ms, bool read_only) {
  const int mode = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db_, mode | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::IoError("cannot open database " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    return s;
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
  return Status::Ok();
}

Status Connection::Error(const char* what) const {
  const int code = sqlite3_errcode(db_);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db_);
  const int primary = code & 0xff;
  if (primary == SQLITE_CONSTRAINT || primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Status::Conflict(msg);
  return Status::IoError(msg);
}

Status Connection::Exec(std::string_view sql) {
  if (Status h = BeforeStatement(sql); !h.ok()) return h;
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    const int primary = rc & 0xff;
    if (primary == SQLITE_CONSTRAINT || primary == SQLITE_BUSY) return Status::Conflict(msg);
    return Status::IoError(msg);
  }
  return Status::Ok();
}

Statement::Statement(Connection& conn, std::string_view sql) : conn_(conn) {
  auto it = conn.cache_.find(sql);
  if (it != conn.cache_.end() && !it->second.in_use) {
    cached_ = &it->second;
    cached_->in_use = true;
    stmt_ = cached_->stmt;
    return;
  }
  // Not cached yet (prepared to be kept, when there is room), or the cached one is in use (a
  // fresh one for this object alone).
  const bool keep = it == conn.cache_.end() && conn.cache_.size() < Connection::kMaxCachedStatements;
  if (sqlite3_prepare_v3(conn.raw(), sql.data(), static_cast<int>(sql.size()), keep ? SQLITE_PREPARE_PERSISTENT : 0,
                         &stmt_, nullptr) != SQLITE_OK) {
    stmt_ = nullptr;
    status_ = conn.Error("prepare");
    return;
  }
  if (keep && stmt_ != nullptr) {  // (text with no statement in it prepares to nullptr: nothing to keep)
    cached_ = &conn.cache_.emplace(std::string(sql), Connection::Cached{stmt_, true}).first->second;
  }
}

Statement::~Statement() {
  if (cached_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  cached_->in_use = false;
}

#define DSAR_BIND(call)                                          \
  do {                                                           \
    if (stmt_ != nullptr && status_.ok() && (call) != SQLITE_OK) \
      status_ = conn_.Error("bind");                             \
  } while (0)

Statement& Statement::Bind(int i, std::int64_t v) {
  DSAR_BIND(sqlite3_bind_int64(stmt_, i, v));
  return *this;
}
Statement& Statement::Bind(int i, std::string_view v) {
  DSAR_BIND(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  return *this;
}
Statement& Statement::BindBlob(int i, std::string_view v) {
  DSAR_BIND(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  return *this;
}
Statement& Statement::BindNull(int i) {
  DSAR_BIND(sqlite3_bind_null(stmt_, i));
  return *this;
}
#undef DSAR_BIND

bool Statement::Step() {
  if (stmt_ == nullptr || !status_.ok()) return false;
  if (!started_) {
    started_ = true;
    if (Status h = conn_.BeforeStatement(sqlite3_sql(stmt_)); !h.ok()) {
      status_ = std::move(h);
      return false;
    }
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = conn_.Error("step");
  return false;
}

Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

void Statement::Reset() {
  started_ = false;
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
std::optional<std::int64_t> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}
std::string Statement::Text(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}
std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

}  // namespace dsar::store
