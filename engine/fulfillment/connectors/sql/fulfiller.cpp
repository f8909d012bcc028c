// Fulfillment steps against a company SQLite database described by a systems map.
//
// A step is made of units (Fulfiller::Units: erase has one per table, the others one), and every
// unit runs inside one BEGIN IMMEDIATE transaction of the company database:
//   1. the journal table dsar_fulfillment_log is consulted: a unit that already succeeded for
//      this reference returns its recorded summary and changes nothing (an export is redone
//      only when its file has gone);
//   2. the rows linked to the data subject are found by one SQL condition per table (the map's
//      links; a link through another table is a subquery): erase resolves the rowids of every
//      table in its first unit, before anything changes, and records them (journal row
//      "erase/_subject") for the later units, so erasing accounts does not hide the projects
//      linked through them, even when a later unit runs in a retry; exports read the rows with
//      that condition as they go;
//   3. the unit reads or changes exactly those rows, with bound parameters only;
//   4. the summary is recorded in the journal and the transaction commits.
// A failure rolls the unit back (the units before it stay done); export files are renamed into
// place and synced before the commit, so a crash leaves either no journal row (and the unit is
// redone) or a complete file.

#include "fulfillment/connectors/sql/fulfiller.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "fulfillment/connectors/sql/erase.h"
#include "fulfillment/connectors/sql/export.h"
#include "fulfillment/connectors/sql/journal.h"
#include "fulfillment/connectors/sql/opt_out_correct.h"
#include "fulfillment/connectors/sql/session.h"
#include "fulfillment/connectors/sql/sqlite_db.h"
#include "fulfillment/systems_map.h"

namespace dsar::fulfillment {

using namespace sql;

namespace {

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  ~Transaction() {
    if (open_) (void)db_.Exec("ROLLBACK");
  }
  Status Begin() {
    Status st = db_.Exec("BEGIN IMMEDIATE");
    open_ = st.ok();
    return st;
  }
  Status Commit() {
    Status st = db_.Exec("COMMIT");
    if (st.ok()) open_ = false;
    return st;
  }

