// The suppression list (migration 014): keyed hashes of erased people's identifiers.
#include "store/sqlite/sqlite_tx.h"

namespace dsar::store {

Result<bool> SqliteTx::AddSuppression(const std::string& kind, const std::string& identifier_hash,
                                      const std::string& reference, Millis now) {
  Statement s(c_,
              "INSERT OR IGNORE INTO suppression (kind, identifier_hash, reference, added_at) "
              "VALUES (?1, ?2, ?3, ?4)");
  s.Bind(1, kind).Bind(2, identifier_hash).Bind(3, reference).Bind(4, static_cast<std::int64_t>(now));
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes() > 0;
}

Result<bool> SqliteTx::IsSuppressed(const std::string& kind, const std::string& identifier_hash) {
  Statement s(c_, "SELECT 1 FROM suppression WHERE kind = ?1 AND identifier_hash = ?2");
  s.Bind(1, kind).Bind(2, identifier_hash);
  const bool found = s.Step();
  if (!s.status().ok()) return s.status();
  return found;
}

}  // namespace dsar::store
