// Access-package benchmark (issue 5 §10): a company database in which one data subject owns N
// rows across five tables (one of them linked through another), plus other people's rows; the
// export_access step streams the subject's rows into access.zip (index.html, data.json, one CSV
// per table). Prints rows per second, the ZIP's size and the peak RSS of the process that ran
// the step. Not a test: scripts/bench runs it on a release build.
//
// The step runs in a fresh process (this program again, with --export), so the peak RSS is the
// step's and not the database generation's; twice: as a bare export, then as `dsar serve` runs it
// by default (access_review: the rows are also staged for the redaction review, issue 5 §5).
//
//   package_bench [--rows N] [--dir DIR]     (N default 1,000,000; DIR a new temporary folder)
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/model.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/systems_map.h"

using namespace dsar;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

const char* kMap = R"YAML(version: 1
system: Bench production database
controller: { name: Bench Ltd., contact: privacy@bench.example }
automated_decision_making: None.
subject: { table: accounts, id: id, email: email }
tables:
  accounts:
    description: Accounts.
    link: [{ column: id, matches: account_id }, { column: email, matches: email }]
    category: account data
    purpose: providing the service (GDPR Art. 6(1)(b))
    source: the data subject
    recipients: [staff, "hosting provider (processor)"]
    retention: for the life of the account
    erase: delete
    fields:
      id: { provided_by_subject: false }
      email: { category: contact data, provided_by_subject: true }
      name: { category: identity data, provided_by_subject: true }
      password_hash: { category: credential, withheld: a one-way hash }
  events:
    description: Product events.
    link: { column: account_id, matches: account_id }
    category: usage data
    purpose: product analytics (GDPR Art. 6(1)(f))
    source: observed by the service
    recipients: ["analytics provider (processor)"]
    retention: 13 months
    erase: delete
    fields:
      id: {}
      account_id: {}
      kind: {}
      path: {}
      user_agent: { category: device data }
      ip: { category: network identifier }
      at: {}
  messages:
    description: Messages the person sent.
    link: { column: account_id, matches: account_id }
    category: correspondence
    purpose: messaging (GDPR Art. 6(1)(b))
    source: the data subject
    recipients: [staff]
    retention: 3 years
    erase: delete
    fields:
      id: {}
      account_id: {}
      subject: { provided_by_subject: true }
      body: { provided_by_subject: true }
      sent_at: {}
  sessions:
    description: Sign-in sessions.
    link: { column: account_id, matches: account_id }
    category: usage data
    purpose: security (GDPR Art. 6(1)(f))
    source: observed by the service
    recipients: [staff]
    retention: 90 days
    erase: delete
    fields:
      id: {}
      account_id: {}
      started_at: {}
      ip: { category: network identifier }
  page_views:
    description: Pages viewed in a session (linked through sessions).
    link: { column: session_id, via: sessions, references: id }
    category: usage data
    purpose: product analytics (GDPR Art. 6(1)(f))
    source: observed by the service
    recipients: ["analytics provider (processor)"]
    retention: 13 months
    erase: delete
    fields:
      id: {}
      session_id: {}
      url: {}
      duration_ms: {}
)YAML";

const char* kSchema = R"SQL(
CREATE TABLE accounts (id TEXT PRIMARY KEY, email TEXT NOT NULL, name TEXT, password_hash TEXT);
CREATE TABLE events (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT, path TEXT, user_agent TEXT,
                     ip TEXT, at TEXT);
CREATE INDEX events_account ON events(account_id);
CREATE TABLE messages (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, subject TEXT, body TEXT, sent_at TEXT);
CREATE INDEX messages_account ON messages(account_id);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, started_at TEXT, ip TEXT);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE TABLE page_views (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL, url TEXT, duration_ms INTEGER);
CREATE INDEX page_views_session ON page_views(session_id);
)SQL";

constexpr Millis kNow = 1795165200000;  // 2026-11-20T09:00:00Z

bool Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return true;
  std::fprintf(stderr, "package_bench: %s\n", err ? err : "?");
  sqlite3_free(err);
  return false;
}

std::string Stamp(long i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-%02ld-%02ldT%02ld:%02ld:%02ldZ", 1 + i % 12, 1 + i % 28, i % 24, i % 60,
                (i / 60) % 60);
  return buf;
}

