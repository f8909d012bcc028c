// SHA-256 (engine/core/sha256.h) against the FIPS 180-4 / NIST CAVP example vectors and
// libsodium; HMAC-SHA-256 against RFC 4231.
// (Lives here because the workflow hash is its first user; test_workflow links dsar_core.)
#include <catch2/catch.hpp>

#include <string>

#include <sodium/crypto_hash_sha256.h>

#include "core/sha256.h"

using dsar::Sha256;
using dsar::Sha256Hex;

TEST_CASE("SHA-256 known-answer vectors", "[sha256]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                  "mnopqrstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  CHECK(Sha256Hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(Sha256Hex("The quick brown fox jumps over the lazy dog") ==
        "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
  // Embedded NUL bytes are data, not terminators.
  CHECK(Sha256Hex(std::string("\0", 1)) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST_CASE("SHA-256 padding boundaries: 55, 56, 63, 64 and 65 bytes", "[sha256]") {
  // Lengths around the 56-byte padding threshold and the 64-byte block.
  CHECK(Sha256Hex(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(Sha256Hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(Sha256Hex(std::string(63, 'a')) == "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  CHECK(Sha256Hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  CHECK(Sha256Hex(std::string(65, 'a')) == "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
}

TEST_CASE("SHA-256 incremental updates equal the one-shot digest at every split", "[sha256]") {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  const std::string whole = Sha256Hex(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    Sha256 h;
    h.Update(std::string_view(data).substr(0, split));
    h.Update(std::string_view(data).substr(split));
    INFO("split " << split);
    REQUIRE(h.HexDigest() == whole);
  }
  Sha256 bytewise;
  for (char c : data) bytewise.Update(&c, 1);
  CHECK(bytewise.HexDigest() == whole);
  bytewise.Reset();
  bytewise.Update("abc");
  CHECK(bytewise.HexDigest() == Sha256Hex("abc"));
  auto raw = dsar::Sha256Digest("abc");
  CHECK(dsar::HexEncode(raw.data(), raw.size()) == Sha256Hex("abc"));
}

TEST_CASE("SHA-256 incremental and one-shot forms agree on the NIST vectors", "[sha256]") {
  // FIPS 180-4 examples (NIST CSRC): "abc", the empty string, the 448-bit message, a million 'a'.
  struct Vector {
    std::string message;
    const char* hex;
  };
  const Vector vectors[] = {
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const Vector& v : vectors) {
    INFO("length " << v.message.size());
    CHECK(Sha256Hex(v.message) == v.hex);
    const auto one_shot = dsar::Sha256Digest(v.message);
    CHECK(dsar::HexEncode(one_shot.data(), one_shot.size()) == v.hex);
    // Pieces of 1, 63, 64 and 1000 bytes: every buffering path of the incremental form.
    for (std::size_t piece : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{1000}}) {
      if (piece == 1 && v.message.size() > 10000) continue;  // a million single-byte calls add nothing
      Sha256 h;
      for (std::size_t at = 0; at < v.message.size(); at += piece) h.Update(std::string_view(v.message).substr(at, piece));
      INFO("pieces of " << piece);
      CHECK(h.Digest() == one_shot);
    }
    Sha256 whole;
    whole.Update(v.message.data(), v.message.size());
    CHECK(whole.HexDigest() == v.hex);
  }
}

TEST_CASE("HexEncode writes two lowercase digits per byte", "[sha256]") {
  CHECK(dsar::HexEncode("", 0) == "");
  const unsigned char bytes[] = {0x00, 0x0f, 0xa0, 0xff, 0x7e};
  CHECK(dsar::HexEncode(bytes, sizeof bytes) == "000fa0ff7e");
}

TEST_CASE("HMAC-SHA-256 known-answer vectors (RFC 4231)", "[sha256][hmac]") {
  using dsar::HmacSha256Hex;
  // Test case 1: a 20-byte key of 0x0b.
  CHECK(HmacSha256Hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the block.
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a 131-byte key, longer than the block (hashed first).
  CHECK(HmacSha256Hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // A message's NUL is data; a key is zero-padded to the block by definition (RFC 2104).
  CHECK(HmacSha256Hex("k", std::string("m\0", 2)) != HmacSha256Hex("k", "m"));
  CHECK(HmacSha256Hex(std::string("k\0", 2), "m") == HmacSha256Hex("k", "m"));
}

TEST_CASE("SHA-256 equals libsodium's digest at every length around the block size", "[sha256]") {
  // The differential test issue 10 §5 asks of the SHA-NI code kept over libsodium (sha256.h):
  // whichever compression this processor takes must give libsodium's digest, one-shot and in pieces.
  std::string data;
  for (int i = 0; i < 1200; ++i) data.push_back(static_cast<char>((i * 131 + 17) ^ (i >> 3)));
  for (std::size_t n = 0; n <= data.size(); n += (n < 300 ? 1 : 37)) {
    const std::string_view m = std::string_view(data).substr(0, n);
    Sha256::Digest32 expected;
    crypto_hash_sha256(expected.data(), reinterpret_cast<const unsigned char*>(m.data()), m.size());
    INFO("length " << n);
    REQUIRE(dsar::Sha256Digest(m) == expected);
    Sha256 h;
    h.Update(m.substr(0, n / 3));
    h.Update(m.substr(n / 3));
    REQUIRE(h.Digest() == expected);
  }
}
