// The engine's store: the typed operations the service composes into transactions (DESIGN.md §1),
// behind an interface with no backend types in it. SQLite (engine/store/sqlite/) is the first
// implementation; Store::Open opens it.
//
// One transition = one transaction (Store::Transact): the request row with an optimistic
// `version` check, an append-only transitions row, and the effects it schedules (outbox mail,
// timers, jobs). Nothing leaves the process inside a transaction.
//
// Failure kinds, for every Tx method unless its comment says otherwise:
//   - IoError: the backend failed (I/O, a full disk, a corrupt file, a statement the backend
//     could not run, a write attempted in Read, or a fault injected by a TEST_ hook). The
//     transaction it happened in must not commit: return the status from `fn`.
//   - Conflict: a write broke a uniqueness, foreign-key or append-only rule of the schema, or the
//     database stayed locked by another process beyond Options::busy_timeout_ms.
//   - NotFound: only where a method says so (a lookup of one row by key). Lookups returning
//     std::optional or a list answer "nothing" with nullopt or an empty list, never NotFound.
//   - An update or delete by id that matches no row changes nothing and succeeds, unless its
//     comment names a Conflict for it.
// A failed call leaves the transaction open and usable for the backend (SQLite undoes the failed
// statement alone), but callers return the failure and let Transact roll back.
//
// Units: every instant is Millis (UTC ms since the epoch). Lists marked "oldest first" are in
// insertion (row id) order unless they name another order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/rows.h"

namespace dsar::store {

struct Options {
  std::string path = "./var/dsar.db";
  int busy_timeout_ms = 10000;
  bool migrate = true;  // apply pending migrations on open
  // Read-only connections lent to Store::Read, so reads run beside the writer (WAL). 0: reads
  // share the writer's connection and wait for its mutex.
  int read_connections = 4;
};

// Operations available inside a transaction (and, for reads, outside one). Borrowed from the
// Store for the duration of one call to `fn`; never kept, never shared with another thread.
class Tx {
 public:
  virtual ~Tx() = default;

  // ---- Requests ----
  // Conflict: the id or the reference exists already.
  virtual Status InsertRequest(const RequestRow& r) = 0;
  // The request with this id or reference; NotFound when there is none.
  virtual Result<RequestRow> GetRequest(const std::string& id_or_reference) = 0;
  // Writes state, version, identity_verified, updated_at (and the other mutable columns:
  // jurisdiction, due_at, duplicate_of) when the stored version equals `expected_version`;
  // Conflict when it does not (or the request does not exist).
  virtual Status UpdateRequest(const RequestRow& r, std::int64_t expected_version) = 0;
  // A page of requests matching `f`, by seq (keyset: seq > f.after_seq), at most f.limit.
  virtual Result<std::vector<RequestRow>> ListRequests(const RequestFilter& f) = 0;
  // Open (non-final) requests of a type for a data subject, oldest first.
  virtual Result<std::vector<RequestRow>> OpenRequestsFor(const std::string& subject_email, const std::string& type,
                                                          const std::vector<std::string>& final_states) = 0;
  // Requests in `state` ("" = any) of the data subject named by email or account id ("" = not
  // used for matching), oldest first.
  virtual Result<std::vector<RequestRow>> RequestsInState(const std::string& state, const std::string& subject_email,
                                                          const std::string& account_id) = 0;

  // ---- Transitions (append-only) ----
  // Returns the new row's seq. Conflict: the (request, version) pair exists, or the request does not.
  virtual Result<std::int64_t> AppendTransition(const TransitionRow& t) = 0;
  // The request's history by version; empty for an unknown request.
  virtual Result<std::vector<TransitionRow>> Transitions(const std::string& request_id) = 0;

  // ---- Workflow definitions, by hash ----
  // Records a definition; a hash recorded before is kept as it was (success, nothing written).
  virtual Status PutWorkflowDefinition(const std::string& hash, const std::string& workflow_id, int version,
                                       const std::string& source_path, const std::string& source, Millis now) = 0;
  // The YAML source of the definition; NotFound for an unknown hash.
  virtual Result<std::string> WorkflowSource(const std::string& hash) = 0;

  // ---- Idempotency keys ----
  // (fingerprint, request id) of the key, or nullopt.
  virtual Result<std::optional<std::pair<std::string, std::string>>> FindIdempotencyKey(const std::string& key) = 0;
  // Conflict: the key exists already.
  virtual Status PutIdempotencyKey(const std::string& key, const std::string& fingerprint,
                                   const std::string& request_id, Millis now) = 0;

