// RequestService: the engine's use cases over the store, the interpreter and the workflows.
//
// Every state change goes through ApplyInTx: load the request and its pinned workflow, ask the
// pure interpreter, and write the new state (optimistic version check), the transitions row
// and the scheduled effects (outbox mail, verification code, timers, jobs) in one SQLite
// transaction. Effects that leave the process run later, in Workers (workers.h), and report
// back as events.
//
// Thread safety: all methods may be called from any thread; the Store serialises them.
// Time: `now` always comes from the injected Clock.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/interpreter.h"
#include "core/model.h"
#include "core/status.h"
#include "core/workflow.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "mail/message.h"
#include "service/config.h"
#include "service/deadlines.h"
#include "service/secrets.h"
#include "service/templates.h"
#include "store/store.h"
#include "workflow/loader.h"
#include "workflow/verification_policy.h"

namespace dsar::service {

// Events staff may send to POST /requests/{id}/events (DESIGN.md contract — staff events).
const std::vector<std::string>& StaffEvents();
// Final states shared by the shipped workflows (contract — state names).
const std::vector<std::string>& FinalStates();

// A request entered already verified (issue 5 §1): "session" when the company's logged-in
// session vouches for the data subject (an authenticated API client says so), "staff" when a
// staff member entered it with the evidence seen. `note` is required; recorded with the actor on
// the `submit_verified` transition; no code is mailed.
struct PreVerification {
  std::string method;  // session | staff
  std::string note;
};

struct CreateRequestInput {
  std::string type;
  std::string jurisdiction;  // "" when unknown
  DataSubject subject;
  std::optional<Requester> requester;
  std::string channel = "api";
  std::optional<Millis> received_at;  // defaults to now; never in the future
  boost::json::object details;
  std::string language;
  std::string actor = "api";
  std::string idempotency_key;  // "" when none
  std::string fingerprint;      // of the request body, for Idempotency-Key reuse checks
  std::optional<PreVerification> verification;  // nullopt: the workflow verifies as usual
};

struct CreateOutcome {
  store::RequestRow request;
  bool replayed = false;  // an Idempotency-Key replay: the existing request, nothing written
};

// A legal hold to place (issue 5 §3). Scope: the data subject (subject_email and/or
// account_id), a table or a category of the systems map (everyone's rows there), or a subject and
// a table/category (only that person's rows there); at least one of them, and not both a table
// and a category. `matter` (required) is the legal matter's id and groups holds; `ground` one of
// HoldGrounds() ("" = legal_claims); `reason` (required) why; `actor` who.
struct HoldInput {
  std::string subject_email;
  std::string account_id;
  std::string matter;
  std::string reason;
  std::string actor;
  std::string table;     // "" = not limited to a table
  std::string category;  // "" = not limited to a category
  std::string ground;    // "" = legal_claims
};

// True when someone other than the data subject made the request (an authorized agent, a
// parent): its `requester` names another address. Such a request leaves verification only once
// an agent authorization is recorded (Cal. Code Regs. tit. 11 § 7063; guard agent_authorized).
// A parent writing for a child counts as an agent too: staff record parental_responsibility.
bool HasAgent(const store::RequestRow& r);

// The kinds of agent authorization staff may record, with their legal source:
//   signed_permission  § 7063(a)(1): the consumer's signed permission; the data subject must also
//                      verify their own identity directly (§ 7063(a)(2)): the code mailed to the
//                      data subject (or data points) counts
//   power_of_attorney  § 7063(b): a power of attorney under Cal. Prob. Code §§ 4121-4130; no
//                      confirmation by the data subject is needed
//   parental_responsibility  a parent or legal guardian acting for a child (§ 7070; GDPR
//                      Art. 8(2)); no confirmation by the child is needed
struct AgentAuthorizationKind {
  std::string name, citation;
};
const std::vector<AgentAuthorizationKind>& AgentAuthorizationKinds();

// An opt-out suspected of fraud by the request type's fraud_check (Cal. Code Regs. tit. 11
// § 7026(d)-(e)): `reasons` documents why ("more than N opt-out requests for this data subject
// within an hour", "the address is at a blocked domain (d)"); empty when not suspected.
struct FraudAssessment {
  bool suspected = false;
  std::vector<std::string> reasons;
};

// Where the company's verification data points come from (Cal. Code Regs. tit. 11 § 7062): the
// systems map's verification_point columns (fulfillment::Fulfiller::DataPointNames /
// DataPointValues). `names`: the point names a requester may offer; `columns`: column name (both
// "column" and "table.column") -> point name, to find the points a correction names; `values`:
// what the company holds for a data subject, by point name (personal data: compared, never logged
// or stored).
struct DataPointSource {
  std::vector<std::string> names;
  std::map<std::string, std::string> columns;
  std::function<Result<std::map<std::string, std::vector<std::string>>>(const DataSubject&)> values;
};

// A data point's value as compared: ASCII case folded, blanks trimmed and runs of blanks made one
// space; for phone numbers (a name containing "phone") and card digits (a name containing "card"
// or ending in "last4") only the digits.
std::string NormalizeDataPoint(std::string_view name, std::string_view value);

// What one data-point attempt found (never the values): the names of the points that matched,
// sorted; those offered but not counted because the correction request names them (§ 7062(e):
// a correction is not verified with the data it corrects); the points needed; whether it
// verified; and, when it did not, the failed attempts left (0: the request was denied).
struct DataPointOutcome {
  store::RequestRow request;
  std::vector<std::string> matched, excluded;
  int required = 0;
  bool verified = false;
  int attempts_left = 0;
};

// The grounds a hold may give, with the law it rests on (GDPR Art. 17(3)).
struct HoldGround {
  std::string name, citation;
};
const std::vector<HoldGround>& HoldGrounds();
// The citation of a ground; "" for an unknown one.
std::string HoldCitation(const std::string& ground);

// What releasing a hold did (issue 5 §3). `resumed`: references of the requests that were
// waiting on_hold and left it (a request still covered by another whole-subject hold goes back
// on_hold and is not listed). `retained_now_free`: completed deletions that kept rows for this
// hold, one entry per table: {"request_id", "reference", "table", "rows", "category",
// "still_held_by": [ids of other active holds covering them]}. A release never re-runs an erasure
// by itself: staff open a new deletion request for the person to erase rows now free.
struct HoldRelease {
  store::HoldRow hold;
  std::vector<std::string> resumed;
  boost::json::array retained_now_free;
};

// A message that asks for several rights (a copy, then deletion) becomes one request per right,
// in the order written: `reference` is the first one's, and `line` lists every reference separated
// by one space ("DSR-AAAA-BBBB DSR-CCCC-DDDD"); the inbound row links the first, and every
// request's details carry the inbound row id ("inbound_message").
struct IntakeOutcome {
  std::string kind;       // request, redelivery, reply, triage, ignored, refused
  std::string reference;  // of the request created (the first) or joined, when any
  std::int64_t message_row = 0;
  std::string line;       // the `dsar intake-mail` output line (contract — CLI)
  bool replayed = false;  // a Maildir file ingested before: its earlier outcome, nothing written
};

// A stored inbound message for the staff queues (GET /intake/messages), decoded at read time by
// parsing the stored raw bytes with mail::ParseMessage.
struct InboundMessage {
  store::InboundRow row;
  std::string reference;  // of the request it is linked to; "" when none
  bool readable = false;  // false when the raw message cannot be parsed (`unreadable` says why)
  std::string unreadable;
  std::string subject;            // decoded UTF-8
  std::optional<std::string> from_name, from_email;  // nullopt when there is no From
  std::string text;               // decoded body, at most kInboundTextLimit characters
  bool text_truncated = false;
};
inline constexpr std::size_t kInboundTextLimit = 20000;  // Unicode characters
// The outcomes a stored inbound message may have (IntakeOutcome::kind).
const std::vector<std::string>& InboundOutcomes();

// How much of a refused message (over Config::max_message_bytes) is stored: its first bytes,
// which hold its headers, so that staff can see who sent it.
inline constexpr std::size_t kRefusedKeptBytes = 64 * 1024;

// A message as an intake channel read it, in bounded memory (ReadMail).
struct MailBytes {
  std::string raw;          // every byte; only the first kRefusedKeptBytes when `over_limit`
  std::int64_t size = 0;    // the true size in bytes
  std::string sha256;       // hex SHA-256 of all `size` bytes
  bool over_limit = false;  // larger than the limit it was read with
};

// Reads a message from `fd` (a file, a pipe, stdin) to its end, holding at most `limit` bytes
// (Config::max_message_bytes) in memory: a longer message keeps its first kRefusedKeptBytes and
// is hashed and counted streaming to its end (`over_limit`). A regular file over the limit (its
// size, by fstat) is never read into memory beyond those first bytes. Does not close `fd`.
// IoError (with strerror) when a read fails.
Result<MailBytes> ReadMail(int fd, std::int64_t limit);

// One inbound message ready for RequestService::IntakeMailInTx: its bytes (borrowed: they must
// outlive it) and their parse, done before any transaction is opened.
struct PreparedMail {
  std::string_view raw;        // the whole message, or its first kRefusedKeptBytes when over_limit
  std::int64_t size = 0;       // the true size
  std::string sha256;          // of all its bytes
  bool over_limit = false;     // refused: never parsed, never a request
  std::string maildir_name;    // the Maildir unique name it was read from (without `:info`); "" otherwise
  std::optional<mail::ParsedMessage> parsed;  // nullopt when over_limit or unreadable
  std::string unreadable;      // why the parser could not read it
};

// Checks that go beyond one workflow file, against the deployment: every mail template a
// workflow sends exists, every fulfillment step is one the engine runs, one workflow per request
// type (and one for each). `dsar serve` refuses to start on any; `dsar workflows check` reports
// them too.
std::vector<workflow::Diagnostic> CheckDeployment(const std::vector<Workflow>& workflows, const std::string& workflows_dir,
                                                  const MailTemplates& templates, const std::string& templates_dir);

// The keyed hash a webhook callback token is stored under (domain-separated from API tokens,
// download links and codes): Secrets::KeyedHash(CallbackHashInput(token)).
inline std::string CallbackHashInput(std::string_view token) { return "callback:" + std::string(token); }

// A staff task (issue 5 §4: manual systems of the map, and workflow tasks such as
// review_correction): a jobs row of kind "task".
struct TaskView {
  store::JobRow job;
  std::string reference, request_type, request_state;
};

// A file staff give as evidence when they complete a task: its bytes (borrowed) and media type.
struct EvidenceUpload {
  std::string_view bytes;
  std::string content_type;
};

// What a webhook callback did (POST /callbacks/{token}).
struct CallbackOutcome {
  std::string reference;  // of the request
  std::string system, action;
  std::string status;     // completed | failed, as the system said
};

class RequestService {
 public:
  // Loads the workflows (refusing invalid ones: Invalid with every `file:line: message`), the
  // mail templates and the server key; records the current workflow definitions in the store.
  static Result<std::unique_ptr<RequestService>> Create(const Config& config, store::Store& store, const Clock& clock);

