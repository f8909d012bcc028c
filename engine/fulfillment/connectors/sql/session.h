// The company database connector's session (internal to connectors/sql): who the data subject
// is in the company database and which rows of each table of the systems map are theirs, while
// one unit's transaction is open (fulfiller.cpp says how a unit runs). Also the few helpers the
// steps share: SQL values as JSON, and the words of the messages for the person.
//
// Thread safety: a Session belongs to the thread running its unit; it borrows the map and the
// open database, which must outlive it.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "fulfillment/connectors/sql/sqlite_db.h"
#include "fulfillment/systems_map.h"

namespace dsar::fulfillment::sql {

namespace json = boost::json;

// An SQL value as JSON: integers, doubles and text as they are, a blob as its hex text, NULL as null.
json::value ToJson(const SqlValue& v);
json::array Strings(const std::vector<std::string>& v);

// "Nimbus Cloud production database", for messages to the person.
std::string Where(const SystemsMap& map);
// "1 record", "2,000 records".
std::string Count(std::int64_t n, const char* one, const char* many);

// Everything a step needs while its transaction is open.
class Session {
 public:
  Session(const SystemsMap& map, Db& db) : map_(map), db_(db) {}

  // The subject's normalised email and account ids (given and looked up by email).
  Status ResolveSubject(const DataSubject& subject) {
    email_ = NormalizeEmail(subject.email);
    std::string given_id = subject.account_id;
    while (!given_id.empty() && std::isspace(static_cast<unsigned char>(given_id.back()))) given_id.pop_back();
    while (!given_id.empty() && std::isspace(static_cast<unsigned char>(given_id.front()))) given_id.erase(0, 1);
    if (email_.empty() && given_id.empty())
      return Status::Invalid("the data subject has neither an email address nor an account id");
    if (!given_id.empty()) AddAccountId(SqlValue::Text(given_id));
    if (!map_.subject.table.empty() && !email_.empty()) {
      auto stmt = db_.Prepare("SELECT " + QuoteIdent(map_.subject.id_column) + " FROM " +
                              QuoteIdent(map_.subject.table) + " WHERE lower(trim(" +
                              QuoteIdent(map_.subject.email_column) + ")) = ?1 ORDER BY rowid");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, email_);
      Status st;
      while (stmt->Step(&st)) {
        SqlValue v = stmt->Column(0);
        if (!v.is_null()) AddAccountId(std::move(v));
      }
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  // Checks that every table and mapped column exists; records unmapped columns.
  Status CheckSchema() {
    for (const auto& t : map_.tables) {
      auto stmt = db_.Prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, t.name);
      Status st;
      std::vector<std::string> cols;
      while (stmt->Step(&st)) cols.push_back(stmt->Column(0).s);
      if (!st.ok()) return st;
      if (cols.empty())
        return Status::Invalid(map_.path + ":" + std::to_string(t.line) + ": table " + t.name +
                               " is not in the company database");
      auto has = [&](const std::string& c) { return std::find(cols.begin(), cols.end(), c) != cols.end(); };
      for (const auto& f : t.fields)
        if (!has(f.name))
          return Status::Invalid(map_.path + ":" + std::to_string(f.line) + ": column " + t.name + "." + f.name +
                                 " is not in the company database");
      for (const auto& l : t.links)
        if (!has(l.column))
          return Status::Invalid(map_.path + ":" + std::to_string(l.line) + ": link column " + t.name + "." +
                                 l.column + " is not in the company database");
      if (t.keep_if && !has(t.keep_if->column))
        return Status::Invalid(map_.path + ":" + std::to_string(t.line) + ": keep_if column " + t.name + "." +
                               t.keep_if->column + " is not in the company database");
      for (const auto& c : cols)
        if (!t.Field(c)) unmapped_[t.name].push_back(c);
      columns_[t.name] = std::move(cols);
    }
    return Status::Ok();
  }

  // An SQL condition true for the rows of `t` linked to the subject, its columns qualified with
  // the table's name; ?1 stands for the email and ?2, ?3, ... for the account ids (BindSubject
  // binds them). A link through another table is a subquery on that table's own condition.
  std::string LinkCondition(const TableSpec& t) const {
    std::string cond;
    auto add = [&](const std::string& c) { cond += (cond.empty() ? "" : " OR ") + c; };
    const std::string table = QuoteIdent(t.name);
    for (const auto& l : t.links) {
      const std::string column = table + "." + QuoteIdent(l.column);
      switch (l.kind) {
        case Link::Kind::kEmail:
          if (!email_.empty()) add("lower(trim(" + column + ")) = ?1");
          break;
        case Link::Kind::kAccountId:
          if (!account_ids_.empty()) {
            std::string list;
            for (size_t i = 0; i < account_ids_.size(); ++i) list += (i ? ",?" : "?") + std::to_string(i + 2);
            add(column + " IN (" + list + ")");
          }
          break;
        case Link::Kind::kVia: {
          const std::string via = QuoteIdent(l.via);
          add(column + " IN (SELECT " + via + "." + QuoteIdent(l.references) + " FROM " + via + " WHERE " +
              LinkCondition(*map_.Table(l.via)) + ")");
          break;
        }
      }
    }
    return cond.empty() ? "0" : "(" + cond + ")";
  }

  void BindSubject(Stmt& s) const {
    s.Bind(1, SqlValue::Text(email_));
    for (size_t i = 0; i < account_ids_.size(); ++i) s.Bind(static_cast<int>(i) + 2, account_ids_[i]);
  }

