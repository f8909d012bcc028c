// The suppression list (issue 5 §6: what follows an erasure).
//
// After a deletion request's erasure step succeeds, keyed hashes of the erased person's
// identifiers — the normalised email, every account id the systems map found for them, the
// phone number the request carries — are written to the `suppression` table
// (schemas/migrations/014_suppression.sql) in the transaction of the `fulfilled` transition, so
// that the company's systems do not re-import or re-subscribe the person: an erasure that a
// nightly import undoes was no erasure (GDPR Art. 17, Art. 19 and Recital 66; Cal. Civ. Code
// § 1798.105(c)-(d): the business directs that the data be deleted from its records and its
// service providers'). Only what is needed for that purpose is kept (GDPR Art. 5(1)(c)): never an
// identifier in clear, only HMAC-SHA-256 under the server key (service/secrets.h) of
// "suppression:<kind>:<normalised value>", domain-separated from codes and tokens.
//
// Normalisation (so that the same person matches however the identifier is written):
//   email       trimmed, lower-cased (core/model.h NormalizeEmail)
//   account_id  trimmed
//   phone       digits only, with a leading "+" when the number had one ("+44 7700 900123" ->
//               "+447700900123"); at least 7 digits, else not a phone number
//
// Thread safety: free functions without shared state; the store serialises writers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "identity/secrets.h"
#include "store/store.h"

namespace dsar::service {

class Engine;  // requests/engine.h

inline constexpr const char* kSuppressionKinds[] = {"email", "account_id", "phone"};

struct Identifier {
  std::string kind;   // email | account_id | phone
  std::string value;  // as given (normalised before hashing)
};

// The normalised identifier, or "" when `value` is not one of that kind (or the kind is unknown).
std::string NormalizeIdentifier(std::string_view kind, std::string_view value);

// "email" when the value holds an '@', "phone" when it normalises as a phone number (a leading
// '+', or only digits and separators), else "account_id".
std::string GuessIdentifierKind(std::string_view value);

// Parses "kind:value" (kind one of kSuppressionKinds, any case), "mailto:…", "Name <address>",
// a quoted value, or a bare value (kind guessed). An unknown "word:" prefix gives an empty kind
// (not an identifier: SuppressionHash is "").
Identifier ParseIdentifierLine(std::string_view line);

// The keyed hash an identifier is kept under; "" when it does not normalise.
std::string SuppressionHash(const Secrets& secrets, const Identifier& id);

// Adds the identifiers (those that normalise; duplicates ignored) inside `tx`. Returns how many
// rows were new.
Result<int> AddSuppressionsInTx(store::Tx& tx, const Secrets& secrets, const std::vector<Identifier>& ids,
                                const std::string& reference, Millis now);

// Whether the identifier (or, with IsHashSuppressed, a keyed hash computed by a caller holding the
// same key) is on the list. An identifier that does not normalise is never suppressed.
Result<bool> IsSuppressed(store::Store& store, const Secrets& secrets, const Identifier& id);
Result<bool> IsHashSuppressed(store::Store& store, const std::string& kind, const std::string& hash);

// The demo company's newsletter import (`dsar demo-import newsletter`): each address is
// subscribed in `company_db`'s newsletter_subscriptions (source "import", subscribed_at `now`)
// unless it is suppressed (refused) or not an email address (invalid). One outcome per input
// line, in order: "imported", "refused: suppressed (erased on request)", "invalid: not an email
// address", or "already subscribed". IoError when the company database cannot be written (then
// nothing was imported: one transaction).
Result<std::vector<std::string>> ImportNewsletter(store::Store& store, const Secrets& secrets,
                                                  const std::string& company_db,
                                                  const std::vector<std::string>& emails, Millis now);

// After the erase step of a deletion succeeded, inside the transaction of its `fulfilled`
// transition: the keyed hashes of the data subject's email, phone (the request's, and `phones` the
// systems map's subject table held) and `account_ids` (those the map found), both read before the
// erasure, are added. Never an identifier in clear.
Status SuppressErasedInTx(Engine& e, store::Tx& tx, const store::RequestRow& r,
                          const std::vector<std::string>& account_ids, const std::vector<std::string>& phones = {});
// IsSuppressed over the engine's store and key.
Result<bool> IsSuppressed(Engine& e, const std::string& kind, const std::string& value);

}  // namespace dsar::service