  Result<CreateOutcome> CreateRequest(const CreateRequestInput& in);
  Result<store::RequestRow> Get(const std::string& id_or_reference);
  // True for a state name of a shipped workflow or of the contract (DESIGN.md §3).
  bool IsStateName(const std::string& name) const;
  Result<std::vector<store::RequestRow>> List(store::RequestFilter filter);
  Result<std::vector<store::TransitionRow>> Transitions(const std::string& id);

  // A staff (or integration) event; Unprocessable for an event that is not a staff event,
  // Conflict for a stale expected_version, Refused when the workflow refuses it.
  Result<store::RequestRow> ApplyStaffEvent(const std::string& id, Event event, std::optional<std::int64_t> expected_version);
  // A system event (workers, timers, holds): any event the workflow offers.
  Result<store::RequestRow> ApplySystemEvent(const std::string& id, Event event);

  // Staff correct the jurisdiction ("" = unknown) and/or the true receipt time (never in the
  // future, never after the request was entered); recorded as an `amend` transition, and the
  // deadline is recomputed from the receipt time (issue 3 §1, §3).
  Result<store::RequestRow> Amend(const std::string& id, std::optional<std::string> jurisdiction,
                                  std::optional<Millis> received_at, const std::string& actor,
                                  std::optional<std::int64_t> expected_version);

