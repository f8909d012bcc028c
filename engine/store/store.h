// The engine's store: SQLite in WAL mode, numbered migrations, and the typed operations the
// service composes into transactions (DESIGN.md §1).
//
// One transition = one transaction (Store::Transact): the request row with an optimistic
// `version` check, an append-only transitions row, and the effects it schedules (outbox mail,
// timers, jobs). Nothing leaves the process inside a transaction.
//
// Thread safety: a Store is safe to share between threads. One connection serves the process;
// a mutex serialises every call, so a transaction is never interleaved with another call.
// Other processes (`dsar intake-mail` beside a running `dsar serve`) are ordered by SQLite's
// locking with the busy timeout.
//
// Units: every instant is Millis (UTC ms since the epoch).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/sqlite.h"

namespace dsar::store {

struct Options {
  std::string path = "./var/dsar.db";
  int busy_timeout_ms = 10000;
  bool migrate = true;  // apply pending migrations on open
};

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

// Operations available inside a transaction (and, for reads, outside one). Borrowed from the
// Store for the duration of one call; never kept.
class Tx {
 public:
  explicit Tx(Connection& c) : c_(c) {}

  // Requests.
  Status InsertRequest(const RequestRow& r);
  Result<RequestRow> GetRequest(const std::string& id_or_reference);
  // Writes state, version, identity_verified, updated_at (and the other mutable columns:
  // jurisdiction, due_at, duplicate_of) when the stored version equals `expected_version`;
  // Conflict when it does not.
  Status UpdateRequest(const RequestRow& r, std::int64_t expected_version);
  Result<std::vector<RequestRow>> ListRequests(const RequestFilter& f);
  // Open (non-final) requests of a type for a data subject, oldest first.
  Result<std::vector<RequestRow>> OpenRequestsFor(const std::string& subject_email, const std::string& type,
                                                  const std::vector<std::string>& final_states);
  Result<std::vector<RequestRow>> RequestsInState(const std::string& state, const std::string& subject_email,
                                                  const std::string& account_id);

  // Transitions (append-only).
  Result<std::int64_t> AppendTransition(const TransitionRow& t);
  Result<std::vector<TransitionRow>> Transitions(const std::string& request_id);

  // Workflow definitions, by hash.
  Status PutWorkflowDefinition(const std::string& hash, const std::string& workflow_id, int version,
                               const std::string& source_path, const std::string& source, Millis now);
  Result<std::string> WorkflowSource(const std::string& hash);

  // Idempotency keys.
  Result<std::optional<std::pair<std::string, std::string>>> FindIdempotencyKey(const std::string& key);  // (fingerprint, request id)
  Status PutIdempotencyKey(const std::string& key, const std::string& fingerprint, const std::string& request_id, Millis now);

  // Outbox.
  Result<std::int64_t> InsertOutbox(const OutboxRow& o);
  Result<std::vector<OutboxRow>> PendingOutbox(Millis now, int limit);
  Status MarkOutboxDelivered(std::int64_t id, Millis now);
  // A failed attempt to be retried at `next_attempt_at`.
  Status MarkOutboxFailed(std::int64_t id, const std::string& error, Millis next_attempt_at);
  // A permanent failure: counted, the error kept, never tried again; a secret body is dropped.
  Status MarkOutboxGaveUp(std::int64_t id, const std::string& error, Millis now);
  Result<std::vector<OutboxRow>> OutboxFor(const std::string& request_id);
  Result<std::optional<std::string>> RequestForMessageId(const std::string& message_id);  // our sent mail

  // Timers.
  Status InsertTimer(const TimerRow& t);
  // Cancels the request's pending timers of the given kinds.
  Status CancelTimers(const std::string& request_id, const std::vector<std::string>& kinds, Millis now);
  Result<std::vector<TimerRow>> PendingTimers(const std::string& request_id);
  Result<std::vector<TimerRow>> DueTimers(Millis now, int limit);
  Status MarkTimerFired(std::int64_t id, Millis now);

  // Jobs.
  Status InsertJob(const JobRow& j);  // ignores a duplicate idempotency key (already scheduled)
  Result<std::vector<JobRow>> PendingJobs(int limit);
  // pending -> running; Conflict when the job is no longer pending.
  Status ClaimJob(std::int64_t id);
  // running -> pending for every job (after a crash: steps are idempotent, so they run again).
  Result<int> ReleaseRunningJobs();
  Result<std::vector<JobRow>> JobsFor(const std::string& request_id);
  Status FinishJob(std::int64_t id, const std::string& status, const std::string& result_json,
                   const std::string& error, Millis now);
  // Open staff tasks (jobs of kind 'task', status 'open') of every request, oldest first.
  Result<std::vector<JobRow>> OpenTasks(int limit);