// The company database: the subject (acc_0, bench@example.com) owns `rows` rows: 1 account,
// 60% events, 25% messages, 5% sessions and the rest page views (through sessions); 999 other
// accounts own another 10% of events and messages, interleaved with the subject's.
bool Generate(const std::string& path, long rows) {
  fs::remove(path);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return false;
  bool ok = Exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;") && Exec(db, kSchema) &&
            Exec(db, "BEGIN");
  const long events = rows * 60 / 100, messages = rows * 25 / 100, sessions = rows * 5 / 100;
  const long views = rows - 1 - events - messages - sessions;
  auto other = [](long i) { return "acc_" + std::to_string(1 + i % 999); };
  auto run = [&](const char* sql, auto bind, long n) {
    sqlite3_stmt* st = nullptr;
    if (!ok || sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return ok = false;
    for (long i = 0; i < n && ok; ++i) {
      sqlite3_reset(st);
      bind(st, i);
      ok = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return ok;
  };
  auto text = [](sqlite3_stmt* st, int k, const std::string& s) {
    sqlite3_bind_text(st, k, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  run("INSERT INTO accounts VALUES (?1, ?2, ?3, ?4)",
      [&](sqlite3_stmt* st, long i) {
        text(st, 1, "acc_" + std::to_string(i));
        text(st, 2, i ? "person" + std::to_string(i) + "@example.com" : "bench@example.com");
        text(st, 3, i ? "Person " + std::to_string(i) : "Bench \"Subject\" <one>");
        text(st, 4, "$argon2id$v=19$m=65536,t=3,p=4$" + std::to_string(i * 7919));
      },
      1000);
  // Every 10th event and message belongs to someone else.
  run("INSERT INTO events (account_id, kind, path, user_agent, ip, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      [&](sqlite3_stmt* st, long i) {
        text(st, 1, i % 10 == 9 ? other(i) : "acc_0");
        text(st, 2, i % 3 ? "page_view" : "click");
        text(st, 3, "/projects/" + std::to_string(i % 97) + "/notebooks/" + std::to_string(i % 1013));
        text(st, 4, "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/" + std::to_string(100 + i % 30));
        text(st, 5, "192.0.2." + std::to_string(i % 250));
        text(st, 6, Stamp(i));
      },
      events + events / 9);
  run("INSERT INTO messages (account_id, subject, body, sent_at) VALUES (?1, ?2, ?3, ?4)",
      [&](sqlite3_stmt* st, long i) {
        text(st, 1, i % 10 == 9 ? other(i) : "acc_0");
        text(st, 2, "Question " + std::to_string(i) + ", about \"billing\"");
        text(st, 3, "Hello,\nmy notebook " + std::to_string(i % 1013) +
                        " stops after a few minutes; could you have a look? The kernel log says nothing.\nThanks");
        text(st, 4, Stamp(i + 7));
      },
      messages + messages / 9);
  run("INSERT INTO sessions (account_id, started_at, ip) VALUES (?1, ?2, ?3)",
      [&](sqlite3_stmt* st, long i) {
        text(st, 1, "acc_0");
        text(st, 2, Stamp(i + 3));
        text(st, 3, "198.51.100." + std::to_string(i % 250));
      },
      sessions);
  run("INSERT INTO page_views (session_id, url, duration_ms) VALUES (?1, ?2, ?3)",
      [&](sqlite3_stmt* st, long i) {
        sqlite3_bind_int64(st, 1, 1 + i % (sessions ? sessions : 1));
        text(st, 2, "https://nimbus.example/docs/" + std::to_string(i % 211));
        sqlite3_bind_int64(st, 3, 100 + (i * 37) % 60000);
      },
      views);
  ok = ok && Exec(db, "COMMIT") && Exec(db, "PRAGMA journal_mode = DELETE");
  sqlite3_close(db);
  return ok;
}

long PeakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// The step itself, in its own process.
int Export(const std::string& dir, bool review) {
  const long rss_before = PeakRssKiB();
  auto map = fulfillment::LoadSystemsMap(dir + "/systems.yaml");
  if (!map.ok()) {
    std::fprintf(stderr, "%s\n", map.status().ToString().c_str());
    return 1;
  }
  fulfillment::Fulfiller fulfiller(*map, dir + "/company.db", dir + "/exports");
  fulfiller.KeepReviewData(review);
  DataSubject subject;
  subject.email = "bench@example.com";
  subject.name = "Bench Subject";
  const auto start = Steady::now();
  auto r = fulfiller.Run("export_access", review ? "BENCH-2" : "BENCH-1", subject, kNow);
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 1;
  }
  const long rows = static_cast<long>(r->summary.at("total_rows").as_int64());
  const std::string zip = r->files.at(0);
  std::uint64_t uncompressed = 0, json_bytes = 0;
  int err = 0;
  if (zip_t* z = zip_open(zip.c_str(), ZIP_RDONLY, &err)) {
    for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
      zip_stat_t st;
      if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0) continue;
      uncompressed += st.size;
      if (!std::strcmp(st.name, "data.json")) json_bytes = st.size;
    }
    zip_close(z);
  }
  std::printf("rows exported            %ld\n", rows);
  std::printf("time                     %.2f s\n", seconds);
  std::printf("rows per second          %.0f\n", rows / seconds);
  std::printf("access.zip               %.1f MiB (members %.1f MiB, data.json %.1f MiB)\n",
              fs::file_size(zip) / 1048576.0, uncompressed / 1048576.0, json_bytes / 1048576.0);
  std::printf("peak RSS                 %.1f MiB (%.1f MiB at start)\n", PeakRssKiB() / 1024.0, rss_before / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  long rows = 1000000;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows")) rows = std::stol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--export")) return Export(argv[i + 1], false);
    if (!std::strcmp(argv[i], "--export-review")) return Export(argv[i + 1], true);
  }
  if (rows < 20) rows = 20;
  bool own_dir = false;
  if (dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "dsar-package-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return 1;
    dir = tmpl;
    own_dir = true;
  }
  fs::create_directories(dir);
  fs::remove_all(dir + "/exports");
  std::ofstream(dir + "/systems.yaml") << kMap;
  const auto gen = Steady::now();
  if (!Generate(dir + "/company.db", rows)) return 1;
  std::printf("company database         %.1f MiB, %ld rows of the subject (generated in %.1f s)\n",
              fs::file_size(dir + "/company.db") / 1048576.0, rows,
              std::chrono::duration<double>(Steady::now() - gen).count());
  std::fflush(stdout);

  int status = 0;
  for (const char* mode : {"--export", "--export-review"}) {
    std::printf("%s\n", mode == std::string("--export") ? "-- export_access"
                                                        : "-- export_access with the rows staged for review (access_review)");
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/proc/self/exe", argv[0], mode, dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) break;
  }
  if (own_dir) fs::remove_all(dir);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