  // ---- Outbox ----
  // Queues a mail; returns its id.
  virtual Result<std::int64_t> InsertOutbox(const OutboxRow& o) = 0;
  // Undelivered, not given up, due at `now`: by next_attempt_at, at most `limit`.
  virtual Result<std::vector<OutboxRow>> PendingOutbox(Millis now, int limit) = 0;
  // Delivered at `now` (a secret body is dropped).
  virtual Status MarkOutboxDelivered(std::int64_t id, Millis now) = 0;
  // A failed attempt to be retried at `next_attempt_at`.
  virtual Status MarkOutboxFailed(std::int64_t id, const std::string& error, Millis next_attempt_at) = 0;
  // A permanent failure: counted, the error kept, never tried again; a secret body is dropped.
  virtual Status MarkOutboxGaveUp(std::int64_t id, const std::string& error, Millis now) = 0;
  // Every mail of the request, oldest first.
  virtual Result<std::vector<OutboxRow>> OutboxFor(const std::string& request_id) = 0;
  // The request our sent mail with this Message-ID (no angle brackets) was about, or nullopt.
  virtual Result<std::optional<std::string>> RequestForMessageId(const std::string& message_id) = 0;

  // ---- Timers ----
  virtual Status InsertTimer(const TimerRow& t) = 0;
  // Cancels the request's pending timers of the given kinds.
  virtual Status CancelTimers(const std::string& request_id, const std::vector<std::string>& kinds, Millis now) = 0;
  // The request's unfired, uncancelled timers, by fire_at.
  virtual Result<std::vector<TimerRow>> PendingTimers(const std::string& request_id) = 0;
  // Every request's unfired, uncancelled timers due at `now`, by fire_at, at most `limit`.
  virtual Result<std::vector<TimerRow>> DueTimers(Millis now, int limit) = 0;
  // Fired at `now`; a timer fired already keeps its first time.
  virtual Status MarkTimerFired(std::int64_t id, Millis now) = 0;

  // ---- Jobs ----
  virtual Status InsertJob(const JobRow& j) = 0;  // ignores a duplicate idempotency key (already scheduled)
  // Pending jobs, oldest first, at most `limit`.
  virtual Result<std::vector<JobRow>> PendingJobs(int limit) = 0;
  // pending -> running; Conflict when the job is no longer pending.
  virtual Status ClaimJob(std::int64_t id) = 0;
  // running -> pending for every job (after a crash: steps are idempotent, so they run again).
  // Returns how many.
  virtual Result<int> ReleaseRunningJobs() = 0;
  // Every job of the request, oldest first.
  virtual Result<std::vector<JobRow>> JobsFor(const std::string& request_id) = 0;
  virtual Status FinishJob(std::int64_t id, const std::string& status, const std::string& result_json,
                           const std::string& error, Millis now) = 0;
  // Open staff tasks (jobs of kind 'task', status 'open') of every request, oldest first.
  virtual Result<std::vector<JobRow>> OpenTasks(int limit) = 0;
  // Finished erase jobs whose result mentions `text` (a hold id), oldest first.
  virtual Result<std::vector<JobRow>> DoneJobsMentioning(const std::string& step, const std::string& text) = 0;

  // ---- The step ledger (issue 5 §4) ----
  virtual Result<std::optional<LedgerRow>> LedgerByKey(const std::string& idempotency_key) = 0;
  // NotFound for an unknown id.
  virtual Result<LedgerRow> LedgerById(std::int64_t id) = 0;
  virtual Result<std::vector<LedgerRow>> LedgerFor(const std::string& request_id) = 0;  // oldest first
  // Starts a step: a new row `running` with runs = 1, or an existing (failed / waiting) row
  // set `running` again with runs + 1, its error cleared and `job_id` recorded. Returns its id.
  // Conflict when the step is done already (a done step is never started again).
  virtual Result<std::int64_t> LedgerStart(const LedgerRow& step, Millis now) = 0;
  // done (with the result) or failed (with the error).
  virtual Status LedgerFinish(std::int64_t id, const std::string& status, const std::string& result_json,
                              const std::string& error, Millis now) = 0;
  // The step waits: for a staff task (`task_job_id`) or for a callback until `deadline_at`.
  virtual Status LedgerWait(std::int64_t id, std::optional<std::int64_t> task_job_id,
                            std::optional<Millis> deadline_at) = 0;
  // Steps waiting for a callback whose deadline is before `now`, oldest deadline first.
  virtual Result<std::vector<LedgerRow>> LedgerOverdue(Millis now, int limit) = 0;