  // The step ledger (issue 5 §4).
  Result<std::optional<LedgerRow>> LedgerByKey(const std::string& idempotency_key);
  Result<LedgerRow> LedgerById(std::int64_t id);
  Result<std::vector<LedgerRow>> LedgerFor(const std::string& request_id);  // oldest first
  // Starts a step: a new row `running` with runs = 1, or an existing (failed / waiting) row
  // set `running` again with runs + 1, its error cleared and `job_id` recorded. Returns its id.
  Result<std::int64_t> LedgerStart(const LedgerRow& step, Millis now);
  // done (with the result) or failed (with the error).
  Status LedgerFinish(std::int64_t id, const std::string& status, const std::string& result_json,
                      const std::string& error, Millis now);
  // The step waits: for a staff task (`task_job_id`) or for a callback until `deadline_at`.
  Status LedgerWait(std::int64_t id, std::optional<std::int64_t> task_job_id, std::optional<Millis> deadline_at);
  // Steps waiting for a callback whose deadline is before `now`, oldest deadline first.
  Result<std::vector<LedgerRow>> LedgerOverdue(Millis now, int limit);

  // Webhook callbacks (lookup by the keyed hash, never by the token).
  Status InsertCallback(const CallbackRow& c);
  Result<std::optional<CallbackRow>> CallbackByHash(const std::string& token_hash);
  // Marks the callback used at `now` with `outcome`; Conflict when it was used already.
  Status UseCallback(std::int64_t id, Millis now, const std::string& outcome);
  // Marks every unused callback of the ledger step with `outcome` (expired, replaced): they stop working.
  Status CloseCallbacks(std::int64_t ledger_id, Millis now, const std::string& outcome);

  // Task evidence.
  Status InsertEvidence(const EvidenceRow& e);
  Result<std::vector<EvidenceRow>> EvidenceFor(const std::string& request_id);

  // Verification codes.
  Status InsertVerification(const VerificationRow& v);
  Result<std::optional<VerificationRow>> LatestVerification(const std::string& request_id);
  Status UpdateVerification(const VerificationRow& v);
  // How many codes were issued for the request (the first and every resend).
  Result<int> VerificationCount(const std::string& request_id);

  // Authorized agents (migration 012): the request's authorizations, oldest first.
  Status InsertAgentAuthorization(const AgentAuthorizationRow& a);
  Result<std::vector<AgentAuthorizationRow>> AgentAuthorizationsFor(const std::string& request_id);
  // The same for several requests in one query (a list page), ordered by request id, then id.
  Result<std::vector<AgentAuthorizationRow>> AgentAuthorizationsForRequests(const std::vector<std::string>& request_ids);
  // Data-point verification attempts (migration 012), oldest first.
  Status InsertDataPointAttempt(const DataPointAttemptRow& a);
  Result<std::vector<DataPointAttemptRow>> DataPointAttemptsFor(const std::string& request_id);
  // Requests of `type` for the data subject entered at or after `since` (any state): the opt-out
  // fraud check's count per hour (Cal. Code Regs. tit. 11 § 7026).
  Result<int> CountRequestsSince(const std::string& subject_email, const std::string& type, Millis since);

  // Legal holds.
  Status InsertHold(const HoldRow& h);
  Result<HoldRow> GetHold(const std::string& id);
  Result<std::vector<HoldRow>> ListHolds(bool active_only);
  Status ReleaseHold(const std::string& id, const std::string& by, const std::string& reason, Millis now);
  // Unreleased holds on the whole data subject (by email or account id; no table or category):
  // the holds that stop an erasure as a whole. Table and category holds are not counted.
  Result<int> ActiveHoldCount(const std::string& subject_email, const std::string& account_id);
  // Unreleased holds that cover the data subject's rows in `table` (whose map category is
  // `category`): whole-subject holds on them, holds on the table or category naming no person,
  // and holds on the table or category naming them. Oldest first.
  Result<std::vector<HoldRow>> HoldsCovering(const std::string& subject_email, const std::string& account_id,
                                             const std::string& table, const std::string& category);
  // Holds of a legal matter (active and released), oldest first.
  Result<std::vector<HoldRow>> HoldsOfMatter(const std::string& matter);
  // Finished erase jobs whose result mentions `text` (a hold id), oldest first.
  Result<std::vector<JobRow>> DoneJobsMentioning(const std::string& step, const std::string& text);

  // Inbound mail.
  Result<std::int64_t> InsertInbound(const InboundRow& m, std::string_view raw);
  // The first message with this Message-ID that says the same (content fingerprint).
  Result<std::optional<InboundRow>> FindInboundByMessageId(const std::string& message_id,
                                                           const std::string& content_sha256);
  // The first message with exactly these bytes (SHA-256 of the raw message): the redelivery test
  // for a message without a Message-ID.
  Result<std::optional<InboundRow>> FindInboundBySha256(const std::string& sha256);
  Status SetInboundOutcome(std::int64_t id, const std::string& outcome, const std::string& request_id,
                           const std::string& detail);
  // The message read from the Maildir file with this unique name, if it was ingested.
  Result<std::optional<InboundRow>> FindInboundByMaildirName(const std::string& maildir_name);
  // The staff queues (GET /intake/messages): messages with this outcome, oldest first, keyset by
  // row id (rows with id > after_id), at most `limit`.
  Result<std::vector<InboundRow>> ListInbound(const std::string& outcome, std::int64_t after_id, int limit);
  Result<std::optional<InboundRow>> GetInbound(std::int64_t id);
  // The raw bytes a message was stored with; NotFound for an unknown id.
  Result<std::string> InboundRaw(std::int64_t id);