  // Staff complete a task of the request (a `complete_task` transition, data {task, note?,
  // evidence?: {sha256, size, content_type, file}}): `note` and/or a file. The file is stored as
  // <evidence_dir>/<reference>/<sha256> (folders 0700, file 0600) before the transition commits;
  // the task_evidence row records its SHA-256, size and type with the actor. Invalid when neither
  // a note nor a file is given; Refused when the request has no such open task or its workflow
  // refuses the event; IoError when the file cannot be written.
  Result<store::RequestRow> CompleteTask(const std::string& id, const std::string& task, const std::string& note,
                                         std::optional<EvidenceUpload> file, const std::string& actor,
                                         std::optional<std::int64_t> expected_version);
  // Open tasks of every request (request_id ""), or every task of one request, oldest first.
  Result<std::vector<TaskView>> Tasks(const std::string& request_id);
  static boost::json::object TaskJson(const TaskView& t);
  // The request's step ledger (issue 5 §4), oldest first.
  Result<std::vector<store::LedgerRow>> Ledger(const std::string& id);
  static boost::json::object LedgerJson(const store::LedgerRow& l);
  // A webhook system's callback: `token` from the callback URL, `body` its JSON object with
  // "status": "completed" (the step is done, its result the body) or "failed" ("error": why;
  // the step fails and the request goes to `error`). The token works once, until its deadline;
  // only its keyed hash is stored. NotFound for an unknown token; Gone (Conflict kind with
  // `gone` set) when used, replaced or expired; Invalid for a body without a known status.
  Result<CallbackOutcome> Callback(const std::string& token, const boost::json::object& body, bool& gone);

