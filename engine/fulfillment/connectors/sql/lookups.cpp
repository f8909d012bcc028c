// The company database connector's read-only lookups (fulfiller.h): the data subject's account
// ids, verification data point values, phone numbers, and the map's tables with their categories.
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/connectors/sql/session.h"

namespace dsar::fulfillment {

using sql::Session;

Result<std::vector<std::string>> Fulfiller::AccountIds(const DataSubject& subject) const {
  if (!map_) return Status::Invalid("no systems map");
  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Session session(*map_, **opened);
  if (Status st = session.ResolveSubject(subject); !st.ok()) return st;
  std::vector<std::string> ids;
  for (const SqlValue& v : session.account_ids())
    ids.push_back(v.type == SQLITE_INTEGER ? std::to_string(v.i) : v.s);
  return ids;
}

Result<std::map<std::string, std::vector<std::string>>> Fulfiller::DataPointValues(const DataSubject& subject) const {
  if (!map_) return Status::Invalid("no systems map");
  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Session session(*map_, **opened);
  if (Status st = session.ResolveSubject(subject); !st.ok()) return st;
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& t : map_->tables) {
    std::vector<std::string> columns, points;
    for (const auto& f : t.fields)
      if (!f.verification_point.empty()) {
        columns.push_back(f.name);
        points.push_back(f.verification_point);
      }
    if (columns.empty()) continue;
    auto stmt = session.SelectLinked(t, columns);
    if (!stmt.ok()) return stmt.status();
    Status st;
    while (stmt->Step(&st)) {
      for (size_t i = 0; i < columns.size(); ++i) {
        SqlValue v = stmt->Column(static_cast<int>(i));
        if (v.type == SQLITE_INTEGER) out[points[i]].push_back(std::to_string(v.i));
        else if (v.type == SQLITE_TEXT) out[points[i]].push_back(std::move(v.s));
      }
    }
    if (!st.ok()) return st;
  }
  return out;
}

std::vector<std::string> Fulfiller::DataPointNames() const {
  return map_ ? VerificationPointNames(*map_) : std::vector<std::string>{};
}

Result<std::vector<std::string>> Fulfiller::SubjectPhones(const DataSubject& subject) const {
  if (!map_) return Status::Invalid("no systems map");
  std::vector<std::string> phones;
  if (map_->subject.table.empty() || map_->subject.phone_column.empty()) return phones;
  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Session session(*map_, **opened);
  if (Status st = session.ResolveSubject(subject); !st.ok()) return st;
  for (const SqlValue& id : session.account_ids()) {
    auto q = (*opened)->Prepare("SELECT CAST(" + QuoteIdent(map_->subject.phone_column) + " AS TEXT) FROM " +
                                QuoteIdent(map_->subject.table) + " WHERE " + QuoteIdent(map_->subject.id_column) +
                                " = ?1 AND " + QuoteIdent(map_->subject.phone_column) + " IS NOT NULL");
    if (!q.ok()) return q.status();
    q->Bind(1, id);
    Status st;
    while (q->Step(&st)) phones.push_back(q->Column(0).s);
    if (!st.ok()) return st;
  }
  return phones;
}

std::vector<std::pair<std::string, std::string>> Fulfiller::TableCategories() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (map_)
    for (const auto& t : map_->tables) out.emplace_back(t.name, t.category);
  return out;
}

}  // namespace dsar::fulfillment
