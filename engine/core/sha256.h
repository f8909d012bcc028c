// SHA-256 (FIPS 180-4), and HMAC-SHA-256 (RFC 2104, libsodium).
//
// Used for content hashes that must be stable across builds and machines: the hash a request
// is pinned to (Workflow::hash, DESIGN.md §2), the store's copies of definitions, mail
// idempotency keys. SHA-256 is NOT a keyed hash: secrets at rest (codes, tokens, sessions) use
// HmacSha256Hex under the server key, through Secrets::KeyedHash (engine/service/secrets.h),
// never Sha256Hex alone.
//
// Why SHA-256 itself is not libsodium's (issue 10 §5: "take libsodium's unless scripts/bench
// intake shows a loss over 2%"): libsodium 1.0.18 has only a portable SHA-256, 3.4 times slower
// than the SHA-NI code here on a 3.4 KiB message (21.5 us against 6.3 us), and intake hashes
// every message twice (raw bytes, normalised content): `scripts/bench intake` measured 285
// against 273 us of CPU per message (medians of 3 alternating runs), a 4% loss. The SHA-NI
// path is checked against libsodium's digest by tests/core/sha256_test.cpp at every length
// around the block size; processors without SHA-NI take the FIPS 180-4 code as written.
//
// Thread safety: Sha256 is a value; one object must not be used from two threads at once.
// The free functions are thread-safe. None of them fails.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dsar {

// Incremental hashing, for input that arrives in pieces:
//   Sha256 h; h.Update(a); h.Update(b); std::string hex = h.HexDigest();
// After Digest()/HexDigest() the object is finished; call Reset() before reusing it.
class Sha256 {
 public:
  using Digest32 = std::array<std::uint8_t, 32>;

  Sha256() { Reset(); }
  void Reset();
  void Update(std::string_view bytes);
  void Update(const void* data, std::size_t size);
  Digest32 Digest();       // finishes the hash
  std::string HexDigest(); // finishes the hash; 64 lowercase hex digits

 private:
  void Blocks(const std::uint8_t* p, std::size_t n);  // hashes n 64-byte blocks
  std::array<std::uint32_t, 8> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// The digest of `bytes`.
Sha256::Digest32 Sha256Digest(std::string_view bytes);
// The digest of `bytes` as 64 lowercase hex digits, e.g. Sha256Hex("abc") ==
// "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".
std::string Sha256Hex(std::string_view bytes);
// Lowercase hex of arbitrary bytes (two digits per byte; libsodium's sodium_bin2hex).
std::string HexEncode(const void* data, std::size_t size);

// HMAC-SHA-256 (RFC 2104; libsodium) of `message` under `key` (any length), as 64 lowercase hex
// digits. The one keyed-hash primitive: Secrets::KeyedHash (secrets at rest under the server
// key) and webhook signatures (service/webhook.h) are both this function.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace dsar
