// The SQLite implementation of store::Tx: the typed operations over one borrowed Connection.
// Their contracts are in store/store.h; the definitions are one file per table group beside this
// header (requests.cpp, transitions.cpp, outbox.cpp, timers.cpp, jobs.cpp, ledger.cpp,
// identity.cpp, holds.cpp, inbound.cpp, retention.cpp, links.cpp, suppression.cpp).
//
// Thread safety: none of its own. A SqliteTx lives for one Transact or Read call, on the thread
// that runs it, over the connection the SqliteStore lent for that call.
#pragma once

#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace dsar::store {

class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(Connection& c) : c_(c) {}

  // Requests.
  Status InsertRequest(const RequestRow& r) override;
  Result<RequestRow> GetRequest(const std::string& id_or_reference) override;
  Status UpdateRequest(const RequestRow& r, std::int64_t expected_version) override;
  Result<std::vector<RequestRow>> ListRequests(const RequestFilter& f) override;
  Result<std::vector<RequestRow>> OpenRequestsFor(const std::string& subject_email, const std::string& type,
                                                  const std::vector<std::string>& final_states) override;
  Result<std::vector<RequestRow>> RequestsInState(const std::string& state, const std::string& subject_email,
                                                  const std::string& account_id) override;

  // Transitions (append-only).
  Result<std::int64_t> AppendTransition(const TransitionRow& t) override;
  Result<std::vector<TransitionRow>> Transitions(const std::string& request_id) override;

  // Workflow definitions, by hash.
  Status PutWorkflowDefinition(const std::string& hash, const std::string& workflow_id, int version,
                               const std::string& source_path, const std::string& source, Millis now) override;
  Result<std::string> WorkflowSource(const std::string& hash) override;

  // Idempotency keys.
  Result<std::optional<std::pair<std::string, std::string>>> FindIdempotencyKey(const std::string& key) override;
  Status PutIdempotencyKey(const std::string& key, const std::string& fingerprint,
                           const std::string& request_id, Millis now) override;

  // Outbox.
  Result<std::int64_t> InsertOutbox(const OutboxRow& o) override;
  Result<std::vector<OutboxRow>> PendingOutbox(Millis now, int limit) override;
  Status MarkOutboxDelivered(std::int64_t id, Millis now) override;
  Status MarkOutboxFailed(std::int64_t id, const std::string& error, Millis next_attempt_at) override;
  Status MarkOutboxGaveUp(std::int64_t id, const std::string& error, Millis now) override;
  Result<std::vector<OutboxRow>> OutboxFor(const std::string& request_id) override;
  Result<std::optional<std::string>> RequestForMessageId(const std::string& message_id) override;

  // Timers.
  Status InsertTimer(const TimerRow& t) override;
  Status CancelTimers(const std::string& request_id, const std::vector<std::string>& kinds, Millis now) override;
  Result<std::vector<TimerRow>> PendingTimers(const std::string& request_id) override;
  Result<std::vector<TimerRow>> DueTimers(Millis now, int limit) override;
  Status MarkTimerFired(std::int64_t id, Millis now) override;

  // Jobs.
  Status InsertJob(const JobRow& j) override;
  Result<std::vector<JobRow>> PendingJobs(int limit) override;
  Status ClaimJob(std::int64_t id) override;
  Result<int> ReleaseRunningJobs() override;
  Result<std::vector<JobRow>> JobsFor(const std::string& request_id) override;
  Status FinishJob(std::int64_t id, const std::string& status, const std::string& result_json,
                   const std::string& error, Millis now) override;
  Result<std::vector<JobRow>> OpenTasks(int limit) override;
  Result<std::vector<JobRow>> DoneJobsMentioning(const std::string& step, const std::string& text) override;

  // The step ledger (issue 5 §4).
  Result<std::optional<LedgerRow>> LedgerByKey(const std::string& idempotency_key) override;
  Result<LedgerRow> LedgerById(std::int64_t id) override;
  Result<std::vector<LedgerRow>> LedgerFor(const std::string& request_id) override;
  Result<std::int64_t> LedgerStart(const LedgerRow& step, Millis now) override;
  Status LedgerFinish(std::int64_t id, const std::string& status, const std::string& result_json,
                      const std::string& error, Millis now) override;
  Status LedgerWait(std::int64_t id, std::optional<std::int64_t> task_job_id,
                    std::optional<Millis> deadline_at) override;
  Result<std::vector<LedgerRow>> LedgerOverdue(Millis now, int limit) override;

  // Webhook callbacks (lookup by the keyed hash, never by the token).
  Status InsertCallback(const CallbackRow& c) override;
  Result<std::optional<CallbackRow>> CallbackByHash(const std::string& token_hash) override;
  Status UseCallback(std::int64_t id, Millis now, const std::string& outcome) override;
  Status CloseCallbacks(std::int64_t ledger_id, Millis now, const std::string& outcome) override;

  // Task evidence.
  Status InsertEvidence(const EvidenceRow& e) override;
  Result<std::vector<EvidenceRow>> EvidenceFor(const std::string& request_id) override;

  // Verification codes.
  Status InsertVerification(const VerificationRow& v) override;
  Result<std::optional<VerificationRow>> LatestVerification(const std::string& request_id) override;
  Status UpdateVerification(const VerificationRow& v) override;
  Result<int> VerificationCount(const std::string& request_id) override;

  // Authorized agents (migration 012): the request's authorizations, oldest first.
  Status InsertAgentAuthorization(const AgentAuthorizationRow& a) override;
  Result<std::vector<AgentAuthorizationRow>> AgentAuthorizationsFor(const std::string& request_id) override;
  Result<std::vector<AgentAuthorizationRow>> AgentAuthorizationsForRequests(
      const std::vector<std::string>& request_ids) override;

  // Data-point verification attempts (migration 012), oldest first.
  Status InsertDataPointAttempt(const DataPointAttemptRow& a) override;
  Result<std::vector<DataPointAttemptRow>> DataPointAttemptsFor(const std::string& request_id) override;
  Result<int> CountRequestsSince(const std::string& subject_email, const std::string& type, Millis since) override;

  // Legal holds.
  Status InsertHold(const HoldRow& h) override;
  Result<HoldRow> GetHold(const std::string& id) override;
  Result<std::vector<HoldRow>> ListHolds(bool active_only) override;
  Status ReleaseHold(const std::string& id, const std::string& by, const std::string& reason, Millis now) override;
  Result<int> ActiveHoldCount(const std::string& subject_email, const std::string& account_id) override;
  Result<std::vector<HoldRow>> HoldsCovering(const std::string& subject_email, const std::string& account_id,
                                             const std::string& table, const std::string& category) override;
  Result<std::vector<HoldRow>> HoldsOfMatter(const std::string& matter) override;

  // Inbound mail.
  Result<std::int64_t> InsertInbound(const InboundRow& m, std::string_view raw) override;
  Result<std::optional<InboundRow>> FindInboundByMessageId(const std::string& message_id,
                                                           const std::string& content_sha256) override;
  Result<std::optional<InboundRow>> FindInboundBySha256(const std::string& sha256) override;
  Status SetInboundOutcome(std::int64_t id, const std::string& outcome, const std::string& request_id,
                           const std::string& detail) override;
  Result<std::optional<InboundRow>> FindInboundByMaildirName(const std::string& maildir_name) override;
  Result<std::vector<InboundRow>> ListInbound(const std::string& outcome, std::int64_t after_id, int limit) override;
  Result<std::optional<InboundRow>> GetInbound(std::int64_t id) override;
  Result<std::string> InboundRaw(std::int64_t id) override;

  // Records retention (issue 5 §8).
  Result<std::vector<RequestRow>> ClosedRequests(const std::vector<std::string>& final_states,
                                                 Millis closed_before, int limit) override;
  Status PurgeRequest(const RequestRow& r, Millis now) override;
  Result<int> PurgeRawMail(const std::vector<std::string>& final_states, Millis closed_before,
                           Millis unlinked_before, Millis now, int limit) override;
  Result<int> PurgeVerifications(const std::vector<std::string>& final_states, Millis closed_before) override;

  // Download links (issue 5 §5). Lookup is by the keyed hash, never by the token.
  Result<std::int64_t> InsertDownloadLink(const DownloadLinkRow& l) override;
  Status RevokeDownloadLinks(const std::string& request_id, Millis now) override;
  Result<std::optional<DownloadLinkRow>> DownloadLinkByHash(const std::string& token_hash) override;
  Result<std::vector<DownloadLinkRow>> DownloadLinksFor(const std::string& request_id) override;
  Status CountDownload(std::int64_t link_id) override;
  Status InsertDownloadAttempt(std::optional<std::int64_t> link_id, Millis at, const std::string& outcome) override;
  Result<std::vector<std::string>> ExpiredPackageFiles(Millis now, int limit) override;
  Status MarkPackageDeleted(const std::string& file_path, Millis now) override;

  // API tokens (hashes only).
  Status InsertToken(const std::string& name, const std::string& token_hash, Millis now) override;
  Result<std::optional<std::string>> TokenName(const std::string& token_hash) override;

  // The suppression list (migration 014; service/suppression.h).
  Result<bool> AddSuppression(const std::string& kind, const std::string& identifier_hash,
                              const std::string& reference, Millis now) override;
  Result<bool> IsSuppressed(const std::string& kind, const std::string& identifier_hash) override;

 private:
  Connection& c_;
};

}  // namespace dsar::store
