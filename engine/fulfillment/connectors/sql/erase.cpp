#include "fulfillment/connectors/sql/erase.h"

namespace dsar::fulfillment::sql {

namespace {

// Masks `value` as the field says: the replacement text, or '*' for every UTF-8 character but
// the last `keep_last`. Applying it twice gives the same result (erasure is idempotent).
std::string Mask(const FieldSpec& f, const std::string& value) {
  if (!f.keep_last) return f.mask_with.value_or("***");
  std::vector<size_t> starts;  // byte offset of each UTF-8 character
  for (size_t i = 0; i < value.size(); ++i)
    if ((static_cast<unsigned char>(value[i]) & 0xC0) != 0x80) starts.push_back(i);
  const size_t keep = static_cast<size_t>(*f.keep_last);
  if (starts.size() <= keep) return value;
  const size_t masked = starts.size() - keep;
  return std::string(masked, '*') + value.substr(keep ? starts[masked] : value.size());
}

// Nulls or masks the fields of the surviving rows `keep` of `t`; fills the table's summary.
Status EraseFields(Session& run, const TableSpec& t, const std::vector<std::int64_t>& keep, json::object& ts) {
  json::array nulled, masked, kept_fields;
  json::object own_reasons;  // kept fields whose reason is their own, not the table's
  const auto ids = Session::RowidValues(keep);
  for (const auto& f : t.fields) {
    const std::string table = QuoteIdent(t.name), col = QuoteIdent(f.name);
    Status st;
    switch (f.erase) {
      case FieldErase::kNull:
        st = ForChunks(run.db(), "UPDATE " + table + " SET " + col + " = NULL WHERE rowid IN ", ids, "", {},
                       [](Stmt&) {});
        nulled.emplace_back(f.name);
        break;
      case FieldErase::kMask:
        if (!f.keep_last) {
          st = ForChunks(run.db(),
                         "UPDATE " + table + " SET " + col + " = ?1 WHERE " + col + " IS NOT NULL AND rowid IN ", ids,
                         "", {SqlValue::Text(Mask(f, ""))}, [](Stmt&) {});
        } else {
          std::vector<std::pair<std::int64_t, std::string>> values;
          st = ForChunks(run.db(), "SELECT rowid, CAST(" + col + " AS TEXT) FROM " + table + " WHERE " + col +
                                       " IS NOT NULL AND rowid IN ",
                         ids, "", {}, [&](Stmt& s) { values.emplace_back(s.Column(0).i, s.Column(1).s); });
          for (const auto& [rowid, value] : values) {
            if (!st.ok()) break;
            const std::string m = Mask(f, value);
            if (m == value) continue;
            auto u = run.db().Prepare("UPDATE " + table + " SET " + col + " = ?1 WHERE rowid = ?2");
            if (!u.ok()) return u.status();
            u->Bind(1, m);
            u->Bind(2, rowid);
            u->Step(&st);
          }
        }
        masked.emplace_back(f.name);
        break;
      case FieldErase::kKeep:
      case FieldErase::kUnset:
        kept_fields.emplace_back(f.name);
        if (!f.reason.empty() && f.reason != t.erase_reason) own_reasons[f.name] = f.reason;
        break;
    }
    if (!st.ok()) return st;
  }
  const auto n = static_cast<std::int64_t>(keep.size());
  ts["nulled"] = nulled.empty() ? 0 : n;
  ts["masked"] = masked.empty() ? 0 : n;
  ts["kept"] = n;
  if (n > 0) {
    if (!nulled.empty()) ts["fields_nulled"] = std::move(nulled);
    if (!masked.empty()) ts["fields_masked"] = std::move(masked);
    if (!kept_fields.empty()) ts["fields_kept"] = std::move(kept_fields);
    if (!own_reasons.empty()) ts["field_reasons"] = std::move(own_reasons);
    if (!t.erase_reason.empty()) ts["reason"] = t.erase_reason;
    if (auto it = run.Unmapped().find(t.name); it != run.Unmapped().end())
      ts["unmapped_columns_kept"] = Strings(it->second);
  }
  return Status::Ok();
}

}  // namespace

Status EraseTable(Session& run, const TableSpec& t, const EraseOptions& options, TableErasure& out) {
  const auto& rows = run.Rows(t.name);
  json::object& ts = out.table;
  ts["strategy"] = t.erase == TableErase::kDelete ? "delete" : t.erase == TableErase::kKeep ? "keep" : "fields";
  ts["linked"] = static_cast<std::int64_t>(rows.size());
  std::vector<HoldRef> holds;
  if (options.holds_for) {
    auto h = options.holds_for(t.name, t.category);
    if (!h.ok()) return h.status();
    holds = std::move(h.value());
  }
  if (!holds.empty()) {
    // Held: every linked row stays exactly as it is, whatever the map says.
    const auto n = static_cast<std::int64_t>(rows.size());
    json::array ids;
    for (const auto& h : holds) ids.emplace_back(h.id);
    ts["held"] = true;
    ts["deleted"] = 0;
    ts["nulled"] = 0;
    ts["masked"] = 0;
    ts["kept"] = n;
    ts["holds"] = ids;
    if (n > 0) {
      const HoldRef& first = holds.front();
      json::object e;
      e["table"] = t.name;
      e["rows"] = n;
      e["category"] = t.category;
      e["hold_id"] = first.id;
      e["ground"] = first.ground;
      e["citation"] = first.citation;
      e["matter"] = first.matter;
      e["holds"] = std::move(ids);
      out.retained = std::move(e);
    }
    return Status::Ok();
  }
  std::vector<std::int64_t> keep, drop;
  if (t.erase == TableErase::kKeep) {
    keep = rows;
  } else if (t.erase == TableErase::kFields) {
    keep = rows;
  } else if (!t.keep_if) {
    drop = rows;
  } else {
    std::set<std::int64_t> kept;
    Status st = ForChunks(run.db(),
                          "SELECT rowid, CAST(" + QuoteIdent(t.keep_if->column) + " AS TEXT) FROM " +
                              QuoteIdent(t.name) + " WHERE rowid IN ",
                          Session::RowidValues(rows), "", {}, [&](Stmt& s) {
                            const SqlValue v = s.Column(1);
                            if (v.is_null()) return;
                            for (const auto& want : t.keep_if->values)
                              if (v.s == want) kept.insert(s.Column(0).i);
                          });
    if (!st.ok()) return st;
    for (auto id : rows) (kept.count(id) ? keep : drop).push_back(id);
  }
  if (!drop.empty()) {
    Status st = ForChunks(run.db(), "DELETE FROM " + QuoteIdent(t.name) + " WHERE rowid IN ",
                          Session::RowidValues(drop), "", {}, [](Stmt&) {});
    if (!st.ok()) return st;
  }
  ts["deleted"] = static_cast<std::int64_t>(drop.size());
  if (t.erase == TableErase::kKeep) {
    ts["nulled"] = 0;
    ts["masked"] = 0;
    ts["kept"] = static_cast<std::int64_t>(keep.size());
    if (!keep.empty()) ts["reason"] = t.erase_reason;
    return Status::Ok();
  }
  return EraseFields(run, t, keep, ts);
}

namespace {

std::int64_t IntAt(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

void AssembleErase(const SystemsMap& map, const std::vector<TableErasure>& parts, bool with_holds,
                   json::object& summary) {
  json::object tables;
  json::array retained;
  std::int64_t linked_total = 0, deleted_total = 0, kept_total = 0, retained_total = 0;
  std::string retained_text;  // for the person: "billing (2 records, financial data): ..."
  for (size_t i = 0; i < parts.size() && i < map.tables.size(); ++i) {
    const TableSpec& t = map.tables[i];
    const json::object& ts = parts[i].table;
    linked_total += IntAt(ts, "linked");
    deleted_total += IntAt(ts, "deleted");
    kept_total += IntAt(ts, "kept");
    if (parts[i].retained) {
      const json::object& e = *parts[i].retained;
      const std::int64_t n = IntAt(e, "rows");
      retained_total += n;
      const auto* citation = e.if_contains("citation");
      retained_text += std::string(retained_text.empty() ? "" : "; ") + t.name + " (" +
                       Count(n, "record", "records") + ", " + t.category +
                       "): " + (citation && citation->is_string() ? std::string(citation->as_string()) : "");
      retained.push_back(e);
    }
    tables[t.name] = ts;
  }
  summary["tables"] = std::move(tables);
  summary["total_linked"] = linked_total;
  summary["total_deleted"] = deleted_total;
  summary["total_kept"] = kept_total;
  if (with_holds) {
    summary["retained"] = std::move(retained);
    summary["total_retained"] = retained_total;
    if (retained_total > 0)
      summary["message"] = "We erased your personal data except " + Count(retained_total, "record", "records") +
                           " we must keep under a legal hold, which we will erase when the hold ends if no other "
                           "ground applies: " + retained_text + ".";
  }
}

}  // namespace dsar::fulfillment::sql
