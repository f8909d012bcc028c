// Secrets: random codes, tokens and identifiers, and the keyed hash under which secrets are
// stored (DESIGN.md contract — secrets at rest).
//
// Verification codes, link tokens and API tokens are stored only as HMAC-SHA-256 under a
// server key kept outside the database (a file, mode 0600, created on first use). Comparison
// of hashes is constant-time (libsodium). Thread-safe after construction.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace dsar::service {

class Secrets {
 public:
  // Loads the 32-byte key from `key_file`, creating it (mode 0600) with random bytes when absent.
  static Result<Secrets> LoadOrCreate(const std::string& key_file);
  // A key given directly (tests).
  static Secrets FromKey(std::string key);

  // Lowercase hex HMAC-SHA-256 of `secret` under the server key.
  std::string KeyedHash(std::string_view secret) const;
  // Constant-time equality of two hashes of equal length.
  static bool HashesEqual(std::string_view a, std::string_view b);

  static std::string NewVerificationCode();  // 6 decimal digits, uniform
  static std::string NewToken();             // 32 random bytes, base32 (52 chars), for API tokens and links
  static std::string NewReference();         // "DSR-XXXX-XXXX", Crockford base32
  static std::string NewUuid();              // RFC 9562 version 4
  static std::string RandomHex(size_t bytes);

 private:
  explicit Secrets(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace dsar::service