  // The requester's one-time code. Refused (with the reason) when wrong, expired, locked or not
  // awaiting verification; a wrong code is counted, and the last allowed wrong code denies the
  // request for insufficient verification.
  Result<store::RequestRow> Verify(const std::string& id, const std::string& code, const std::string& actor);

  // A new one-time code for a request awaiting verification (issue 5 §1): the previous code
  // stops working, the new one is mailed to the data subject only, and a `code_resent`
  // transition records it. Refused with `retry_after_ms` > 0 within the policy's
  // resend_cooldown of the last code; Conflict after max_resends new codes; Refused when the
  // request is not awaiting verification.
  Result<store::RequestRow> ResendCode(const std::string& id, const std::string& actor, Millis& retry_after_ms);

  // Staff record an authorized agent's authority (Cal. Code Regs. tit. 11 § 7063): `kind` one of
  // AgentAuthorizationKinds(), `note` (required) what was seen, `evidence_ref` ("" = none) where
  // the document is kept. Stored in agent_authorizations (migration 012) and recorded as an
  // `agent_authorization_recorded` transition (kind, note, evidence_ref, citation); a request
  // that waits for it in verifying (its data subject verified) then proceeds. Invalid for an
  // unknown kind or no note; Unprocessable when the request has no agent (HasAgent); Refused
  // when the request is closed or its workflow does not take the event; Conflict for a stale
  // expected_version.
  Result<store::RequestRow> RecordAgentAuthorization(const std::string& id, const std::string& kind,
                                                     const std::string& note, const std::string& evidence_ref,
                                                     const std::string& actor,
                                                     std::optional<std::int64_t> expected_version);

