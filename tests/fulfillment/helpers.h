// Shared helpers of the fulfillment tests: temporary folders, the demo-data script, a small
// company database with known rows, table dumps and ZIP reading.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>
#include <zip.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/model.h"
#include "fulfillment/systems_map.h"

namespace dsar::fulfillment::testing {

// The instant the tests date packages with: 2026-11-20T09:00:00Z (Unix milliseconds).
constexpr std::int64_t kNow = 1795165200000;

// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dsar-fulfil-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::string Shell(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs scripts/make-demo-data with `args`; returns its exit status.
inline int MakeDemoData(const std::string& args) {
  const std::string cmd = "/usr/bin/python3 " + Shell(std::string(DSAR_SOURCE_DIR) + "/scripts/make-demo-data") + " " + args;
  return std::system(cmd.c_str());
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

inline std::string DemoMapPath() { return std::string(DSAR_SOURCE_DIR) + "/demo/systems.yaml"; }

// The demo systems map, loaded; the test stops (naming why) when it does not load.
inline std::shared_ptr<const SystemsMap> DemoMap() {
  auto map = LoadSystemsMap(DemoMapPath());
  INFO(map.status().ToString());
  REQUIRE(map.ok());
  return *map;
}

// Alex Morgan of the small company database (MakeSmallCompanyDb), by email.
inline DataSubject AlexMorgan() {
  DataSubject s;
  s.email = "alex.morgan@example.com";
  s.name = "Alex Morgan";
  return s;
}

// Runs SQL (no results) on a database file.
inline void Sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  INFO(msg);
  REQUIRE(rc == SQLITE_OK);
}

// Rows of a query, each value rendered with its type: NULL, 42, 'text' (SQLite's quote()).
inline std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  INFO(sql << ": " << sqlite3_errmsg(db));
  REQUIRE(rc == SQLITE_OK);
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
      row.push_back(t ? t : "<null>");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

// One string per column of the first result row, or a single column of every row.
inline std::vector<std::string> Column(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> out;
  for (auto& r : Query(db_path, sql)) out.push_back(r.at(0));
  return out;
}

// rowid -> the row, every column rendered with quote() (type-exact), for before/after dumps.
inline std::map<long long, std::string> Dump(const std::string& db_path, const std::string& table) {
  std::string cols;
  for (const auto& c : Column(db_path, "SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid"))
    cols += (cols.empty() ? "" : " || '|' || ") + std::string("quote(\"") + c + "\")";
  std::map<long long, std::string> out;
  for (auto& r : Query(db_path, "SELECT rowid, " + cols + " FROM \"" + table + "\" ORDER BY rowid"))
    out[std::stoll(r[0])] = r[1];
  return out;
}

inline std::vector<std::string> ZipNames(const std::string& path) {
  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_RDONLY, &err);
  REQUIRE(za != nullptr);
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); ++i) names.emplace_back(zip_get_name(za, i, 0));
  zip_close(za);
  return names;
}

inline std::string ZipEntry(const std::string& path, const std::string& name) {
  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_RDONLY, &err);
  REQUIRE(za != nullptr);
  zip_stat_t st;
  zip_stat_init(&st);
  REQUIRE(zip_stat(za, name.c_str(), 0, &st) == 0);
  zip_file_t* f = zip_fopen(za, name.c_str(), 0);
  REQUIRE(f != nullptr);
  std::string bytes(static_cast<size_t>(st.size), '\0');
  REQUIRE(zip_fread(f, bytes.data(), st.size) == static_cast<zip_int64_t>(st.size));
  zip_fclose(f);
  zip_close(za);
  return bytes;
}

// The tables of the demo map, in map order.
inline const std::vector<std::string>& DemoTables() {
  static const std::vector<std::string> t = {"accounts",      "projects",        "deployments",          "billing",
                                             "newsletter_subscriptions", "support_tickets", "analytics_identifiers"};
  return t;
}

