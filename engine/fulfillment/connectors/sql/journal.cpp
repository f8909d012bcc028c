#include "fulfillment/connectors/sql/journal.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>

namespace dsar::fulfillment::sql {

namespace json = boost::json;

Status EnsureJournal(Db& db) {
  return db.Exec(std::string("CREATE TABLE IF NOT EXISTS ") + kJournal +
                 " (reference TEXT NOT NULL, step TEXT NOT NULL, summary TEXT NOT NULL,"
                 " files TEXT NOT NULL, PRIMARY KEY (reference, step))");
}

Result<std::optional<Journaled>> ReadJournal(Db& db, const std::string& reference, const std::string& key) {
  auto q = db.Prepare(std::string("SELECT summary, files FROM ") + kJournal + " WHERE reference = ?1 AND step = ?2");
  if (!q.ok()) return q.status();
  q->Bind(1, reference);
  q->Bind(2, key);
  Status st;
  std::optional<Journaled> out;
  if (q->Step(&st)) {
    Journaled j;
    std::error_code ec;
    json::value summary = json::parse(q->Column(0).s, ec);
    json::value files = ec ? json::value() : json::parse(q->Column(1).s, ec);
    bool complete = !ec && summary.is_object() && files.is_array();
    if (complete) {
      j.result.summary = summary.as_object();
      for (const auto& f : files.as_array()) {
        if (!f.is_string()) complete = false;
        if (!complete) break;
        j.result.files.emplace_back(f.as_string().c_str());
        if (!std::filesystem::exists(j.result.files.back())) complete = false;
      }
    }
    j.complete = complete;
    j.result.replayed = complete;
    if (summary.is_object())
      if (const auto* g = summary.as_object().if_contains("generated_at"); g && g->is_string())
        j.generated_at = ParseRfc3339(std::string_view(g->as_string()));
    out = std::move(j);
  }
  if (!st.ok()) return st;
  return out;
}

Status WriteJournal(Db& db, const std::string& reference, const std::string& key, const json::object& summary,
                    const std::vector<std::string>& file_list) {
  json::array files;
  for (const auto& f : file_list) files.emplace_back(f);
  auto ins = db.Prepare(std::string("INSERT OR REPLACE INTO ") + kJournal +
                        " (reference, step, summary, files) VALUES (?1, ?2, ?3, ?4)");
  if (!ins.ok()) return ins.status();
  ins->Bind(1, reference);
  ins->Bind(2, key);
  ins->Bind(3, json::serialize(summary));
  ins->Bind(4, json::serialize(files));
  Status st;
  ins->Step(&st);
  return st;
}

Status DeleteJournal(Db& db, const std::string& reference, const std::string& key) {
  auto del = db.Prepare(std::string("DELETE FROM ") + kJournal + " WHERE reference = ?1 AND step = ?2");
  if (!del.ok()) return del.status();
  del->Bind(1, reference);
  del->Bind(2, key);
  Status st;
  del->Step(&st);
  return st;
}

}  // namespace dsar::fulfillment::sql