  // Verification by matching data points (Cal. Code Regs. tit. 11 § 7062; the policy's
  // data_points). `points`: point name -> the value the requester offers; `signed_declaration`:
  // the requester signed the declaration under penalty of perjury (§ 7062(c)). Each point the
  // company holds for the data subject (DataPointSource) that equals the offered value after
  // NormalizeDataPoint counts once; values are compared as keyed hashes in constant time and are
  // never logged or stored: data_point_attempts (migration 012) keeps only the names offered and
  // matched. Enough points (2, or 3 and the declaration for a reasonably high degree) verify the
  // data subject: `identity_verified` with data {method: data_points, degree, points (the names),
  // matched, required, signed_declaration, citation}, on the existing path (promotion, agents).
  // Too few: a failed attempt (Refused, with the attempts left); at the policy's max_attempts data
  // points are locked for the request (Refused thereafter), as wrong codes lock a code; the
  // mailed code still works, and the verification window's denial (insufficient_verification)
  // then says the details did not match (VerificationFailure). Invalid for unknown point names or no points; Refused when the
  // request is not awaiting verification or the policy offers no data points; Unprocessable when
  // no systems map is configured.
  Result<DataPointOutcome> VerifyDataPoints(const std::string& id, const std::map<std::string, std::string>& points,
                                            bool signed_declaration, const std::string& actor);
  // Set once at start (from the fulfiller), before any request is served.
  void SetDataPointSource(DataPointSource source) { data_points_ = std::move(source); }

  // The verification policy in force for `r` (workflows/verification/verification.yaml).
  workflow::VerificationPolicy PolicyFor(const store::RequestRow& r) const {
    return policies_.For(r.type, r.jurisdiction);
  }
  // Why verification of `r` failed for good, for the denial the requester reads (the code
  // expired, too many wrong codes, or never confirmed).
  Result<std::string> VerificationFailure(store::Tx& tx, const store::RequestRow& r);

  // Places a hold and records a `hold_placed` transition (hold id, scope, ground, citation, who,
  // why) on every open request it covers: the subject's requests for a hold naming a person,
  // every open deletion for a table or category hold naming nobody. Invalid (the message names
  // the field) for a missing matter/reason, no scope, a table and a category together, a bad
  // email or an unknown ground; Unprocessable for a table or category the systems map lacks (or
  // when no systems map is configured).
  Result<store::HoldRow> PlaceHold(const HoldInput& in);
  // Holds, oldest first; `matter` non-empty: only that matter's.
  Result<std::vector<store::HoldRow>> ListHolds(bool active_only, const std::string& matter = "");
  // Releases a hold, records `hold_released` on every open request it covers (requests on_hold
  // go back to hold_check and resume when no other hold stops them). NotFound for an unknown
  // id, Conflict when already released.
  Result<HoldRelease> ReleaseHold(const std::string& id, const std::string& actor, const std::string& reason);
  // The tables of the systems map with their categories: what table and category holds may name.
  // Set once at start (from fulfillment::Fulfiller::TableCategories), before any request is served.
  void SetHoldScopes(std::vector<std::pair<std::string, std::string>> table_categories) {
    hold_scopes_ = std::move(table_categories);
  }

  // One raw RFC 5322 message through intake, in its own transaction (contract — CLI `dsar
  // intake-mail`, POST /intake/mail). The message is stored raw (SHA-256, size, receipt time,
  // outcome) before it is classified; one the parser cannot read goes to triage. `maildir_name`
  // is the Maildir unique name (without `:info`) the message was read from, recorded with it: when
  // a message of that name was already ingested (a crash between the commit and the move to cur/),
  // the earlier outcome is returned (`replayed`) and nothing is stored again.
  // Size: a message over config().max_message_bytes is refused and recorded (kind `refused`, line
  // `refused: <reason>`): its SHA-256 and true size, received_at = the intake time, and only its
  // first kRefusedKeptBytes (the detail says so); it is never parsed and never becomes a request.
  Result<IntakeOutcome> IntakeMail(std::string_view raw, const std::string& maildir_name = "");
  // The same for a message read with ReadMail (over the limit: only its beginning is at hand).
  Result<IntakeOutcome> IntakeMail(const MailBytes& bytes, const std::string& maildir_name = "");