  // ---- Webhook callbacks (lookup by the keyed hash, never by the token) ----
  // Conflict: the hash exists already.
  virtual Status InsertCallback(const CallbackRow& c) = 0;
  virtual Result<std::optional<CallbackRow>> CallbackByHash(const std::string& token_hash) = 0;
  // Marks the callback used at `now` with `outcome`; Conflict when it was used already.
  virtual Status UseCallback(std::int64_t id, Millis now, const std::string& outcome) = 0;
  // Marks every unused callback of the ledger step with `outcome` (expired, replaced): they stop working.
  virtual Status CloseCallbacks(std::int64_t ledger_id, Millis now, const std::string& outcome) = 0;

  // ---- Task evidence ----
  virtual Status InsertEvidence(const EvidenceRow& e) = 0;
  virtual Result<std::vector<EvidenceRow>> EvidenceFor(const std::string& request_id) = 0;  // oldest first

  // ---- Verification codes ----
  virtual Status InsertVerification(const VerificationRow& v) = 0;
  // The newest code issued for the request, or nullopt.
  virtual Result<std::optional<VerificationRow>> LatestVerification(const std::string& request_id) = 0;
  // Writes attempts, consumed_at and locked_at.
  virtual Status UpdateVerification(const VerificationRow& v) = 0;
  // How many codes were issued for the request (the first and every resend).
  virtual Result<int> VerificationCount(const std::string& request_id) = 0;

  // ---- Authorized agents (migration 012): the request's authorizations, oldest first ----
  virtual Status InsertAgentAuthorization(const AgentAuthorizationRow& a) = 0;
  virtual Result<std::vector<AgentAuthorizationRow>> AgentAuthorizationsFor(const std::string& request_id) = 0;
  // The same for several requests in one query (a list page), ordered by request id, then id.
  virtual Result<std::vector<AgentAuthorizationRow>> AgentAuthorizationsForRequests(
      const std::vector<std::string>& request_ids) = 0;
  // ---- Data-point verification attempts (migration 012), oldest first ----
  virtual Status InsertDataPointAttempt(const DataPointAttemptRow& a) = 0;
  virtual Result<std::vector<DataPointAttemptRow>> DataPointAttemptsFor(const std::string& request_id) = 0;
  // Requests of `type` for the data subject entered at or after `since` (any state): the opt-out
  // fraud check's count per hour (Cal. Code Regs. tit. 11 § 7026).
  virtual Result<int> CountRequestsSince(const std::string& subject_email, const std::string& type, Millis since) = 0;

  // ---- Legal holds ----
  // Conflict: the id exists already.
  virtual Status InsertHold(const HoldRow& h) = 0;
  // NotFound for an unknown id.
  virtual Result<HoldRow> GetHold(const std::string& id) = 0;
  // Every hold (or the unreleased ones), by placed_at.
  virtual Result<std::vector<HoldRow>> ListHolds(bool active_only) = 0;
  // Conflict when the hold is released already (or does not exist).
  virtual Status ReleaseHold(const std::string& id, const std::string& by, const std::string& reason, Millis now) = 0;
  // Unreleased holds on the whole data subject (by email or account id; no table or category):
  // the holds that stop an erasure as a whole. Table and category holds are not counted.
  virtual Result<int> ActiveHoldCount(const std::string& subject_email, const std::string& account_id) = 0;
  // Unreleased holds that cover the data subject's rows in `table` (whose map category is
  // `category`): whole-subject holds on them, holds on the table or category naming no person,
  // and holds on the table or category naming them. Oldest first.
  virtual Result<std::vector<HoldRow>> HoldsCovering(const std::string& subject_email, const std::string& account_id,
                                                     const std::string& table, const std::string& category) = 0;
  // Holds of a legal matter (active and released), oldest first.
  virtual Result<std::vector<HoldRow>> HoldsOfMatter(const std::string& matter) = 0;

