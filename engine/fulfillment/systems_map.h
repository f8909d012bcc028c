// The systems map: where each person's data lives in a company database, what it is, and how
// to erase it. Loaded from YAML by LoadSystemsMap (below); the format is documented at
// the top of demo/systems.yaml, the map of the demo company.
//
// Every table, column and key named here has been checked as an SQL identifier
// ([A-Za-z_][A-Za-z0-9_]*, not starting with "sqlite_"), so the fulfillment code may quote it
// into statements; values are always bound as parameters.
//
// Thread safety: a SystemsMap is immutable after loading and may be shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace dsar::fulfillment {

// How a row links to the data subject.
struct Link {
  enum class Kind {
    kEmail,      // `column` equals the subject's email, compared lower-cased and trimmed
    kAccountId,  // `column` is one of the subject's account ids
    kVia,        // `column` equals `references` of a row of `via` linked to the subject
  };
  Kind kind = Kind::kEmail;
  std::string column;
  std::string via;         // kVia only: a table of the same map
  std::string references;  // kVia only: a column of `via`
  int line = 0;            // 1-based line in the map file, for messages
};

// What erasure does with one field of a row that stays.
enum class FieldErase {
  kUnset,  // not said: kept (allowed only where no row survives or the table gives a reason)
  kNull,   // set to NULL
  kMask,   // replaced by `mask_with`, or all but the last `keep_last` characters become '*'
  kKeep,   // left as it is, for `reason`
};

struct FieldSpec {
  std::string name;
  std::string category;
  bool provided_by_subject = false;
  std::string purpose;
  std::string source;
  std::vector<std::string> recipients;
  std::string retention;
  FieldErase erase = FieldErase::kUnset;
  std::string reason;                   // why the field is kept (kKeep); may be empty if the table gives one
  std::optional<std::string> mask_with; // kMask: the replacement text (default "***" when neither is set)
  std::optional<int> keep_last;         // kMask: keep this many trailing characters, '*' for the rest
  std::string withheld;                 // non-empty: the value is left out of access exports, for this reason
  // Non-empty: the column's value is a data point a requester may offer to verify their identity
  // (Cal. Code Regs. tit. 11 § 7062: matching information the business holds), under this
  // snake_case name ("name", "phone", "card_last4"). Several columns may share a name (any of
  // them matches). Never on a withheld field (a credential) or the subject table's email column.
  std::string verification_point;
  int line = 0;
};

// What erasure does with a table's linked rows.
enum class TableErase {
  kDelete,  // rows deleted; rows matching `keep_if` stay, with their fields nulled/masked per field
  kKeep,    // rows left as they are, for `reason`
  kFields,  // rows stay; each field is nulled, masked or kept as it says
};

// Rows whose `column` holds one of `values` (compared as text) survive a kDelete erasure.
struct KeepIf {
  std::string column;
  std::vector<std::string> values;
};

struct TableSpec {
  std::string name;
  std::string description;
  std::vector<Link> links;  // a row links when any of these matches; at least one
  // Table-level defaults, inherited by fields that do not say otherwise (already applied to
  // `fields` by the loader).
  std::string category;
  std::string purpose;
  std::string source;
  std::vector<std::string> recipients;
  std::string retention;
  TableErase erase = TableErase::kDelete;
  std::string erase_reason;  // required for kKeep and with keep_if; default reason of kept fields
  std::optional<KeepIf> keep_if;
  std::vector<FieldSpec> fields;  // in map order
  int line = 0;

  const FieldSpec* Field(const std::string& name) const;
};

// A flag an opt-out sets on every linked row of `table`.
struct OptOutFlag {
  std::string table;
  std::string field;
  // The value to store: an integer (YAML integers and booleans) or, failing that, text.
  std::optional<std::int64_t> int_value;
  std::string text_value;
  int line = 0;
};

// Where the subject's account ids are found from their email (optional section).
struct SubjectLookup {
  std::string table;  // empty: account ids come only from the request's DataSubject.account_id
  std::string id_column;
  std::string email_column;
  std::string phone_column;  // optional: the person's phone number there (for the suppression list)
};

