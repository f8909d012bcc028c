// SHA-256 (FIPS 180-4), implemented here so that the pure core needs no crypto library.
//
// Used for content hashes that must be stable across builds and machines: the hash a request
// is pinned to (Workflow::hash, DESIGN.md §2), the store's copies of definitions, mail
// idempotency keys. It is NOT a keyed hash: secrets at rest (codes, tokens, sessions) use
// HMAC with a server secret (libsodium, in engine/service), never this function alone.
//
// Thread safety: Sha256 is a value; one object must not be used from two threads at once.
// The free functions are thread-safe.
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
// Lowercase hex of arbitrary bytes (two digits per byte).
std::string HexEncode(const void* data, std::size_t size);

}  // namespace dsar
