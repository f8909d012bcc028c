// Jobs: fulfillment steps and staff tasks, claimed by the workers.
#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/read_rows.h"

namespace dsar::store {

namespace {

constexpr const char* kJobColumns =
    "id, request_id, kind, step, idempotency_key, status, attempts, created_at, finished_at, result_json, error";

JobRow ReadJob(const Statement& s) {
  JobRow j;
  ReadColumns(s, j.id, j.request_id, j.kind, j.step, j.idempotency_key, j.status, j.attempts, j.created_at,
              j.finished_at, j.result_json, j.error);
  return j;
}

}  // namespace

// ---- jobs ----

Status SqliteTx::InsertJob(const JobRow& j) {
  Statement s(c_,
              "INSERT OR IGNORE INTO jobs (request_id, kind, step, idempotency_key, status, created_at) "
              "VALUES (?,?,?,?,?,?)");
  s.Bind(1, j.request_id).Bind(2, j.kind).Bind(3, j.step).Bind(4, j.idempotency_key).Bind(5, j.status);
  s.Bind(6, j.created_at);
  return s.Run();
}

Result<std::vector<JobRow>> SqliteTx::PendingJobs(int limit) {
  Statement s(c_, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE status = 'pending' ORDER BY id LIMIT ?");
  s.Bind(1, limit);
  return Collect<JobRow>(s, ReadJob);
}

Status SqliteTx::ClaimJob(std::int64_t id) {
  Statement s(c_, "UPDATE jobs SET status = 'running' WHERE id = ? AND status = 'pending'");
  s.Bind(1, id);
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes() == 1 ? Status::Ok() : Status::Conflict("job " + std::to_string(id) + " is not pending");
}

Result<int> SqliteTx::ReleaseRunningJobs() {
  Statement s(c_, "UPDATE jobs SET status = 'pending' WHERE status = 'running'");
  if (Status st = s.Run(); !st.ok()) return st;
  return c_.Changes();
}

Result<std::vector<JobRow>> SqliteTx::JobsFor(const std::string& request_id) {
  Statement s(c_, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE request_id = ? ORDER BY id");
  s.Bind(1, request_id);
  return Collect<JobRow>(s, ReadJob);
}

Result<std::vector<JobRow>> SqliteTx::DoneJobsMentioning(const std::string& step, const std::string& text) {
  Statement s(c_, std::string("SELECT ") + kJobColumns +
                      " FROM jobs WHERE step = ?1 AND status = 'done' AND instr(result_json, ?2) > 0 ORDER BY id");
  s.Bind(1, step).Bind(2, text);
  return Collect<JobRow>(s, ReadJob);
}

Status SqliteTx::FinishJob(std::int64_t id, const std::string& status, const std::string& result_json,
                     const std::string& error, Millis now) {
  Statement s(c_,
              "UPDATE jobs SET status = ?1, result_json = ?2, error = ?3, finished_at = ?4, attempts = attempts + 1 "
              "WHERE id = ?5");
  s.Bind(1, status).BindOrNull(2, result_json).BindOrNull(3, error).Bind(4, now).Bind(5, id);
  return s.Run();
}

Result<std::vector<JobRow>> SqliteTx::OpenTasks(int limit) {
  Statement s(c_, std::string("SELECT ") + kJobColumns +
                      " FROM jobs WHERE kind = 'task' AND status = 'open' ORDER BY id LIMIT ?");
  s.Bind(1, limit);
  return Collect<JobRow>(s, ReadJob);
}

}  // namespace dsar::store