// Who is responsible for the data (GDPR Art. 4(7)): shown at the top of an access package.
struct Controller {
  std::string name;     // empty when the map does not say (packages then name `system`)
  std::string contact;  // how to reach the privacy team: address, mail, web form
  std::string dpo;      // the data protection officer's contact (GDPR Art. 37-39), if any
};

// How fulfillment reaches a webhook system or a processor (issue 5 §4; README "Systems map"):
// a JSON POST to `endpoint`, signed with HMAC-SHA-256 under the key in `secret_file` (see
// fulfillment/connectors/webhook.h for the exact signed bytes). Completion comes in the 2xx answer
// ({"status":"completed"}), or, with `callback`, later through a one-time callback URL.
struct WebhookSpec {
  std::string endpoint;     // http:// or https:// URL
  std::string secret_file;  // the HMAC key: the file's first line (relative paths: to the working directory)
  bool callback = false;    // completion: false = in the answer, true = by callback
  Millis connect_timeout = 5 * kMillisPerSecond;    // `connect_timeout` (default 5s)
  Millis timeout = 30 * kMillisPerSecond;           // `timeout`: the whole exchange (default 30s)
  Millis callback_timeout = 7 * kMillisPerDay;      // `callback_timeout`: no callback by then fails the step (default 7d)
};

// A system outside the company database that takes part in fulfillment (`systems:`), or a
// processor the controller passes requests on to (`processors:`).
struct ConnectorSpec {
  enum class Kind {
    kWebhook,  // a signed HTTP POST (WebhookSpec)
    kManual,   // a task for staff, completed with a note or a file as evidence
  };
  std::string name;  // [A-Za-z_][A-Za-z0-9_]*: the ledger's `system`
  Kind kind = Kind::kWebhook;
  // A processor (GDPR Art. 28; Art. 19: the controller communicates an erasure to each recipient;
  // Cal. Code Regs. tit. 11 § 7022(b)(3): notify service providers and contractors to delete;
  // § 7026(f): notify the third parties personal information was sold or shared to of an
  // opt-out). Always a webhook.
  bool processor = false;
  std::string description;
  // The fulfillment steps it takes part in: erase, opt_out_sale, opt_out_marketing (a processor's
  // `receives` names request types: deletion → erase, opt_out_sale, opt_out_marketing).
  std::vector<std::string> actions;
  WebhookSpec webhook;       // kWebhook
  std::string instructions;  // kManual: what staff are asked to do
  int line = 0;

  bool Takes(const std::string& action) const;
};

// How long backups keep copies of erased data (DESIGN.md §5: "backups kept for a limited time");
// stated in the completion mail of a deletion (GDPR Art. 17 with Art. 12(1): the person is told
// what was done; the data in backups is erased as the backups expire).
struct BackupsSpec {
  int retention_days = 0;  // 0: the map does not say, and the mail says nothing about backups
  int line = 0;
};

struct SystemsMap {
  std::string path;  // the file it was loaded from
  std::string system;
  Controller controller;
  // GDPR Art. 15(1)(h): whether decisions about the person are made by automated means (incl.
  // profiling), the logic involved and its consequences. Empty: the map does not say, and the
  // access package says so.
  std::string automated_decision_making;
  // How to use the rights (whom to write to, the supervisory authority); shown under the list
  // of rights an access package always gives (index_html.h). May be empty.
  std::string rights;
  SubjectLookup subject;
  std::vector<TableSpec> tables;  // in map order: exports list tables in this order
  std::vector<OptOutFlag> sale_opt_outs;
  std::vector<OptOutFlag> marketing_opt_outs;
  // Webhook and manual systems (`systems:`), then processors (`processors:`), in map order.
  std::vector<ConnectorSpec> connectors;
  BackupsSpec backups;

  // nullptr when the map has no such table.
  const TableSpec* Table(const std::string& name) const;
};

// Loads and checks a systems map; Invalid names the file and line of the first error.
Result<std::shared_ptr<const SystemsMap>> LoadSystemsMap(const std::string& path);

// True when `name` may be used as a table or column name of a map.
bool IsValidIdentifier(const std::string& name);

// The verification data point names the map declares (FieldSpec::verification_point), sorted,
// each once.
std::vector<std::string> VerificationPointNames(const SystemsMap& map);

}  // namespace dsar::fulfillment