  // Records retention (issue 5 §8). `final_states`: the states that close a request; a request
  // closed at its last transition (updated_at).
  // Requests closed before `closed_before`, oldest first, at most `limit`.
  Result<std::vector<RequestRow>> ClosedRequests(const std::vector<std::string>& final_states, Millis closed_before,
                                                 int limit);
  // Deletes the request and everything recorded about it — history, mail, timers, jobs, codes,
  // idempotency keys, the inbound mail linked to it — and leaves a tombstone in purged_requests
  // (reference, type, jurisdiction, final state, receipt and closing time: no personal data).
  Status PurgeRequest(const RequestRow& r, Millis now);
  // Deletes the raw bytes (keeping the row, marked raw_purged_at) of inbound messages linked to a
  // request closed before `closed_before`, or linked to none and taken in before `unlinked_before`;
  // at most `limit`. Returns how many.
  Result<int> PurgeRawMail(const std::vector<std::string>& final_states, Millis closed_before, Millis unlinked_before,
                           Millis now, int limit);
  // Deletes the verification rows (code hashes) of requests closed before `closed_before`.
  Result<int> PurgeVerifications(const std::vector<std::string>& final_states, Millis closed_before);

  // Download links (issue 5 §5). Lookup is by the keyed hash, never by the token.
  Result<std::int64_t> InsertDownloadLink(const DownloadLinkRow& l);
  // Marks every unrevoked link of the request revoked at `now` (a new link replaces them).
  Status RevokeDownloadLinks(const std::string& request_id, Millis now);
  Result<std::optional<DownloadLinkRow>> DownloadLinkByHash(const std::string& token_hash);
  Result<std::vector<DownloadLinkRow>> DownloadLinksFor(const std::string& request_id);  // oldest first
  Status CountDownload(std::int64_t link_id);
  // One attempt: `link_id` nullopt for an unknown token; outcome ok, expired, exhausted, revoked,
  // missing (the file is gone) or unknown. No address or user agent is recorded.
  Status InsertDownloadAttempt(std::optional<std::int64_t> link_id, Millis at, const std::string& outcome);
  // The package files whose newest link expired at or before `now` and that are not yet deleted
  // (no unexpired, unrevoked link points to them), at most `limit`, each once.
  Result<std::vector<std::string>> ExpiredPackageFiles(Millis now, int limit);
  // Records that the file was deleted on every link pointing to it.
  Status MarkPackageDeleted(const std::string& file_path, Millis now);

  // API tokens (hashes only).
  Status InsertToken(const std::string& name, const std::string& token_hash, Millis now);
  // The name of the unrevoked token with this hash, or nullopt.
  Result<std::optional<std::string>> TokenName(const std::string& token_hash);

  Connection& connection() { return c_; }

 private:
  Connection& c_;
};

class Store {
 public:
  // Opens the database (creating its directory's file when absent), sets WAL mode, foreign
  // keys and synchronous=FULL, and applies pending migrations when options.migrate.
  static Result<std::unique_ptr<Store>> Open(const Options& options);

  // Applies the embedded migrations (schemas/migrations/NNN_*.sql) not yet recorded in
  // schema_migrations, each in its own transaction. Returns how many were applied.
  Result<int> Migrate();

  // Runs `fn` in one IMMEDIATE transaction: commits when it returns ok, rolls back otherwise
  // and returns its status. A COMMIT failure is returned as IoError/Conflict and nothing
  // is applied.
  Status Transact(const std::function<Status(Tx&)>& fn);
  // Runs `fn` outside a transaction (reads), under the store's mutex.
  Status Read(const std::function<Status(Tx&)>& fn);

  // Copies the WAL into the database and truncates it to zero bytes, so that page images holding
  // content since overwritten (a secret mail body, dropped once delivered) leave the disk. Busy
  // readers in other processes make it partial; the next call finishes it.
  Status CheckpointTruncate();

  const std::string& path() const { return path_; }

  // Test hook: makes the Nth statement-level call of the next transactions fail (0 = off).
  void TEST_FailCommitAfter(int n) { fail_commit_countdown_ = n; }
  // Test hook: `hook` (empty = none) sees the SQL text of every statement the store runs (not
  // BEGIN/COMMIT), on the thread running it, under the store's mutex: a statement counter.
  void TEST_OnStatement(std::function<void(std::string_view sql)> hook) {
    std::lock_guard lock(mu_);
    conn_.TEST_OnStatement(std::move(hook));
  }

 private:
  explicit Store(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::mutex mu_;
  Connection conn_;  // guarded by mu_
  int fail_commit_countdown_ = 0;  // guarded by mu_
};

}  // namespace dsar::store