 private:
  Db& db_;
  bool open_ = false;
};

bool IsSafeReference(const std::string& r) {
  if (r.empty() || r.size() > 64 || r[0] == '.' || r[0] == '-') return false;
  for (char c : r) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& Fulfiller::Steps() {
  static const std::vector<std::string> kSteps = {"export_access", "export_portability", "erase", "opt_out_sale",
                                                  "opt_out_marketing", "correct"};
  return kSteps;
}

Fulfiller::Fulfiller(std::shared_ptr<const SystemsMap> map, std::string company_db, std::string exports_dir)
    : map_(std::move(map)), company_db_(std::move(company_db)), exports_dir_(std::move(exports_dir)) {}

Result<StepResult> Fulfiller::Run(const std::string& step, const std::string& reference,
                                  const DataSubject& subject, std::optional<Millis> now) const {
  return Run(step, reference, subject, now, EraseOptions{});
}

Status Fulfiller::ForgetSubject(const std::string& reference) const {
  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Db& db = **opened;
  if (Status st = EnsureJournal(db); !st.ok()) return st;
  return DeleteJournal(db, reference, kSubjectUnit);
}

std::vector<std::string> Fulfiller::Units(const std::string& step) const {
  if (step != "erase") return {""};
  std::vector<std::string> out;
  if (map_)
    for (const auto& t : map_->tables) out.push_back(t.name);
  return out;
}

Result<StepResult> Fulfiller::Run(const std::string& step, const std::string& reference,
                                  const DataSubject& subject, std::optional<Millis> now,
                                  const EraseOptions& erase) const {
  const auto& steps = Steps();
  if (std::find(steps.begin(), steps.end(), step) == steps.end())
    return Status::NotFound("unknown fulfillment step '" + step + "'");
  if (!map_) return Status::Invalid("no systems map");
  std::vector<StepResult> parts;
  for (const std::string& unit : Units(step)) {
    auto r = RunUnit(step, unit, reference, subject, now, erase);
    if (!r.ok()) return r.status();
    parts.push_back(std::move(r.value()));
  }
  return Assemble(*map_, step, reference, parts, static_cast<bool>(erase.holds_for));
}

StepResult Fulfiller::Assemble(const SystemsMap& map, const std::string& step, const std::string& reference,
                               const std::vector<StepResult>& units, bool with_holds) {
  if (step != "erase") {
    StepResult r = units.empty() ? StepResult{} : units.front();
    r.replayed = false;
    return r;
  }
  std::vector<TableErasure> parts;
  for (const StepResult& u : units) {
    TableErasure te;
    if (const auto* t = u.summary.if_contains("table"); t && t->is_object()) te.table = t->as_object();
    if (const auto* e = u.summary.if_contains("retained"); e && e->is_object()) te.retained = e->as_object();
    parts.push_back(std::move(te));
  }
  StepResult result;
  result.summary["step"] = step;
  result.summary["reference"] = reference;
  AssembleErase(map, parts, with_holds, result.summary);
  return result;
}

Result<StepResult> Fulfiller::RunUnit(const std::string& step, const std::string& unit, const std::string& reference,
                                      const DataSubject& subject, std::optional<Millis> now,
                                      const EraseOptions& erase) const {
  const auto& steps = Steps();
  if (std::find(steps.begin(), steps.end(), step) == steps.end())
    return Status::NotFound("unknown fulfillment step '" + step + "'");
  if (!IsSafeReference(reference)) return Status::Invalid("request reference is not usable as a folder name");
  if (!map_) return Status::Invalid("no systems map");
  const TableSpec* table = nullptr;
  if (step == "erase") {
    table = map_->Table(unit);
    if (table == nullptr) return Status::NotFound("the systems map has no table '" + unit + "' to erase");
  } else if (!unit.empty()) {
    return Status::NotFound("step '" + step + "' has no unit '" + unit + "'");
  }
  const std::string key = step == "erase" ? step + "/" + unit : step;

  auto opened = Db::Open(company_db_);
  if (!opened.ok()) return opened.status();
  Db& db = **opened;
  Transaction tx(db);
  if (Status st = tx.Begin(); !st.ok()) return st;
  if (Status st = EnsureJournal(db); !st.ok()) return st;

  // 1. Already done for this reference?
  std::optional<Millis> recorded_at;
  {
    auto j = ReadJournal(db, reference, key);
    if (!j.ok()) return j.status();
    if (*j && (*j)->complete) return std::move((*j)->result);  // the transaction rolls back: nothing changed
    // An export whose file has gone is written again, dated as before: the same bytes.
    if (*j) recorded_at = (*j)->generated_at;
  }

  // 2. Who is the subject, which rows are theirs (exports read them as they go; the other steps
  // resolve them all before changing anything; erase units use the resolution the reference's
  // first erase unit recorded).
  const bool is_export = step == "export_access" || step == "export_portability";
  Session run(*map_, db);
  if (table != nullptr) {
    auto snap = ReadJournal(db, reference, kSubjectUnit);
    if (!snap.ok()) return snap.status();
    if (Status st = run.CheckSchema(); !st.ok()) return st;
    if (*snap) {
      if (Status st = run.LoadSnapshot((*snap)->result.summary, subject); !st.ok()) return st;
      if (Status st = run.Recheck(*table); !st.ok()) return st;
    } else {
      if (Status st = run.ResolveSubject(subject); !st.ok()) return st;
      if (Status st = run.LinkAll(); !st.ok()) return st;
      if (Status st = WriteJournal(db, reference, kSubjectUnit, run.Snapshot(), {}); !st.ok()) return st;
    }
  } else {
    if (Status st = run.ResolveSubject(subject); !st.ok()) return st;
    if (Status st = run.CheckSchema(); !st.ok()) return st;
    if (!is_export)
      if (Status st = run.LinkAll(); !st.ok()) return st;
  }

  // 3. The step.
  StepResult result;
  Status st;
  if (table != nullptr) {
    TableErasure te;
    st = EraseTable(run, *table, erase, te);
    result.summary["table"] = std::move(te.table);
    if (te.retained) result.summary["retained"] = std::move(*te.retained);
    // The last table erased: the recorded resolution (the person's account ids and row ids) is
    // needed no longer, and is itself personal data; it goes in the same transaction.
    if (st.ok() && table == &map_->tables.back()) st = DeleteJournal(db, reference, kSubjectUnit);
  } else {
    result.summary["step"] = step;
    result.summary["reference"] = reference;
    if (is_export) {
      std::error_code ec;
      const std::filesystem::path dir =
          std::filesystem::absolute(std::filesystem::path(exports_dir_) / reference, ec);
      if (!ec) std::filesystem::create_directories(dir, ec);
      if (ec) return Status::IoError("cannot create export folder for " + reference + ": " + ec.message());
      const ExportContext ctx{step, reference, subject, recorded_at ? recorded_at : now, dir};
      st = step == "export_access" ? ExportAccess(run, ctx, result, keep_review_) : ExportPortability(run, ctx, result);
      if (st.ok() && result.files.empty()) std::filesystem::remove(dir, ec);  // nothing written: no empty folder
    } else if (step == "correct") {
      st = CheckCorrections(erase.corrections);
      if (st.ok()) st = Correct(run, erase.corrections, result.summary);
    } else if (step == "opt_out_sale") {
      st = SetFlags(run, map_->sale_opt_outs, step, result.summary);
    } else {
      st = SetFlags(run, map_->marketing_opt_outs, step, result.summary);
    }
  }
  if (!st.ok()) return st;

  // 4. Record, commit.
  // A correction's journal row keeps no value from before it (personal data the request's own
  // history holds, purged with it).
  if (Status w = WriteJournal(db, reference, key, step == "correct" ? WithoutBefore(result.summary) : result.summary,
                              result.files);
      !w.ok())
    return w;
  if (Status c = tx.Commit(); !c.ok()) return c;
  return result;
}

}  // namespace dsar::fulfillment