  // A statement reading `columns` of the rows of `t` linked to the subject, in rowid order, one
  // row per Step: the rows stream from SQLite, whatever their number.
  Result<Stmt> SelectLinked(const TableSpec& t, const std::vector<std::string>& columns) {
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + QuoteIdent(c);
    if (list.empty()) list = "rowid";
    auto stmt = db_.Prepare("SELECT " + list + " FROM " + QuoteIdent(t.name) + " WHERE " + LinkCondition(t) +
                            " ORDER BY rowid");
    if (stmt.ok()) BindSubject(*stmt);
    return stmt;
  }

  // The rowids of `table`'s rows linked to the subject, ascending (memoised).
  Result<std::vector<std::int64_t>> Linked(const TableSpec& t) {
    if (auto it = linked_.find(t.name); it != linked_.end()) return it->second;
    auto stmt = SelectLinked(t, {});
    if (!stmt.ok()) return stmt.status();
    std::vector<std::int64_t> rows;
    Status st;
    while (stmt->Step(&st)) rows.push_back(stmt->Column(0).i);
    if (!st.ok()) return st;
    linked_[t.name] = rows;
    return rows;
  }

  // Resolves every table's linked rows up front (before anything changes).
  Status LinkAll() {
    for (const auto& t : map_.tables) {
      auto r = Linked(t);
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }

  const std::vector<std::int64_t>& Rows(const std::string& table) { return linked_[table]; }

  // The resolution recorded by the first erase unit of a reference (Fulfiller::RunUnit):
  // {"account_ids": [...], "rows": {table: [rowid, ...]}}.
  json::object Snapshot() const {
    json::object o;
    json::array ids;
    for (const auto& a : account_ids_) ids.push_back(ToJson(a));
    o["account_ids"] = std::move(ids);
    json::object rows;
    for (const auto& [table, r] : linked_) {
      json::array a;
      for (auto id : r) a.emplace_back(id);
      rows[table] = std::move(a);
    }
    o["rows"] = std::move(rows);
    return o;
  }
  // Keeps only the recorded rows of `t` that still link to the subject directly (by email or
  // account id), so that a rowid reused by a new row since the resolution is never erased; a
  // table linked through another table (whose rows may be erased already) keeps its recorded
  // rows as they are.
  Status Recheck(const TableSpec& t) {
    for (const auto& l : t.links)
      if (l.kind == Link::Kind::kVia) return Status::Ok();
    std::vector<std::int64_t>& rows = linked_[t.name];
    if (rows.empty()) return Status::Ok();
    if (email_.empty() && account_ids_.empty()) {
      rows.clear();
      return Status::Ok();
    }
    std::set<std::int64_t> still;  // the rows that link to the subject now
    auto stmt = SelectLinked(t, {});
    if (!stmt.ok()) return stmt.status();
    Status st;
    while (stmt->Step(&st)) still.insert(stmt->Column(0).i);
    if (!st.ok()) return st;
    std::vector<std::int64_t> kept;
    for (auto id : rows)
      if (still.count(id)) kept.push_back(id);
    rows = std::move(kept);
    return Status::Ok();
  }

  Status LoadSnapshot(const json::value& v, const DataSubject& subject) {
    email_ = NormalizeEmail(subject.email);
    if (!v.is_object()) return Status::IoError("the recorded resolution of the data subject is unreadable");
    const json::object& o = v.as_object();
    const auto* ids = o.if_contains("account_ids");
    const auto* rows = o.if_contains("rows");
    if (!ids || !ids->is_array() || !rows || !rows->is_object())
      return Status::IoError("the recorded resolution of the data subject is unreadable");
    account_ids_.clear();
    for (const auto& a : ids->as_array()) {
      if (a.is_int64()) AddAccountId(SqlValue::Int(a.as_int64()));
      else if (a.is_string()) AddAccountId(SqlValue::Text(std::string(a.as_string())));
    }
    linked_.clear();
    for (const auto& t : map_.tables) {
      std::vector<std::int64_t>& out = linked_[t.name];
      if (const auto* r = rows->as_object().if_contains(t.name); r && r->is_array())
        for (const auto& id : r->as_array())
          if (id.is_int64()) out.push_back(id.as_int64());
    }
    return Status::Ok();
  }

  static std::vector<SqlValue> RowidValues(const std::vector<std::int64_t>& ids) {
    std::vector<SqlValue> v;
    v.reserve(ids.size());
    for (auto id : ids) v.push_back(SqlValue::Int(id));
    return v;
  }

  const std::vector<std::string>& Columns(const std::string& table) { return columns_[table]; }
  const std::map<std::string, std::vector<std::string>>& Unmapped() const { return unmapped_; }
  const std::string& email() const { return email_; }
  const std::vector<SqlValue>& account_ids() const { return account_ids_; }
  Db& db() { return db_; }
  const SystemsMap& map() const { return map_; }

 private:
  void AddAccountId(SqlValue v) {
    for (const auto& a : account_ids_)
      if (a == v) return;
    account_ids_.push_back(std::move(v));
  }

  const SystemsMap& map_;
  Db& db_;
  std::string email_;
  std::vector<SqlValue> account_ids_;
  std::map<std::string, std::vector<std::int64_t>> linked_;
  std::map<std::string, std::vector<std::string>> columns_;
  std::map<std::string, std::vector<std::string>> unmapped_;
};

}  // namespace dsar::fulfillment::sql