  // The pieces IntakeMail is made of, for callers that put several messages in one transaction
  // (the Maildir watcher, maildir_intake.h). PrepareMail hashes and parses outside any
  // transaction (`raw` is borrowed by the result; over max_message_bytes it is refused, and only
  // its first kRefusedKeptBytes are kept). IntakeMailInTx stores the message and acts on it
  // inside `tx`; messages run in order, so one sees what earlier ones in the same transaction
  // wrote (a redelivery of, or a reply to, an earlier message of the batch). On failure the
  // caller must roll back (Store::Transact does). `now` is the intake time.
  PreparedMail PrepareMail(std::string_view raw, std::string maildir_name = "") const;
  PreparedMail PrepareMail(const MailBytes& bytes, std::string maildir_name = "") const;
  Result<IntakeOutcome> IntakeMailInTx(store::Tx& tx, const PreparedMail& pm, Millis now);
  // Every message of `mails`, in order, in ONE transaction (one commit, one fsync): all their
  // outcomes, or the failure of the first message that failed, and then nothing is stored.
  Result<std::vector<IntakeOutcome>> IntakeMailBatch(std::span<const PreparedMail> mails);

  // The staff queue of inbound messages with `outcome` (one of InboundOutcomes()), oldest first,
  // after row id `after_id`, at most `limit`; and one message (NotFound for an unknown id).
  Result<std::vector<InboundMessage>> ListInbound(const std::string& outcome, std::int64_t after_id, int limit);
  Result<InboundMessage> GetInbound(std::int64_t id);
  static boost::json::object InboundJson(const InboundMessage& m);

  // The export package file of a completed access/portability request (NotFound otherwise).
  // `deleted_at` is set when the file was deleted after its download link expired (issue 5 §5).
  struct ExportFile {
    std::string path, content_type, filename;
    std::optional<Millis> deleted_at;
  };
  Result<ExportFile> Export(const std::string& id);

  // Download links (issue 5 §5). A package is given to the requester through
  // `<public_base_url>/d/<token>`: a random token (Secrets::NewToken, 260 bits, URL-safe) stored
  // only as KeyedHash("download:" + token), valid for config().download_link_days and
  // config().download_max downloads. The completion of an access / portability request whose
  // export wrote a file creates the first link, in the transaction of the `fulfilled` transition,
  // and the `completed` mail (marked carries_secret) carries it.
  struct IssuedLink {
    std::string url;  // holds the token: never logged or stored
    Millis expires_at = 0;
    int max_downloads = 0;
  };
  // One use of a link, recorded in download_attempts whatever its outcome (committed even when
  // the link does not work). outcome: ok (counted; path/content_type/filename set), expired,
  // exhausted, revoked, missing (the file is gone) or unknown (no such token).
  struct DownloadOutcome {
    std::string outcome;
    std::string reference;  // "" when unknown
    ExportFile file;
  };
  Result<DownloadOutcome> Download(const std::string& token);
  // Staff issue a new link (the request's older links stop working) and mail it to the data
  // subject with the `completed` template. NotFound when the request has no package, Refused
  // when it is not completed or the package file was already deleted.
  Result<IssuedLink> IssueDownloadLink(const std::string& id, const std::string& actor);