  // ---- Inbound mail ----
  // Records the message and its raw bytes; returns its id.
  virtual Result<std::int64_t> InsertInbound(const InboundRow& m, std::string_view raw) = 0;
  // The first message with this Message-ID that says the same (content fingerprint).
  virtual Result<std::optional<InboundRow>> FindInboundByMessageId(const std::string& message_id,
                                                                   const std::string& content_sha256) = 0;
  // The first message with exactly these bytes (SHA-256 of the raw message): the redelivery test
  // for a message without a Message-ID.
  virtual Result<std::optional<InboundRow>> FindInboundBySha256(const std::string& sha256) = 0;
  virtual Status SetInboundOutcome(std::int64_t id, const std::string& outcome, const std::string& request_id,
                                   const std::string& detail) = 0;
  // The message read from the Maildir file with this unique name, if it was ingested.
  virtual Result<std::optional<InboundRow>> FindInboundByMaildirName(const std::string& maildir_name) = 0;
  // The staff queues (GET /intake/messages): messages with this outcome, oldest first, keyset by
  // row id (rows with id > after_id), at most `limit`.
  virtual Result<std::vector<InboundRow>> ListInbound(const std::string& outcome, std::int64_t after_id, int limit) = 0;
  virtual Result<std::optional<InboundRow>> GetInbound(std::int64_t id) = 0;
  // The raw bytes a message was stored with; NotFound for an unknown id (or purged bytes).
  virtual Result<std::string> InboundRaw(std::int64_t id) = 0;

  // ---- Records retention (issue 5 §8) ----
  // `final_states`: the states that close a request; a request closed at its last transition
  // (updated_at).
  // Requests closed before `closed_before`, oldest first, at most `limit`.
  virtual Result<std::vector<RequestRow>> ClosedRequests(const std::vector<std::string>& final_states,
                                                         Millis closed_before, int limit) = 0;
  // Deletes the request and everything recorded about it — history, mail, timers, jobs, codes,
  // idempotency keys, the inbound mail linked to it — and leaves a tombstone in purged_requests
  // (reference, type, jurisdiction, final state, receipt and closing time: no personal data).
  virtual Status PurgeRequest(const RequestRow& r, Millis now) = 0;
  // Deletes the raw bytes (keeping the row, marked raw_purged_at) of inbound messages linked to a
  // request closed before `closed_before`, or linked to none and taken in before `unlinked_before`;
  // at most `limit`. Returns how many.
  virtual Result<int> PurgeRawMail(const std::vector<std::string>& final_states, Millis closed_before,
                                   Millis unlinked_before, Millis now, int limit) = 0;
  // Deletes the verification rows (code hashes) of requests closed before `closed_before`.
  // Returns how many.
  virtual Result<int> PurgeVerifications(const std::vector<std::string>& final_states, Millis closed_before) = 0;

  // ---- Download links (issue 5 §5). Lookup is by the keyed hash, never by the token ----
  // Returns the new link's id. Conflict: the hash exists already.
  virtual Result<std::int64_t> InsertDownloadLink(const DownloadLinkRow& l) = 0;
  // Marks every unrevoked link of the request revoked at `now` (a new link replaces them).
  virtual Status RevokeDownloadLinks(const std::string& request_id, Millis now) = 0;
  virtual Result<std::optional<DownloadLinkRow>> DownloadLinkByHash(const std::string& token_hash) = 0;
  virtual Result<std::vector<DownloadLinkRow>> DownloadLinksFor(const std::string& request_id) = 0;  // oldest first
  // One more download of the link.
  virtual Status CountDownload(std::int64_t link_id) = 0;
  // One attempt: `link_id` nullopt for an unknown token; outcome ok, expired, exhausted, revoked,
  // missing (the file is gone) or unknown. No address or user agent is recorded.
  virtual Status InsertDownloadAttempt(std::optional<std::int64_t> link_id, Millis at, const std::string& outcome) = 0;
  // The package files whose newest link expired at or before `now` and that are not yet deleted
  // (no unexpired, unrevoked link points to them), at most `limit`, each once.
  virtual Result<std::vector<std::string>> ExpiredPackageFiles(Millis now, int limit) = 0;
  // Records that the file was deleted on every link pointing to it.
  virtual Status MarkPackageDeleted(const std::string& file_path, Millis now) = 0;

  // ---- API tokens (hashes only) ----
  // Conflict: the hash exists already.
  virtual Status InsertToken(const std::string& name, const std::string& token_hash, Millis now) = 0;
  // The name of the unrevoked token with this hash, or nullopt.
  virtual Result<std::optional<std::string>> TokenName(const std::string& token_hash) = 0;

