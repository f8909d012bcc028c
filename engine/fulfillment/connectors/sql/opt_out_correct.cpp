#include "fulfillment/connectors/sql/opt_out_correct.h"

namespace dsar::fulfillment {

Status Fulfiller::CheckCorrections(const std::vector<CorrectionChange>& changes) const {
  if (!map_) return Status::Unprocessable("no systems map is configured: corrections cannot be checked");
  if (changes.empty()) return Status::Invalid("data.changes must list at least one {table, column, value}");
  for (const auto& c : changes) {
    const std::string where = "change " + c.table + "." + c.column;
    const TableSpec* t = map_->Table(c.table);
    if (t == nullptr) {
      std::string list;
      for (const auto& tt : map_->tables) list += (list.empty() ? "" : ", ") + tt.name;
      return Status::Unprocessable(where + ": the systems map has no table '" + c.table + "' (it has " + list + ")");
    }
    const FieldSpec* f = t->Field(c.column);
    if (f == nullptr) return Status::Unprocessable(where + ": '" + c.column + "' is not a field of " + c.table + " in the systems map");
    if (!f->withheld.empty()) return Status::Unprocessable(where + ": the field is withheld from the data subject");
    // Columns that find the person's rows (an email, an account id, a join) are not corrected
    // here: a new email would hand the account to whoever holds that mailbox. Staff change them
    // in the company's own systems once the new address is confirmed.
    for (const auto& l : t->links)
      if (l.column == c.column)
        return Status::Unprocessable(where + ": the column links rows to the person; it is not corrected");
    if (c.table == map_->subject.table && c.column == map_->subject.email_column)
      return Status::Unprocessable(where + ": the column links rows to the person; it is not corrected");
    // Opt-out flags change only through opt-out requests (and their history), never by a
    // correction that could quietly undo an opt-out of sale or of marketing.
    for (const auto* flags : {&map_->sale_opt_outs, &map_->marketing_opt_outs})
      for (const auto& flag : *flags)
        if (flag.table == c.table && flag.field == c.column)
          return Status::Unprocessable(where + ": an opt-out flag changes only through an opt-out request");
    if (c.table == map_->subject.table && c.column == map_->subject.id_column)
      return Status::Unprocessable(where + ": the account id is assigned by the company, not corrected");
    if (!(c.value.is_string() || c.value.is_number() || c.value.is_null()))
      return Status::Invalid(where + ": the value must be a string, a number or null");
  }
  return Status::Ok();
}

namespace sql {

namespace {

// Sets `col` of `table` (both quoted) to `value` in the rows `ids` where it differs.
Status SetWhereDifferent(Session& run, const std::string& table, const std::string& col,
                         const std::vector<SqlValue>& ids, const SqlValue& value) {
  return ForChunks(run.db(), "UPDATE " + table + " SET " + col + " = ?1 WHERE " + col + " IS NOT ?1 AND rowid IN ",
                   ids, "", {value}, [](Stmt&) {});
}

// One flag's or change's entry of the summary: {table, <what>: name, value, linked, changed}.
json::object Entry(const std::string& table, const char* what, const std::string& name, const SqlValue& value,
                   size_t linked, std::int64_t changed) {
  json::object o;
  o["table"] = table;
  o[what] = name;
  o["value"] = ToJson(value);
  o["linked"] = static_cast<std::int64_t>(linked);
  o["changed"] = changed;
  return o;
}

}  // namespace

Status SetFlags(Session& run, const std::vector<OptOutFlag>& flags, const std::string& step, json::object& summary) {
  if (flags.empty()) return Status::Unprocessable("the systems map names no flags for " + step);
  json::array out;
  std::int64_t linked_total = 0, changed_total = 0;
  for (const auto& f : flags) {
    const auto& rows = run.Rows(f.table);
    const SqlValue value = f.int_value ? SqlValue::Int(*f.int_value) : SqlValue::Text(f.text_value);
    const std::string table = QuoteIdent(f.table), col = QuoteIdent(f.field);
    const auto ids = Session::RowidValues(rows);
    std::int64_t changed = 0;
    Status st = ForChunks(run.db(), "SELECT count(*) FROM " + table + " WHERE " + col + " IS NOT ?1 AND rowid IN ",
                          ids, "", {value}, [&](Stmt& s) { changed += s.Column(0).i; });
    if (st.ok()) st = SetWhereDifferent(run, table, col, ids, value);
    if (!st.ok()) return st;
    out.push_back(Entry(f.table, "field", f.field, value, rows.size(), changed));
    linked_total += static_cast<std::int64_t>(rows.size());
    changed_total += changed;
  }
  summary["flags"] = std::move(out);
  summary["total_linked"] = linked_total;
  summary["total_changed"] = changed_total;
  return Status::Ok();
}

namespace {

SqlValue ToSql(const json::value& v) {
  if (v.is_string()) return SqlValue::Text(std::string(v.as_string()));
  if (v.is_int64()) return SqlValue::Int(v.as_int64());
  if (v.is_uint64()) return SqlValue::Int(static_cast<std::int64_t>(v.as_uint64()));
  if (v.is_double()) {
    SqlValue d;
    d.type = SQLITE_FLOAT;
    d.d = v.as_double();
    return d;
  }
  return SqlValue();
}

}  // namespace

Status Correct(Session& run, const std::vector<CorrectionChange>& changes, json::object& summary) {
  json::array out;
  std::int64_t changed_total = 0;
  std::string what;
  for (const auto& c : changes) {
    const auto& rows = run.Rows(c.table);
    const std::string table = QuoteIdent(c.table), col = QuoteIdent(c.column);
    const SqlValue value = ToSql(c.value);
    const auto ids = Session::RowidValues(rows);
    json::array detail;
    std::int64_t changed = 0;
    // Each row named by its rowid and its table's first column (its key: id, invoice_no, ...).
    const auto& cols = run.Columns(c.table);
    const std::string key = cols.empty() ? std::string("rowid") : cols.front();
    Status st = ForChunks(run.db(), "SELECT rowid, " + col + ", " + QuoteIdent(key) + " FROM " + table +
                                        " WHERE rowid IN ",
                          ids, " ORDER BY rowid", {}, [&](Stmt& s) {
                            const SqlValue before = s.Column(1);
                            if (before == value) return;
                            ++changed;
                            detail.push_back(json::object{{"rowid", s.Column(0).i},
                                                          {"key", json::object{{key, ToJson(s.Column(2))}}},
                                                          {"before", ToJson(before)},
                                                          {"after", ToJson(value)}});
                          });
    if (st.ok()) st = SetWhereDifferent(run, table, col, ids, value);
    if (!st.ok()) return st;
    json::object o = Entry(c.table, "column", c.column, value, rows.size(), changed);
    o["rows"] = std::move(detail);
    out.push_back(std::move(o));
    changed_total += changed;
    what += (what.empty() ? "" : ", ") + c.column + " in " + c.table + " (" + Count(changed, "record", "records") + ")";
  }
  summary["changes"] = std::move(out);
  summary["total_changed"] = changed_total;
  summary["message"] = changed_total == 0
                           ? "Your data in " + Where(run.map()) + " already read as you asked; nothing needed changing."
                           : "We corrected your data in " + Where(run.map()) + " as you asked: " + what + ".";
  return Status::Ok();
}

json::object WithoutBefore(json::object summary) {
  if (auto* changes = summary.if_contains("changes"); changes && changes->is_array())
    for (auto& c : changes->as_array())
      if (c.is_object())
        if (auto* rows = c.as_object().if_contains("rows"); rows && rows->is_array())
          for (auto& r : rows->as_array())
            if (r.is_object()) r.as_object().erase("before");
  return summary;
}

}  // namespace sql
}  // namespace dsar::fulfillment