  // ---- Redaction review before release (issue 5 §5) ----
  // GDPR Art. 15(4): the copy "shall not adversely affect the rights and freedoms of others"; Cal.
  // Code Regs. tit. 11 § 7024(d). An access package that holds rows waits in `awaiting_approval`
  // (config access_review, default on) until staff approve it; meanwhile staff read what it holds
  // and redact cells or whole rows (fulfillment/review.h: the package is rebuilt from the staged
  // rows, deterministically, with every redaction so far). Each redaction is a `redact`
  // transition {table, row, column (null: the whole row), reason_code, label} with the actor and
  // the reason: never the value. `approve` (POST /events) rebuilds the package once more, records
  // {redactions: n, package_sha256} and releases the download link and the completed mail; the
  // staged rows are then deleted.
  struct RedactionInput {
    std::string table;
    std::int64_t row = -1;    // 0-based, in the package's order of the table's rows
    std::string column;       // "" = the whole row
    std::string reason_code;  // fulfillment::RedactionReasons()
    std::string reason;       // free text for the history (required)
    std::string actor;
  };
  // {reference, state, under_review, tables: [{table, columns, rows}], total_rows, redactions:
  // [{version, table, row, column, reason_code, label, reason, actor, at}], reasons: [{code,
  // label, citation}]}. NotFound when the request has no staged package (not an access request,
  // not built yet, or already released).
  Result<boost::json::object> PackageReview(const std::string& id);
  // Rows [offset, offset + limit) of one table: {table, columns, offset, limit, total, rows:
  // [{row, values: {column: value}, redacted: {column: label}}]} (values as staged, so staff see
  // what they redact; `redacted` names the redacted cells, "*" for the whole row).
  Result<boost::json::object> PackageRows(const std::string& id, const std::string& table, std::int64_t offset,
                                          std::int64_t limit);
  // Records a redaction and rebuilds the package. Invalid (400) for a missing reason or an
  // unknown reason_code; Unprocessable (422) for a table, row or column the package lacks;
  // Conflict (409) when that cell or row is already redacted or the version is stale; Refused
  // (409) when the request is not awaiting review; NotFound without a staged package.
  Result<store::RequestRow> Redact(const std::string& id, const RedactionInput& in,
                                   std::optional<std::int64_t> expected_version);
  // Withdraws the redaction recorded at history version `redaction` (an `unredact` transition
  // {redaction, table, row, column} with the actor and the reason) and rebuilds the package.
  // Invalid without a reason; NotFound when no redaction at that version is in force; Refused
  // when the request is not awaiting review.
  Result<store::RequestRow> Unredact(const std::string& id, std::int64_t redaction, const std::string& reason,
                                     const std::string& actor, std::optional<std::int64_t> expected_version);

  // Suppression list (issue 5 §6, service/suppression.h): after the erase step of a deletion
  // succeeded, inside the transaction of its `fulfilled` transition, the keyed hashes of the
  // data subject's normalised email, phone (the request's, and `phones` the systems map's
  // subject table held) and `account_ids` (those the map found), both read before the erasure,
  // are added. Never an identifier in clear.
  Status SuppressErasedInTx(store::Tx& tx, const store::RequestRow& r, const std::vector<std::string>& account_ids,
                            const std::vector<std::string>& phones = {});
  Result<bool> IsSuppressed(const std::string& kind, const std::string& value);

  // API tokens: a new token (returned once; only its keyed hash is stored), and the check,
  // which gives the token's name (recorded as the actor "staff:<name>") or nullopt.
  Result<std::string> CreateToken(const std::string& name);
  Result<std::optional<std::string>> TokenName(const std::string& token);

  // The JSON request resource (contract — HTTP API), with allowed_events.
  boost::json::object RequestJson(const store::RequestRow& r);
  static boost::json::object TransitionJson(const store::TransitionRow& t);
  static boost::json::object HoldJson(const store::HoldRow& h);

  // The workflow a request is pinned to (by hash), loading a stored definition when needed.
  Result<std::shared_ptr<const Workflow>> PinnedWorkflow(store::Tx& tx, const std::string& hash);

  const Config& config() const { return config_; }
  store::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  const Secrets& secrets() const { return secrets_; }
  const DeadlinePolicy& deadlines() const { return *deadlines_; }

  // Corrections (issue 5 §6; GDPR Art. 16; Cal. Civ. Code § 1798.106; Cal. Code Regs. tit. 11
  // § 7023): staff approve a correction request with `approve` and data.changes, a non-empty list
  // of {table, column, value} naming fields of the systems map (checked by this callback,
  // fulfillment::Fulfiller::CheckCorrections; set once at start); the `correct` step then applies
  // them to the subject's rows, and its `fulfilled` transition records every row's value before
  // and after (personal data: kept in the request's record only, purged with it). A denial uses
  // `deny` with a reason from the fixed list.
  using CorrectionCheck = std::function<Status(const std::vector<fulfillment::CorrectionChange>&)>;
  void SetCorrectionCheck(CorrectionCheck check) { correction_check_ = std::move(check); }
  // data.changes of an approve event as corrections; Invalid naming what is wrong.
  static Result<std::vector<fulfillment::CorrectionChange>> ParseCorrections(const boost::json::object& data);