  // ---- The suppression list (migration 014; service/suppression.h) ----
  // Keyed hashes only, by kind (`email`, `account_id`, ...): never an identifier itself.
  // Adds (kind, identifier_hash) for the request `reference` at `now`; true when it was new,
  // false when the pair was listed already (the first entry is kept).
  virtual Result<bool> AddSuppression(const std::string& kind, const std::string& identifier_hash,
                                      const std::string& reference, Millis now) = 0;
  // True when (kind, identifier_hash) is listed.
  virtual Result<bool> IsSuppressed(const std::string& kind, const std::string& identifier_hash) = 0;
};

// Thread safety: a Store is safe to share between threads.
//   - Writes: one writer connection, guarded by the writer mutex. Transact holds it for the whole
//     transaction, so transactions never interleave; Migrate and CheckpointTruncate hold it too.
//   - Reads: Read borrows one of Options::read_connections read-only connections (a pool, guarded
//     by its own mutex) and never takes the writer mutex: in WAL mode a reader runs beside an open
//     transaction and sees the last commit before its read began (one snapshot for the whole of
//     `fn`), never a transaction's uncommitted writes. When every reader is lent, Read waits for
//     one. With read_connections = 0, Read uses the writer's connection under the writer mutex.
//   - `fn` must not call Read or Transact of the same store (it would wait for itself).
// Other processes (`dsar intake-mail` beside a running `dsar serve`) are ordered by SQLite's
// locking with the busy timeout.
class Store {
 public:
  virtual ~Store() = default;

  // Opens the SQLite store (engine/store/sqlite/sqlite_store.h): creates the file (and its
  // directory) when absent, sets WAL mode, foreign keys and synchronous=FULL, applies pending
  // migrations when options.migrate, then opens the read connections. IoError when the file
  // cannot be opened or a migration fails.
  static Result<std::unique_ptr<Store>> Open(const Options& options);

  // Applies the embedded migrations (schemas/migrations/NNN_*.sql) not yet recorded in
  // schema_migrations, each in its own transaction. Returns how many were applied; IoError
  // (naming the migration) when one fails, which is rolled back.
  virtual Result<int> Migrate() = 0;

  // Runs `fn` in one IMMEDIATE transaction: commits when it returns ok, rolls back otherwise
  // and returns its status. A COMMIT failure is returned as IoError/Conflict and nothing
  // is applied. Conflict also when another process holds the write lock beyond the busy timeout.
  virtual Status Transact(const std::function<Status(Tx&)>& fn) = 0;
  // Runs `fn` in one read-only snapshot (see the thread-safety note) and returns its status.
  // `fn` must not write: over a read connection a write fails (IoError); with
  // read_connections = 0 nothing stops it.
  virtual Status Read(const std::function<Status(Tx&)>& fn) = 0;

  // Copies the WAL into the database and truncates it to zero bytes, so that page images holding
  // content since overwritten (a secret mail body, dropped once delivered) leave the disk. Busy
  // readers (in this process's pool or in others) make it partial; the next call finishes it.
  virtual Status CheckpointTruncate() = 0;

  // Where the data lives: the database file.
  virtual const std::string& path() const = 0;

  // Test hook: counts transactions, not statements. The commit of the Nth Transact call from now
  // whose `fn` returned ok fails with IoError ("injected commit failure (TEST_FailCommitAfter)")
  // and is rolled back; a Transact whose `fn` failed is not counted. Fires once; 0 = off.
  // Guarded by the writer mutex (the call takes it).
  virtual void TEST_FailCommitAfter(int n) = 0;
  // Test hook: counts statements on the writer connection (Transact, Migrate, CheckpointTruncate),
  // BEGIN and COMMIT included, ROLLBACK never failed nor counted (a rollback must still run). The
  // Nth statement from now (1 = the next) fails unrun with IoError ("injected fault
  // (TEST_FailStatement)"); `persistent`: every later one fails too, until the next call. 0 = off.
  // Reads are not failed. Guarded by the writer mutex (the call takes it).
  virtual void TEST_FailStatement(int n, bool persistent) = 0;
  // Test hook: `hook` is called with the SQL text of every statement the store runs from now, on
  // the writer and on the read connections (BEGIN and COMMIT of a Read included), on the thread
  // running it, one call at a time (under the hook's own mutex). It must not call the store. An
  // empty function removes it.
  virtual void TEST_OnStatement(std::function<void(std::string_view sql)> hook) = 0;
};

}  // namespace dsar::store
