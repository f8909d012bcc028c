#include "store/sqlite/migrations.h"

#include <string>

#include "core/time.h"
#include "embedded_files.inc"

namespace dsar::store {

Result<int> ApplyMigrations(Connection& conn) {
  if (Status s = conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
      !s.ok())
    return s;
  int applied = 0;
  for (const EmbeddedFile& m : kEmbeddedMigrations) {
    if (Status s = conn.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Statement check(conn, "SELECT 1 FROM schema_migrations WHERE name = ?");
    check.Bind(1, m.name);
    const bool done = check.Step();
    if (!check.status().ok()) {
      conn.Exec("ROLLBACK");
      return check.status();
    }
    if (done) {
      conn.Exec("COMMIT");
      continue;
    }
    Status s = conn.Exec(m.content);
    if (s.ok()) {
      Statement rec(conn, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)");
      rec.Bind(1, m.name).Bind(2, SystemClock().Now());
      s = rec.Run();
    }
    if (s.ok()) s = conn.Exec("COMMIT");
    if (!s.ok()) {
      conn.Exec("ROLLBACK");
      return Status::IoError(std::string("migration ") + m.name + " failed: " + s.message());
    }
    ++applied;
  }
  return applied;
}

}  // namespace dsar::store