// A company database with the demo schema (from the real script) and a few known rows:
// Alex Morgan (the subject in most tests: acc_alex, stored as Alex.Morgan@example.com), Blake
// Rivers (unrelated), Xander Morgan (xalex.morgan@..., an address that contains Alex's) and a
// newsletter reader without an account.
inline std::string MakeSmallCompanyDb(const TempDir& dir) {
  const std::string path = dir / "company.db";
  REQUIRE(MakeDemoData("--schema-only " + Shell(path)) == 0);
  Sql(path, R"SQL(
INSERT INTO accounts VALUES
 ('acc_alex','Alex.Morgan@example.com','Alex Morgan','+44 7700 900123','GB',NULL,'en','pro','active',
  '2022-03-01T10:00:00Z','2026-10-01T08:00:00Z','192.0.2.10','$argon2id$hash-alex',1,0),
 ('acc_blake','blake.rivers@example.org','Blake Rivers','+1 555 0142','US','CA','en','team','active',
  '2021-05-05T09:00:00Z','2026-09-09T09:00:00Z','198.51.100.7','$argon2id$hash-blake',1,0),
 ('acc_xalex','xalex.morgan@example.com','Xander Morgan',NULL,'DE',NULL,'de','free','active',
  '2023-01-01T00:00:00Z',NULL,NULL,NULL,0,0);
INSERT INTO projects VALUES
 ('prj_a1','acc_alex','climate-notebook','Climate, "daily" data','private','2022-03-02T10:00:00Z'),
 ('prj_b1','acc_blake','sales-dashboard','Quarterly sales','private','2021-06-01T00:00:00Z'),
 ('prj_a2','acc_alex','thesis',NULL,'public','2023-04-01T10:00:00Z');
INSERT INTO deployments VALUES
 ('dep_a1p','prj_a1','production','eu-west','climate-a1p.nimbus.example','running','192.0.2.11','2022-03-03T10:00:00Z'),
 ('dep_b1p','prj_b1','production','us-west','sales-b1p.nimbus.example','running','198.51.100.8','2021-06-02T00:00:00Z'),
 ('dep_a1s','prj_a1','staging','eu-west','climate-a1s.nimbus.example','stopped','192.0.2.11','2022-03-04T10:00:00Z'),
 ('dep_a2p','prj_a2','production','us-east','thesis-a2p.nimbus.example','running','192.0.2.12','2023-04-02T10:00:00Z');
INSERT INTO billing VALUES
 ('NC-000001','acc_alex','2025-01-01T00:00:00Z','paid','GBP',1200,240,'visa','4242','Alex Morgan','1 King Street, Exampleton','GB',NULL),
 ('NC-000002','acc_blake','2025-01-02T00:00:00Z','paid','USD',4900,0,'amex','0005','Blake Rivers','9 Main Street, Springfield','US','US123'),
 ('NC-000003','acc_alex','2025-02-01T00:00:00Z','refunded','GBP',1200,240,'visa','4242','Alex Morgan','1 King Street, Exampleton','GB',NULL),
 ('NC-000004','acc_alex','2025-03-01T00:00:00Z','void','GBP',1200,240,NULL,NULL,'Alex Morgan','1 King Street, Exampleton','GB',NULL),
 ('NC-000005','acc_blake','2025-03-02T00:00:00Z','void','USD',4900,0,NULL,NULL,'Blake Rivers','9 Main Street, Springfield','US','US123');
INSERT INTO newsletter_subscriptions (id, email, subscribed, topics, source, subscribed_at, consent_ip) VALUES
 (1,'ALEX.MORGAN@Example.com ',1,'product','signup','2022-03-01T10:05:00Z','192.0.2.10'),
 (2,'blake.rivers@example.org',1,'tips','footer_form','2021-05-05T09:05:00Z','198.51.100.7'),
 (3,'reader@example.net',0,'product','webinar','2020-01-01T00:00:00Z',NULL);
INSERT INTO support_tickets (id, account_id, requester_email, requester_name, subject, body, status, channel,
                             created_at, closed_at) VALUES
 (1,'acc_alex','alex.morgan@example.com','Alex Morgan','Kernel keeps restarting','My kernel restarts.
Alex','closed','email','2024-01-01T00:00:00Z','2024-01-02T00:00:00Z'),
 (2,NULL,'alex.morgan@example.com','Alex M.','Custom domain','How do I use my own domain?','open','web',
  '2024-02-01T00:00:00Z',NULL),
 (3,'acc_blake','blake.rivers@example.org','Blake Rivers','Refund request','Charged twice','closed','chat',
  '2024-03-01T00:00:00Z','2024-03-02T00:00:00Z');
INSERT INTO analytics_identifiers (id, account_id, kind, identifier, user_agent, first_seen, last_seen,
                                   shared_with_partners) VALUES
 (1,'acc_alex','cookie','ck_alex1','UA-1','2024-01-01T00:00:00Z','2024-06-01T00:00:00Z',1),
 (2,'acc_blake','device','dv_blake1','UA-2','2024-01-01T00:00:00Z','2024-06-01T00:00:00Z',1),
 (3,'acc_alex','ad_id','ad_alex1','UA-3','2024-02-01T00:00:00Z','2024-07-01T00:00:00Z',0);
)SQL");
  return path;
}

}  // namespace dsar::fulfillment::testing
