// Legal holds (migrations 001, 010).
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

namespace {

constexpr const char* kHoldColumns =
    "id, subject_email, account_id, matter, reason, placed_by, placed_at, released_at, released_by, release_reason, "
    "scope_table, scope_category, ground";

HoldRow ReadHold(const Statement& s) {
  HoldRow h;
  ReadColumns(s, h.id, h.subject_email, h.account_id, h.matter, h.reason, h.placed_by, h.placed_at, h.released_at,
              h.released_by, h.release_reason, h.scope_table, h.scope_category, h.ground);
  return h;
}

}  // namespace

// ---- legal holds ----

Status SqliteTx::InsertHold(const HoldRow& h) {
  Statement s(c_,
              "INSERT INTO legal_holds (id, subject_email, account_id, matter, reason, placed_by, placed_at, "
              "scope_table, scope_category, ground) VALUES (?,?,?,?,?,?,?,?,?,?)");
  s.Bind(1, h.id).BindOrNull(2, h.subject_email).BindOrNull(3, h.account_id).Bind(4, h.matter).Bind(5, h.reason);
  s.Bind(6, h.placed_by).Bind(7, h.placed_at).BindOrNull(8, h.scope_table).BindOrNull(9, h.scope_category);
  s.Bind(10, h.ground);
  return s.Run();
}

Result<HoldRow> SqliteTx::GetHold(const std::string& id) {
  Statement s(c_, std::string("SELECT ") + kHoldColumns + " FROM legal_holds WHERE id = ?");
  s.Bind(1, id);
  if (s.Step()) return ReadHold(s);
  if (!s.status().ok()) return s.status();
  return Status::NotFound("no legal hold " + id);
}

Result<std::vector<HoldRow>> SqliteTx::ListHolds(bool active_only) {
  Statement s(c_, std::string("SELECT ") + kHoldColumns + " FROM legal_holds" +
                      (active_only ? " WHERE released_at IS NULL" : "") + " ORDER BY placed_at, id");
  return Collect<HoldRow>(s, ReadHold);
}

Status SqliteTx::ReleaseHold(const std::string& id, const std::string& by, const std::string& reason, Millis now) {
  Statement s(c_,
              "UPDATE legal_holds SET released_at = ?1, released_by = ?2, release_reason = ?3 "
              "WHERE id = ?4 AND released_at IS NULL");
  s.Bind(1, now).Bind(2, by).BindOrNull(3, reason).Bind(4, id);
  if (Status st = s.Run(); !st.ok()) return st;
  if (c_.Changes() != 1) return Status::Conflict("legal hold " + id + " is already released");
  return Status::Ok();
}

Result<int> SqliteTx::ActiveHoldCount(const std::string& subject_email, const std::string& account_id) {
  Statement s(c_,
              "SELECT count(*) FROM legal_holds WHERE released_at IS NULL AND scope_table IS NULL AND "
              "scope_category IS NULL AND ((?1 <> '' AND subject_email = ?1) OR (?2 <> '' AND account_id = ?2))");
  s.Bind(1, subject_email).Bind(2, account_id);
  if (s.Step()) return static_cast<int>(s.Int(0));
  return s.status();
}

Result<std::vector<HoldRow>> SqliteTx::HoldsCovering(const std::string& subject_email, const std::string& account_id,
                                               const std::string& table, const std::string& category) {
  Statement s(c_, std::string("SELECT ") + kHoldColumns +
                      " FROM legal_holds WHERE released_at IS NULL"
                      // the person: named by the hold, or the hold names nobody
                      " AND ((subject_email IS NULL AND account_id IS NULL)"
                      "      OR (?1 <> '' AND subject_email = ?1) OR (?2 <> '' AND account_id = ?2))"
                      // the place: the hold is not limited, or names this table or category
                      " AND ((scope_table IS NULL AND scope_category IS NULL)"
                      "      OR scope_table = ?3 OR (?4 <> '' AND scope_category = ?4))"
                      " ORDER BY placed_at, id");
  s.Bind(1, subject_email).Bind(2, account_id).Bind(3, table).Bind(4, category);
  return Collect<HoldRow>(s, ReadHold);
}

Result<std::vector<HoldRow>> SqliteTx::HoldsOfMatter(const std::string& matter) {
  Statement s(c_, std::string("SELECT ") + kHoldColumns + " FROM legal_holds WHERE matter = ? ORDER BY placed_at, id");
  s.Bind(1, matter);
  return Collect<HoldRow>(s, ReadHold);
}

}  // namespace dsar::store