  // Finds the data subject's account ids in the company's systems (fulfillment::Fulfiller::
  // AccountIds); set once at start, before any request is served.
  using AccountResolver = std::function<Result<std::vector<std::string>>(const DataSubject&)>;
  void SetAccountResolver(AccountResolver resolver) { account_resolver_ = std::move(resolver); }

  // Queues a mail from `template_name` about request `r`. Recipients: the data subject (and the
  // requester when someone else asked), or `to` when given (staff mail).
  Status QueueMail(store::Tx& tx, const store::RequestRow& r, const std::string& template_name,
                   std::map<std::string, std::string> vars, std::optional<std::int64_t> transition_seq,
                   bool carries_secret, const std::vector<std::string>& to = {});
  // Cancels the request's deadline reminders and schedules the ones still ahead of `now` (none
  // without a countdown: final, duplicate, paused, no deadline).
  Status ScheduleReminders(store::Tx& tx, const store::RequestRow& r, Millis now);

  // Applies `event` to `request` inside `tx` and follows up any events the effects raise
  // (check_holds). Used by the workers, which own their transaction.
  Status ApplyInTx(store::Tx& tx, store::RequestRow& request, const Event& event,
                   std::optional<std::int64_t> expected_version);

 private:
  RequestService(Config config, store::Store& store, const Clock& clock, Secrets secrets, MailTemplates templates,
                 std::shared_ptr<const DeadlinePolicy> deadlines)
      : config_(std::move(config)), store_(store), clock_(clock), secrets_(std::move(secrets)),
        templates_(std::move(templates)), deadlines_(std::move(deadlines)) {}

  Status ApplyEffects(store::Tx& tx, store::RequestRow& request, const Decision& d, std::int64_t transition_seq,
                      const Event& event, std::vector<Event>& follow_ups);
  Result<store::RequestRow> CreateInTx(store::Tx& tx, const CreateRequestInput& in, Millis now);
  // The opt-out fraud check at submission of `r` (its policy's fraud_check; none: not suspected).
  // `r` is already inserted, so the count per hour includes it.
  Result<FraudAssessment> AssessFraud(store::Tx& tx, const store::RequestRow& r, Millis now);
  // A new download link for `file_path` of request `r` (revoking its older links), and the mail
  // variables that announce it (download_url, download_expires, download_max).
  Result<IssuedLink> CreateDownloadLinkInTx(store::Tx& tx, const store::RequestRow& r, const std::string& file_path,
                                            const std::string& actor, std::map<std::string, std::string>& vars);
  // Before `approve`: when request `id` is an access request awaiting review, rebuilds its
  // package with every redaction recorded, adds {redactions, package_sha256} to `data`, and
  // returns the number of redactions; nullopt otherwise (nothing done).
  Result<std::optional<std::size_t>> RebuildReviewed(const std::string& id, boost::json::object& data);
  // True for our own mail address or any address at mail_domain (never a data subject by mail).
  bool IsOwnAddress(const std::string& email) const;

  Config config_;
  store::Store& store_;
  const Clock& clock_;
  Secrets secrets_;
  MailTemplates templates_;
  std::shared_ptr<const DeadlinePolicy> deadlines_;
  workflow::VerificationPolicies policies_;  // fixed after Create
  AccountResolver account_resolver_;
  CorrectionCheck correction_check_;  // fixed after start
  std::vector<std::pair<std::string, std::string>> hold_scopes_;  // (table, category); fixed after start
  DataPointSource data_points_;  // fixed after start
  std::map<std::string, std::shared_ptr<const Workflow>> current_;  // by request type; fixed after Create
  std::mutex review_mu_;  // one package rebuild at a time, from the redactions recorded when it starts
  std::mutex pinned_mu_;
  std::map<std::string, std::shared_ptr<const Workflow>> pinned_;   // by hash; guarded by pinned_mu_
};

}  // namespace dsar::service
