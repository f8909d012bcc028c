// The rows the store reads and writes, one struct per table (schemas/migrations/*.sql), and the
// filter of the request list. Plain values with no backend types: every Store implementation
// fills them the same way.
//
// Units: every instant is Millis (UTC ms since the epoch); "" stands for SQL NULL in the text
// columns that allow it unless a field is std::optional.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace dsar::store {

struct RequestRow {
  std::int64_t seq = 0;
  std::string id, reference, type, state;
  std::string jurisdiction;  // "" when unknown
  std::string subject_json, subject_email, subject_account;
  std::string requester_json;  // "" when none
  std::string channel;
  Millis received_at = 0;
  std::optional<Millis> due_at;      // NULL for duplicates and final states' never-set deadlines
  std::optional<Millis> ack_due_at;  // when the law asks for an acknowledgment (CCPA § 7021(a))
  int extensions = 0;
  std::optional<Millis> paused_at;   // set while the clock is stopped
  int paused_days = 0;               // calendar days the clock stood still, in total
  std::string details_json = "{}";
  bool identity_verified = false;
  std::string duplicate_of;  // "" when not a duplicate
  std::string language;
  std::int64_t version = 0;
  std::string workflow_id, workflow_hash;
  Millis created_at = 0, updated_at = 0;
};

struct TransitionRow {
  std::int64_t seq = 0;
  std::string request_id;
  std::int64_t version = 0;
  std::optional<std::string> from_state;
  std::string to_state, event, actor, reason;
  std::string data_json = "{}";
  std::string effects_json = "[]";
  Millis at = 0;
  std::string workflow_hash;
};

struct OutboxRow {
  std::int64_t id = 0;
  std::string request_id;
  std::optional<std::int64_t> transition_seq;
  std::string template_name, to_json, subject;
  std::optional<std::string> body;       // text/plain; nullopt once delivered when it carried a secret
  std::optional<std::string> body_html;  // text/html; nullopt when text only (and as `body`)
  std::string language;                  // the language it is written in ("" = unknown)
  bool carries_secret = false;
  std::string message_id, in_reply_to;   // without angle brackets
  std::vector<std::string> references;   // the References header, oldest first
  Millis created_at = 0;
  int attempts = 0;
  Millis next_attempt_at = 0;
  std::optional<Millis> delivered_at;
  std::optional<Millis> failed_at;  // delivery failed permanently: never tried again
  std::string last_error;
};

// kind: "state" (a state's timeout: `event` is sent), "staff_reminder", "overdue",
// "requester_reminder" (mail only; `event` names the template).
struct TimerRow {
  std::int64_t id = 0;
  std::string request_id, state, event;
  Millis fire_at = 0;
  std::string kind = "state";
};

struct JobRow {
  std::int64_t id = 0;
  std::string request_id, kind, step, idempotency_key, status;
  int attempts = 0;
  Millis created_at = 0;
  std::optional<Millis> finished_at;
  std::string result_json, error;
};

// One step of a fulfillment job (schemas/migrations/013_step_ledger.sql): a system, table and
// action, with its outcome. `status`: running, done, failed, waiting (a manual task or a webhook
// callback). `runs`: how many times it was started; a done step is never started again.
struct LedgerRow {
  std::int64_t id = 0;
  std::string request_id, action, system, table_name, kind, idempotency_key, status;
  int runs = 0;
  std::optional<std::int64_t> job_id, task_job_id;
  std::optional<Millis> deadline_at;
  std::string result_json, error;
  Millis started_at = 0;
  std::optional<Millis> finished_at;
};

// A webhook step's one-time callback (migration 013): only the token's keyed hash is stored.
struct CallbackRow {
  std::int64_t id = 0, ledger_id = 0;
  std::string request_id, token_hash;
  Millis created_at = 0, expires_at = 0;
  std::optional<Millis> used_at;
  std::string outcome;
};

// Evidence given with a completed task (migration 013): a note and/or a stored file.
struct EvidenceRow {
  std::int64_t id = 0;
  std::string request_id;
  std::int64_t task_job_id = 0;
  std::string note, file_path, sha256, content_type, actor;
  std::int64_t size = 0;
  Millis at = 0;
};

struct VerificationRow {
  std::int64_t id = 0;
  std::string request_id, code_hash;
  Millis issued_at = 0, expires_at = 0;
  int attempts = 0, max_attempts = 0;
  std::optional<Millis> consumed_at, locked_at;
};

// An authorized agent's authority as staff recorded it (migration 012; Cal. Code Regs. tit. 11
// § 7063). kind: signed_permission | power_of_attorney. evidence_ref "" when none.
struct AgentAuthorizationRow {
  std::int64_t id = 0;
  std::string request_id, kind, note, evidence_ref, recorded_by;
  Millis recorded_at = 0;
};

// One data-point verification attempt (migration 012; Cal. Code Regs. tit. 11 § 7062): the names
// of the points offered and matched, never their values.
struct DataPointAttemptRow {
  std::int64_t id = 0;
  std::string request_id;
  Millis at = 0;
  std::vector<std::string> offered, matched;  // point names, sorted
  int required = 0;
  bool signed_declaration = false, success = false;
};

// A legal hold (migrations 001, 010). Scope: a data subject (subject_email and/or account_id),
// a table or a table category of the systems map (scope_table / scope_category: everyone's rows
// there), or both (only that person's rows there). "" = not set. `ground`: one of the fixed list
// in service/request_service.h (HoldGrounds).
struct HoldRow {
  std::string id, subject_email, account_id, matter, reason, placed_by;
  Millis placed_at = 0;
  std::optional<Millis> released_at;
  std::string released_by, release_reason;
  std::string scope_table, scope_category;
  std::string ground = "legal_claims";

  bool names_subject() const { return !subject_email.empty() || !account_id.empty(); }
  // A hold on the whole data subject (no table or category): their erasure waits for it.
  bool whole_subject() const { return names_subject() && scope_table.empty() && scope_category.empty(); }
};

struct InboundRow {
  std::int64_t id = 0;
  std::string message_id, sha256;
  std::string content_sha256;  // of sender, subject, Date and decoded text; "" when unreadable
  std::string maildir_name;    // the Maildir unique name (before any `:info`) it was read from; "" otherwise
  std::int64_t size = 0;
  Millis received_at = 0, intake_at = 0;
  std::string outcome, request_id, detail;
  std::optional<Millis> raw_purged_at;  // the raw bytes were purged (records retention)
};

// An expiring download link for a package (schemas/migrations/011_download_links.sql): only the
// token's keyed hash is stored.
struct DownloadLinkRow {
  std::int64_t id = 0;
  std::string request_id, token_hash, file_path, created_by;
  Millis created_at = 0, expires_at = 0;
  int max_downloads = 0, downloads = 0;
  std::optional<Millis> revoked_at, file_deleted_at;
};

struct RequestFilter {
  std::string state, type, jurisdiction, subject_email;  // "" = any
  std::optional<bool> overdue;                           // relative to `now`
  std::optional<Millis> due_before;
  Millis now = 0;
  std::int64_t after_seq = 0;  // keyset cursor: rows with seq > after_seq
  int limit = 50;
};

}  // namespace dsar::store
